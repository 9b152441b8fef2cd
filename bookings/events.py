"""The booking history: one row per change to a booking, written with the change and never edited."""

from django.conf import settings
from django.db import models

from core.clinictime import clinic_when


class BookingEvent(models.Model):
    """One change to a booking: who made it, when, and what changed. Written by the bookings services only,
    in the same transaction as the change itself, and never edited afterwards.

    ``changes`` maps a field to ``[before, after]`` as shown to staff. Intake answers never appear in
    it: a change to any of them is recorded as ``{"intake": "updated"}``.
    """

    class Actor(models.TextChoices):
        CLIENT = "client", "Client (manage link or booking page)"
        STAFF = "staff", "Staff"
        SYSTEM = "system", "System"

    class Action(models.TextChoices):
        BOOKED = "booked", "Booked"
        MOVED = "moved", "Moved"
        CANCELLED = "cancelled", "Cancelled"
        MARKED = "marked", "Marked after the session"
        DETAILS_CHANGED = "details_changed", "Details changed"
        ARRIVED = "arrived", "Checked in"
        UNDONE = "undone", "Undone"
        INTAKE_ERASED = "intake_erased", "Intake erased (retention period over)"
        WAITLIST_OFFERED = "waitlist_offered", "Offered to the waitlist"
        WAITLIST_TAKEN = "waitlist_taken", "Taken from the waitlist"
        WAITLIST_LAPSED = "waitlist_lapsed", "Waitlist offer lapsed"
        FEE_CHARGED = "fee_charged", "Fee charged"
        FEE_NOT_CHARGED = "fee_not_charged", "Fee not charged"
        REFUNDED = "refunded", "Refunded"
        PAYMENT_RECORDED = "payment_recorded", "Payment recorded"

    appointment = models.ForeignKey("bookings.Appointment", on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(db_index=True)
    actor_kind = models.CharField("by", max_length=16, choices=Actor.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The staff user, when staff made the change.",
    )
    actor_name = models.CharField(max_length=150, blank=True, help_text="The staff username at the time.")
    action = models.CharField(max_length=32, choices=Action.choices)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "booking history entry"
        verbose_name_plural = "booking history"

    def __str__(self):
        return f"{self.get_action_display()} by {self.who}, {clinic_when(self.at, day_format='D j M Y')}"

    @property
    def who(self) -> str:
        if self.actor_kind == self.Actor.STAFF:
            return self.actor_name or "staff"
        return self.get_actor_kind_display().split(" (")[0].lower()

    @property
    def summary(self) -> str:
        parts = []
        for field, value in self.changes.items():
            if isinstance(value, list) and len(value) == 2:
                before, after = value
                parts.append(
                    f"{field}: {before or '—'} → {after or '—'}" if before is not None else f"{field}: {after}"
                )
            else:
                parts.append(f"{field} {value}")
        return "; ".join(parts)


# The waitlist's notes on a booking (its freed time offered, taken, lapsed): history about it, not changes to it.
NOTE_ACTIONS = (
    BookingEvent.Action.WAITLIST_OFFERED,
    BookingEvent.Action.WAITLIST_TAKEN,
    BookingEvent.Action.WAITLIST_LAPSED,
)
