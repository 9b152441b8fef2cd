from django import forms

from bookings.forms import CONSENT_LABEL, StaffMoveForm, StaffTimeForm
from bookings.models import Service, Therapist
from bookings.services import ClientDetails
from clients.models import Client


class DeskForm:
    """Bootstrap's classes on every widget, and each input tied to its help and error text."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()

    def style_fields(self) -> None:
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
            described = [f"id_{name}_help"] if field.help_text else []
            if self.is_bound and name in self.errors:
                described.append(f"id_{name}_error")
                widget.attrs["aria-invalid"] = "true"
            if described:
                widget.attrs["aria-describedby"] = " ".join(described)


class DeskBookingForm(DeskForm, StaffTimeForm):
    """A phone or walk-in booking: the time, the session, and the client (chosen from the records or new)."""

    service = forms.ModelChoiceField(queryset=Service.objects.filter(is_active=True))
    therapist = forms.ModelChoiceField(
        queryset=Therapist.objects.filter(is_active=True), required=False, empty_label="First available"
    )
    client = forms.ModelChoiceField(
        queryset=Client.objects.filter(erased_at__isnull=True),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "That client record no longer exists (merged or erased). Search again."},
    )
    name = forms.CharField(max_length=120, label="Client name", widget=forms.TextInput(attrs={"autocomplete": "off"}))
    phone = forms.CharField(
        max_length=40,
        required=False,
        label="Phone",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(
        max_length=254,
        required=False,
        label="Email (optional)",
        help_text="The confirmation is emailed only when there is an address.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    notes = forms.CharField(
        required=False, max_length=2000, label="Notes for this session", widget=forms.Textarea(attrs={"rows": 2})
    )
    areas_to_avoid = forms.CharField(
        required=False, max_length=1000, label="Areas to avoid", widget=forms.Textarea(attrs={"rows": 1})
    )
    pregnant = forms.BooleanField(required=False, label="Pregnant")
    injuries = forms.CharField(
        required=False, max_length=1000, label="Recent injuries or surgery", widget=forms.Textarea(attrs={"rows": 1})
    )
    medications = forms.CharField(
        required=False, max_length=1000, label="Medication", widget=forms.Textarea(attrs={"rows": 1})
    )
    allergies = forms.CharField(
        required=False, max_length=1000, label="Allergies to oils or lotions", widget=forms.Textarea(attrs={"rows": 1})
    )
    consent = forms.BooleanField(required=False, label=f"The client agrees: “{CONSENT_LABEL}”")
    record_past = forms.BooleanField(
        required=False, label="Record a walk-in happening now or a session that already took place"
    )

    field_order = [
        "service",
        "therapist",
        "date",
        "time",
        "client",
        "name",
        "phone",
        "email",
        "notes",
        "areas_to_avoid",
        "pregnant",
        "injuries",
        "medications",
        "allergies",
        "consent",
        "override_notice",
        "record_past",
    ]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("client") and not (cleaned.get("phone", "").strip() or cleaned.get("email")):
            self.add_error("phone", "Give a phone number or an email, so the clinic can reach the client.")
        return cleaned

    def client_details(self) -> ClientDetails:
        return ClientDetails.from_form(self.cleaned_data)


class DeskMoveForm(DeskForm, StaffMoveForm):
    pass


class CancelForm(DeskForm, forms.Form):
    reason = forms.CharField(
        max_length=200,
        label="Reason for cancelling",
        help_text="Kept in the booking's history, e.g. “Client ill, called at 8:10”.",
    )
    late = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ClientForm(DeskForm, forms.ModelForm):
    class Meta:
        model = Client
        fields = ["name", "phone", "email", "date_of_birth", "notes"]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 4}),
            "phone": forms.TextInput(attrs={"type": "tel"}),
        }


class MergeForm(DeskForm, forms.Form):
    duplicate = forms.ModelChoiceField(
        queryset=Client.objects.filter(erased_at__isnull=True),
        label="The duplicate record to merge into this one",
        error_messages={"invalid_choice": "That record no longer exists; reload the page."},
    )


class EraseForm(DeskForm, forms.Form):
    confirm = forms.CharField(
        max_length=120,
        label="Type the client's name to confirm",
        help_text="Erasing removes their name, contact details, notes and intake for good; sessions stay as anonymous.",
    )
