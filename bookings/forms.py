from datetime import UTC, date, datetime, timedelta

from django import forms
from django.utils import timezone

from newsletter.interface import OPT_IN_LABEL

from .availability import clinic_tz
from .models import Service, Therapist
from .services import ClientDetails

CONSENT_LABEL = (
    "I have answered the health questions truthfully and consent to massage treatment. "
    "I will tell my therapist about any change before the session."
)


class DetailsForm(forms.Form):
    """The client's details and health intake; the chosen time travels in ``start``."""

    start = forms.CharField(widget=forms.HiddenInput, max_length=40)
    name = forms.CharField(max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(
        max_length=40,
        help_text="We call only if something changes on the day.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    notes = forms.CharField(
        required=False,
        max_length=2000,
        label="Anything you'd like us to know",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    areas_to_avoid = forms.CharField(
        required=False, max_length=1000, label="Areas to avoid", widget=forms.Textarea(attrs={"rows": 2})
    )
    pregnant = forms.BooleanField(required=False, label="I am pregnant")
    injuries = forms.CharField(
        required=False, max_length=1000, label="Recent injuries or surgery", widget=forms.Textarea(attrs={"rows": 2})
    )
    medications = forms.CharField(
        required=False,
        max_length=1000,
        label="Medication (for example blood thinners)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    allergies = forms.CharField(
        required=False,
        max_length=1000,
        label="Allergies to oils, lotions or nuts",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    consent = forms.BooleanField(
        label=CONSENT_LABEL, error_messages={"required": "Please confirm your consent to treatment to book."}
    )
    newsletter = forms.BooleanField(required=False, label=OPT_IN_LABEL)

    def client_details(self) -> ClientDetails:
        return ClientDetails.from_form(self.cleaned_data)


STAFF_MAX_YEARS_AHEAD = 3


def staff_day_check(day: date) -> date:
    """Catch a mistyped year before it reaches the calendar (whose arithmetic stops at years 1 and 9999)."""
    today = timezone.localdate()
    if day > today + timedelta(days=STAFF_MAX_YEARS_AHEAD * 366):
        raise forms.ValidationError(f"That is more than {STAFF_MAX_YEARS_AHEAD} years ahead. Please check the year.")
    if day < today - timedelta(days=366):
        raise forms.ValidationError("That is more than a year ago. Please check the year.")
    return day


class StaffTimeForm(forms.Form):
    """A wall-clock date and time in the clinic's zone, turned into one aware moment."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M"))
    override_notice = forms.BooleanField(
        required=False, label="Override the notice and advance window (never allows a double booking)"
    )

    def clean_date(self):
        return staff_day_check(self.cleaned_data["date"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date") and cleaned.get("time"):
            tz = clinic_tz()
            moment = datetime.combine(cleaned["date"], cleaned["time"], tzinfo=tz)
            # A wall-clock time in the spring-forward gap does not survive the round trip through UTC.
            if moment.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != moment.replace(tzinfo=None):
                raise forms.ValidationError("That time does not exist on this day: the clocks move forward.")
            cleaned["starts_at"] = moment.astimezone(UTC)
        return cleaned


class StaffBookingForm(StaffTimeForm):
    service = forms.ModelChoiceField(queryset=Service.objects.filter(is_active=True))
    therapist = forms.ModelChoiceField(
        queryset=Therapist.objects.filter(is_active=True), required=False, empty_label="First available"
    )
    name = forms.CharField(max_length=120, label="Client name")
    email = forms.EmailField(max_length=254, label="Client email", help_text="The confirmation goes here.")
    phone = forms.CharField(max_length=40, label="Client phone", widget=forms.TextInput(attrs={"type": "tel"}))
    notes = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    field_order = ["service", "therapist", "date", "time", "name", "email", "phone", "notes", "override_notice"]

    def client_details(self) -> ClientDetails:
        data = self.cleaned_data
        return ClientDetails(name=data["name"], email=data["email"], phone=data["phone"], notes=data["notes"])


class StaffMoveForm(StaffTimeForm):
    therapist = forms.ModelChoiceField(
        queryset=Therapist.objects.filter(is_active=True), required=False, empty_label="Keep the same therapist"
    )
    field_order = ["therapist", "date", "time", "override_notice"]
