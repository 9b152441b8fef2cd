"""The waitlist's forms: joining, changing an entry, and a booked client's "move me earlier".

The forms only turn what was typed into a ``Wish`` and a ``Contact``; every rule is the
service's (waitlist.entries), whose ``EntryRefused.errors`` the view puts back beside the field
it names. Field names match the service's argument names for that reason.
"""

from django import forms

from bookings.selectors import services_active, therapists_bookable

from .entries import Contact, Window, Wish
from .models import PartOfDay

CONSENT_LABEL = (
    "I consent to massage treatment. Before the session I will answer the health questions and tell "
    "my therapist about anything that affects treatment."
)
NOTICE_CHOICES = [
    (0, "No notice needed: any time, even within the hour"),
    (60, "At least 1 hour"),
    (120, "At least 2 hours"),
    (180, "At least 3 hours"),
    (360, "At least 6 hours"),
    (720, "At least 12 hours"),
    (1440, "At least a day"),
    (2880, "At least two days"),
]
WEEKDAY_CHOICES = [
    ("", "Every day"),
    *[
        (str(number), name)
        for number, name in enumerate(
            ["Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays"]
        )
    ],
]
ERROR_FIELD = {"windows": "window_starts"}


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _time_input():
    return forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M")


class WishForm(forms.Form):
    """Dates, parts of the day or one explicit window, notice and therapist: what an entry page can change."""

    therapist = forms.ModelChoiceField(
        queryset=therapists_bookable(),
        required=False,
        to_field_name="slug",
        empty_label="Any therapist",
        label="Therapist",
    )
    earliest_on = forms.DateField(
        label="First day you could come",
        widget=_date_input(),
        error_messages={
            "required": "Please give the first day you could come.",
            "invalid": "Please give a date like 2026-03-05.",
        },
    )
    latest_on = forms.DateField(
        label="Last day you could come",
        widget=_date_input(),
        help_text="Your place on the list ends after this day.",
        error_messages={
            "required": "Please give the last day you could come.",
            "invalid": "Please give a date like 2026-03-12.",
        },
    )
    parts_of_day = forms.MultipleChoiceField(
        choices=PartOfDay.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Parts of the day that suit you",
        help_text="Leave all unticked for any time of day.",
    )
    window_weekday = forms.ChoiceField(choices=WEEKDAY_CHOICES, required=False, label="On")
    window_starts = forms.TimeField(
        required=False, label="From", widget=_time_input(), error_messages={"invalid": "Please give a time like 09:30."}
    )
    window_ends = forms.TimeField(
        required=False,
        label="Until",
        widget=_time_input(),
        error_messages={"invalid": "Please give a time like 12:00."},
    )
    notice_minutes = forms.TypedChoiceField(
        choices=NOTICE_CHOICES, coerce=int, initial=180, label="How much notice you need"
    )

    def __init__(self, *args, fixed_therapist=None, **kwargs):
        """``fixed_therapist``: a "move me earlier" entry keeps its booking's therapist, shown but not changeable."""
        super().__init__(*args, **kwargs)
        if fixed_therapist is not None:
            field = self.fields["therapist"]
            field.queryset = type(fixed_therapist).objects.filter(pk=fixed_therapist.pk)
            field.disabled = True
            self.initial["therapist"] = fixed_therapist.slug

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("window_starts"), cleaned.get("window_ends")
        if (
            (starts is None) != (ends is None)
            and not self.has_error("window_starts")
            and not self.has_error("window_ends")
        ):
            self.add_error("window_starts", "Give both a start and an end for the window, or leave both empty.")
        return cleaned

    def windows(self) -> tuple[Window, ...]:
        data = self.cleaned_data
        if data.get("window_starts") is None or data.get("window_ends") is None:
            return ()
        weekday = int(data["window_weekday"]) if data.get("window_weekday") else None
        return (Window(starts=data["window_starts"], ends=data["window_ends"], weekday=weekday),)

    def wish(self, *, service) -> Wish:
        data = self.cleaned_data
        return Wish(
            service=service,
            therapist=data["therapist"],
            earliest_on=data["earliest_on"],
            latest_on=data["latest_on"],
            parts_of_day=tuple(data["parts_of_day"]),
            windows=self.windows(),
            notice_minutes=data["notice_minutes"],
        )

    def refusal_show(self, errors: dict[str, str]) -> None:
        """Put the service's refusals beside the fields they name (unknown names above the form)."""
        for name, message in errors.items():
            name = ERROR_FIELD.get(name, name)
            self.add_error(name if name in self.fields else None, message)


class JoinForm(WishForm):
    service = forms.ModelChoiceField(
        queryset=services_active(), to_field_name="slug", empty_label=None, label="Session"
    )
    name = forms.CharField(
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Please give your name."},
    )
    email = forms.EmailField(
        max_length=254,
        help_text="Offers of a time are sent here.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Please give your email address: offers are sent there.",
            "invalid": "Please give a complete email address, like name@example.com.",
        },
    )
    phone = forms.CharField(
        max_length=40,
        required=False,
        help_text="Optional: we call only about a time that opens up at very short notice.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    consent = forms.BooleanField(
        label=CONSENT_LABEL,
        error_messages={"required": "Please confirm your consent to treatment to join the waitlist."},
    )

    field_order = [
        "service",
        "therapist",
        "earliest_on",
        "latest_on",
        "parts_of_day",
        "window_weekday",
        "window_starts",
        "window_ends",
        "notice_minutes",
        "name",
        "email",
        "phone",
        "consent",
    ]

    def contact(self) -> Contact:
        data = self.cleaned_data
        return Contact(name=data["name"], email=data["email"], phone=data["phone"], consent=data["consent"])


class MoveEarlierForm(forms.Form):
    parts_of_day = forms.MultipleChoiceField(
        choices=PartOfDay.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Parts of the day that suit you",
        help_text="Leave all unticked for any time of day.",
    )
    notice_minutes = forms.TypedChoiceField(
        choices=NOTICE_CHOICES, coerce=int, initial=180, label="How much notice you need"
    )


def window_initial(windows) -> dict:
    """The first explicit window of an entry as the form's three fields."""
    window = next(iter(windows), None)
    if window is None:
        return {}
    return {
        "window_weekday": "" if window.weekday is None else str(window.weekday),
        "window_starts": window.starts,
        "window_ends": window.ends,
    }
