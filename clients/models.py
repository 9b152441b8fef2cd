"""A client is a person, not a name copied onto each booking.

One record per person: matched by a verified email, or by phone for people who gave no email.
Staff notes and intake answers are health information (``HEALTH_FIELDS``): only the people
``bookings.access`` allows read them, and they are erased after the retention period.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower


class Client(models.Model):
    name = models.CharField(max_length=120)
    email = models.EmailField(max_length=254, blank=True, help_text="Stored in lower case; empty when none was given.")
    email_verified = models.BooleanField(
        default=False,
        help_text="The person proved the address (opened a link we emailed) or gave it to staff in person or by phone.",
    )
    phone = models.CharField(max_length=40, blank=True)
    phone_digits = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    date_of_birth = models.DateField(null=True, blank=True)
    notes = models.TextField(
        "staff notes",
        blank=True,
        max_length=5000,
        help_text="Lasting notes for every session; seen only by those who may read intake.",
    )
    erased_at = models.DateTimeField(null=True, blank=True, help_text="When the client's personal data was erased.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(Lower("name"), name="client_name_lower"), models.Index(fields=["email"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(email=Lower("email")), name="client_email_lower"),
            models.UniqueConstraint(
                fields=["email"],
                condition=models.Q(email_verified=True) & ~models.Q(email=""),
                name="client_one_verified_email",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        self.phone_digits = phone_digits(self.phone)
        super().save(*args, **kwargs)


def phone_digits(phone: str) -> str:
    """The digits of a phone number, for matching "(617) 555-0100" with "617.555.0100"."""
    return "".join(character for character in phone if character.isdigit())


class ClientIntake(models.Model):
    """The health intake as the client gave it at one booking; the newest is the one in force."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="intakes")
    taken_at = models.DateTimeField(db_index=True)
    appointment_ref = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The booking it was given with (bookings.Appointment's id)."
    )
    areas_to_avoid = models.TextField(blank=True, max_length=1000)
    pregnant = models.BooleanField(default=False)
    injuries = models.TextField("recent injuries or surgery", blank=True, max_length=1000)
    medications = models.TextField("medication", blank=True, max_length=1000)
    allergies = models.TextField("allergies to oils or lotions", blank=True, max_length=1000)
    consent_at = models.DateTimeField("consent to treatment given at", null=True, blank=True)

    class Meta:
        ordering = ["-taken_at", "-pk"]
        get_latest_by = ["taken_at", "pk"]

    def __str__(self):
        return f"Intake of {self.client} at {self.taken_at:%Y-%m-%d}"

    @property
    def has_answers(self) -> bool:
        return bool(
            self.areas_to_avoid.strip()
            or self.pregnant
            or self.injuries.strip()
            or self.medications.strip()
            or self.allergies.strip()
        )


INTAKE_ANSWERS = ("areas_to_avoid", "pregnant", "injuries", "medications", "allergies")
# Health information on the client's record: only intake readers see it; erasure blanks it.
HEALTH_FIELDS = ("notes",)


class ClientEvent(models.Model):
    """One change to a client's record, with who made it. Health details appear only as "updated"."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        CHANGED = "changed", "Details changed"
        INTAKE = "intake", "Intake recorded"
        MERGED = "merged", "Duplicate merged in"
        VERIFIED = "verified", "Email verified"
        EXPORTED = "exported", "Data exported"
        ERASED = "erased", "Data erased on request"
        RETENTION = "retention", "Intake and notes erased (retention period over)"

    class Actor(models.TextChoices):
        CLIENT = "client", "Client"
        STAFF = "staff", "Staff"
        SYSTEM = "system", "System"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(db_index=True)
    actor_kind = models.CharField("by", max_length=16, choices=Actor.choices, default=Actor.SYSTEM)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True, help_text="The staff username at the time.")
    action = models.CharField(max_length=16, choices=Action.choices)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "client history entry"
        verbose_name_plural = "client history"

    def __str__(self):
        return f"{self.get_action_display()} by {self.who} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def who(self) -> str:
        if self.actor_kind == self.Actor.STAFF:
            return self.actor_name or "staff"
        return self.get_actor_kind_display().lower()
