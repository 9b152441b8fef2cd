"""The waitlist: people who want a time that is not free yet, the stretches of time that free up, and
the timed offers that go from one to the other.

An ``Entry`` is a wish (a service, a therapist or anyone, a date range, parts of the day or explicit
windows, the notice the person needs); a "move me earlier" entry belongs to an existing booking.
An ``Opening`` is one stretch of a therapist's time that became free (bookings.signals.time_freed).
An ``Offer`` puts one start time of an opening to one entry for a while (the hold); the person takes
it through the booking service, so the database's overlap constraints stay the guarantee.
"""

import secrets
from datetime import date, time

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q


def _new_key() -> str:
    return secrets.token_urlsafe(24)


class WaitlistPolicy(models.Model):
    """How the clinic hands freed time to its waitlist. One row; without it the defaults below apply."""

    class Strategy(models.TextChoices):
        IN_TURN = "in_turn", "One person at a time, in the order they joined"
        EVERYONE = "everyone", "Everyone who fits at once; the first to accept gets it"

    hold_minutes = models.PositiveIntegerField(
        "hold (minutes)",
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
        help_text="How long an offer stays open for the person it was sent to.",
    )
    strategy = models.CharField(max_length=16, choices=Strategy.choices, default=Strategy.IN_TURN)
    everyone_within_hours = models.PositiveIntegerField(
        "everyone at once within (hours)",
        default=24,
        validators=[MaxValueValidator(24 * 14)],
        help_text="A time starting sooner than this is offered to everyone who fits at once, whatever the strategy.",
    )
    max_offers_per_day = models.PositiveSmallIntegerField(
        "most offers per person per day",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="Nobody receives more offers than this in one clinic day.",
    )

    class Meta:
        verbose_name = "waitlist policy"
        verbose_name_plural = "waitlist policy"

    def __str__(self):
        return "Waitlist policy"

    @classmethod
    def current(cls) -> "WaitlistPolicy":
        return cls.objects.order_by("pk").first() or cls()


class PartOfDay(models.TextChoices):
    MORNING = "morning", "Morning (before noon)"
    AFTERNOON = "afternoon", "Afternoon (noon to 5 PM)"
    EVENING = "evening", "Evening (from 5 PM)"


# The clinic wall-clock hours a session may *start* in, for each part of the day.
PART_HOURS: dict[str, tuple[time, time]] = {
    PartOfDay.MORNING: (time(0), time(12)),
    PartOfDay.AFTERNOON: (time(12), time(17)),
    PartOfDay.EVENING: (time(17), time.max),
}


class EntryQuerySet(models.QuerySet):
    def waiting(self, *, today: date):
        """Entries still looking for a time: neither fulfilled nor left, and their range not over."""
        return self.filter(state=Entry.State.WAITING, latest_on__gte=today)


class Entry(models.Model):
    class State(models.TextChoices):
        WAITING = "waiting", "Waiting"
        BOOKED = "booked", "Booked from an offer"
        LEFT = "left", "Left the waitlist"
        ENDED = "ended", "Ended (the booking it belonged to changed)"

    service = models.ForeignKey("bookings.Service", on_delete=models.PROTECT, related_name="+")
    therapist = models.ForeignKey(
        "bookings.Therapist",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty: any therapist who gives the service.",
    )
    earliest_on = models.DateField(help_text="First clinic day the person could come.")
    latest_on = models.DateField(help_text="Last clinic day; the entry expires after it.")
    parts_of_day = models.JSONField(
        default=list, blank=True, help_text="Any of morning, afternoon, evening; empty with no windows: any time."
    )
    notice_minutes = models.PositiveIntegerField(
        "notice needed (minutes)",
        default=0,
        validators=[MaxValueValidator(14 * 24 * 60)],
        help_text="Never offer a time starting sooner than this after the offer.",
    )
    appointment = models.ForeignKey(
        "bookings.Appointment",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="waitlist_entries",
        help_text='For "move me earlier": the booking to move when an earlier time is taken.',
    )
    name = models.CharField(max_length=120)
    email = models.EmailField(max_length=254, help_text="Stored in lower case; offers go here.")
    phone = models.CharField(max_length=40, blank=True)
    consent_at = models.DateTimeField("consent to treatment given at")
    state = models.CharField(max_length=16, choices=State.choices, default=State.WAITING, db_index=True)
    access_key = models.CharField(max_length=64, unique=True, default=_new_key, editable=False)
    joined_at = models.DateTimeField(db_index=True, help_text="Offers go out in joining order.")
    updated_at = models.DateTimeField(auto_now=True)
    left_at = models.DateTimeField(null=True, blank=True)
    booked = models.ForeignKey(
        "bookings.Appointment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The booking an accepted offer made (or moved).",
    )

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["joined_at", "pk"]
        verbose_name = "waitlist entry"
        verbose_name_plural = "waitlist entries"
        constraints = [
            models.CheckConstraint(condition=Q(latest_on__gte=F("earliest_on")), name="entry_range_in_order"),
            models.CheckConstraint(condition=Q(email=models.functions.Lower("email")), name="entry_email_lower"),
            models.UniqueConstraint(
                fields=["appointment"],
                condition=Q(state="waiting") & Q(appointment__isnull=False),
                name="entry_one_waiting_per_booking",
            ),
        ]

    def __str__(self):
        return f"{self.name}: {self.service} {self.earliest_on} – {self.latest_on}"

    @property
    def is_move_earlier(self) -> bool:
        return self.appointment_id is not None


class EntryWindow(models.Model):
    """An explicit window the whole session must fit in, in clinic wall-clock time; ``weekday`` empty: every day."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="windows")
    weekday = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(6)], help_text="0 is Monday; empty: any day."
    )
    starts = models.TimeField()
    ends = models.TimeField()

    class Meta:
        ordering = ["weekday", "starts"]
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="window_end_after_start"),
        ]

    def __str__(self):
        return f"{self.starts:%H:%M}–{self.ends:%H:%M}"


class Opening(models.Model):
    """A stretch of one therapist's time that became free; offers for its start times belong to it."""

    therapist = models.ForeignKey("bookings.Therapist", on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=32, help_text="What freed it: cancelled, moved, time off removed …")
    source_appointment = models.ForeignKey(
        "bookings.Appointment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The booking whose cancellation or move freed the time, when there is one.",
    )
    opened_at = models.DateTimeField(db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="Nothing more to offer from it.")

    class Meta:
        ordering = ["opened_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="opening_end_after_start"),
        ]

    def __str__(self):
        return f"{self.therapist} {self.starts_at:%Y-%m-%d %H:%M}Z ({self.reason})"


class Offer(models.Model):
    class State(models.TextChoices):
        OFFERED = "offered", "Offered"
        PAYING = "paying", "Taken, held while they pay"
        ACCEPTED = "accepted", "Accepted"
        LAPSED = "lapsed", "Lapsed (the hold ran out)"
        TAKEN = "taken", "Taken by someone else"
        WITHDRAWN = "withdrawn", "Withdrawn"

    opening = models.ForeignKey(Opening, on_delete=models.CASCADE, related_name="offers")
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="offers")
    therapist = models.ForeignKey("bookings.Therapist", on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    expires_at = models.DateTimeField(help_text="The end of the hold.")
    state = models.CharField(max_length=16, choices=State.choices, default=State.OFFERED, db_index=True)
    key = models.CharField(max_length=64, unique=True, default=_new_key, editable=False)
    offered_at = models.DateTimeField(db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    by_staff = models.BooleanField(default=False, help_text="Offered by hand from the desk.")
    appointment = models.ForeignKey(
        "bookings.Appointment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["offered_at", "pk"]
        indexes = [models.Index(fields=["state", "expires_at"], name="offer_state_expiry")]
        constraints = [
            # A person is never offered the same time twice, nor twice from one opening.
            models.UniqueConstraint(fields=["entry", "starts_at"], name="offer_once_per_time"),
            models.UniqueConstraint(fields=["entry", "opening"], name="offer_once_per_opening"),
            models.CheckConstraint(condition=Q(expires_at__gt=F("offered_at")), name="offer_hold_after_offer"),
        ]

    def __str__(self):
        return f"Offer to {self.entry.name} for {self.starts_at:%Y-%m-%d %H:%M}Z ({self.state})"
