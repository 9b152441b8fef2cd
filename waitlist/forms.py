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
# The service names all windows at once; its message goes beside the first row.
ERROR_FIELD = {"windows": "window_1_starts"}
WINDOW_ROWS = 3


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _time_input():
    return forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M")


class WishForm(forms.Form):
    """Dates, parts of the day or up to three explicit windows, notice and therapist: what an entry page can change."""

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
    notice_minutes = forms.TypedChoiceField(
        choices=NOTICE_CHOICES, coerce=int, initial=180, label="How much notice you need"
    )

    def __init__(self, *args, fixed_therapist=None, **kwargs):
        """``fixed_therapist``: a "move me earlier" entry keeps its booking's therapist, shown but not changeable."""
        super().__init__(*args, **kwargs)
        for row in range(1, WINDOW_ROWS + 1):
            self.fields[f"window_{row}_weekday"] = forms.ChoiceField(
                choices=WEEKDAY_CHOICES, required=False, label="On"
            )
            self.fields[f"window_{row}_starts"] = forms.TimeField(
                required=False,
                label="From",
                widget=_time_input(),
                error_messages={"invalid": "Please give a time like 09:30."},
            )
            self.fields[f"window_{row}_ends"] = forms.TimeField(
                required=False,
                label="Until",
                widget=_time_input(),
                error_messages={"invalid": "Please give a time like 12:00."},
            )
        if fixed_therapist is not None:
            field = self.fields["therapist"]
            field.queryset = type(fixed_therapist).objects.filter(pk=fixed_therapist.pk)
            field.disabled = True
            self.initial["therapist"] = fixed_therapist.slug

    def window_rows(self) -> list[tuple]:
        """The bound (weekday, from, until) fields of each window row, for the template."""
        return [
            (self[f"window_{row}_weekday"], self[f"window_{row}_starts"], self[f"window_{row}_ends"])
            for row in range(1, WINDOW_ROWS + 1)
        ]

    def more_windows_given(self) -> bool:
        """Whether a row past the first holds something, so the "add more windows" part starts open."""
        return any(bound.value() or bound.errors for fields in self.window_rows()[1:] for bound in fields)

    def clean(self):
        cleaned = super().clean()
        for row in range(1, WINDOW_ROWS + 1):
            starts, ends = f"window_{row}_starts", f"window_{row}_ends"
            if self.has_error(starts) or self.has_error(ends):
                continue
            if (cleaned.get(starts) is None) != (cleaned.get(ends) is None):
                self.add_error(starts, "Give both a start and an end for the window, or leave both empty.")
        return cleaned

    def windows(self) -> tuple[Window, ...]:
        data, windows = self.cleaned_data, []
        for row in range(1, WINDOW_ROWS + 1):
            starts, ends = data.get(f"window_{row}_starts"), data.get(f"window_{row}_ends")
            if starts is None or ends is None:
                continue
            weekday = data.get(f"window_{row}_weekday")
            windows.append(Window(starts=starts, ends=ends, weekday=int(weekday) if weekday else None))
        return tuple(windows)

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
    """The first ``WINDOW_ROWS`` of an entry's explicit windows as the form's rows."""
    initial = {}
    for row, window in enumerate(list(windows)[:WINDOW_ROWS], start=1):
        initial[f"window_{row}_weekday"] = "" if window.weekday is None else str(window.weekday)
        initial[f"window_{row}_starts"] = window.starts
        initial[f"window_{row}_ends"] = window.ends
    return initial
