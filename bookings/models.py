import secrets
import uuid

from django.conf import settings
from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core.clinictime import clinic_when
from core.constraints import PostgresExclusionConstraint, TsTzRange
from core.reversing import reverse_slug

from .payment_fields import PaymentAtBooking, PaymentTermFields


class Room(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    is_active = models.BooleanField(
        "active", default=True, help_text="Inactive rooms are never offered for new bookings."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Service(PaymentTermFields):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True, help_text="Used in booking links, e.g. /book/?service=<slug>.")
    description = models.TextField(blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        "duration (minutes)",
        validators=[MinValueValidator(5), MaxValueValidator(480)],
        help_text="Length of the session the client books.",
    )
    cleanup_minutes = models.PositiveSmallIntegerField(
        "cleanup time (minutes)",
        default=15,
        validators=[MaxValueValidator(120)],
        help_text="Time blocked after each session to turn the room around; never offered to clients.",
    )
    price = models.DecimalField(max_digits=7, decimal_places=2, validators=[MinValueValidator(0)])
    is_active = models.BooleanField("active", default=True, help_text="Only active services can be booked.")
    rooms = models.ManyToManyField(Room, related_name="services", help_text="Rooms equipped to host this service.")
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers are listed first.")

    class Meta(PaymentTermFields.Meta):
        ordering = ["position", "name"]

    def __str__(self):
        return f"{self.name} ({self.duration_minutes} min)"


def _new_key() -> str:
    return secrets.token_urlsafe(24)


class Therapist(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True, help_text="Used in the profile URL and booking links.")
    credentials = models.CharField(max_length=120, blank=True, help_text='Shown after the name, e.g. "LMT, E-RYT 500".')
    bio = models.TextField(blank=True, help_text="A few sentences in the therapist's own voice for the profile page.")
    photo = models.ImageField(upload_to="therapists/", blank=True, help_text="A square portrait works best.")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="therapist",
        help_text="The staff login of this therapist, for their schedule and calendar feed.",
    )
    is_bookable_online = models.BooleanField(
        "bookable online", default=True, help_text="Clients can pick this therapist on the booking page."
    )
    is_active = models.BooleanField("active", default=True, help_text="Inactive therapists are hidden from the site.")
    services = models.ManyToManyField(
        Service, related_name="therapists", blank=True, help_text="The sessions this therapist offers."
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers are listed first.")
    feed_key = models.CharField(
        "calendar feed key",
        max_length=64,
        default=_new_key,
        unique=True,
        editable=False,
        help_text="Secret part of the private calendar feed URL; revoke it to give the feed a new address.",
    )

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse_slug("bookings:therapist_detail", self.slug)

    @property
    def display_name(self) -> str:
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class WorkingHours(models.Model):
    """One interval of a therapist's regular week, in the clinic's wall-clock time."""

    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField(help_text="Clinic wall-clock time the first session may start, e.g. 09:00.")
    end_time = models.TimeField(help_text="Clinic wall-clock time every session must have ended by, e.g. 12:00.")

    class Meta:
        ordering = ["therapist", "weekday", "start_time"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=F("start_time")), name="hours_end_after_start"),
        ]

    def __str__(self):
        return f"{self.therapist}: {self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class TimeOff(models.Model):
    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="time_off")
    starts_at = models.DateTimeField(help_text="First moment the therapist is away.")
    ends_at = models.DateTimeField(help_text="The therapist can take sessions again from this moment.")
    reason = models.CharField(max_length=200, blank=True, help_text="For staff only; never shown to clients.")

    class Meta:
        ordering = ["starts_at"]
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="time_off_end_after_start"),
        ]

    def __str__(self):
        starts, ends = (clinic_when(moment, day_format="D j M Y") for moment in (self.starts_at, self.ends_at))
        return f"{self.therapist}: {starts} – {ends}"


class Closure(models.Model):
    """Whole days the clinic is closed for everyone (public holidays, renovations)."""

    starts_on = models.DateField(help_text="First closed day.")
    ends_on = models.DateField(help_text="Last closed day (the same as the first for a single day).")
    reason = models.CharField(max_length=200, help_text='Shown to staff, e.g. "Thanksgiving".')

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="closure_end_not_before_start"),
        ]

    def __str__(self):
        return f"{self.reason} ({self.starts_on} – {self.ends_on})"


class BookingPolicy(PaymentTermFields):
    """The clinic's booking rules. One row; without it the defaults below apply."""

    min_notice_minutes = models.PositiveIntegerField(
        "minimum notice (minutes)", default=120, help_text="Clients cannot book a session starting sooner than this."
    )
    max_advance_days = models.PositiveIntegerField(
        "maximum advance (days)",
        default=60,
        validators=[MinValueValidator(1)],
        help_text="How far ahead clients can book.",
    )
    slot_step_minutes = models.PositiveIntegerField(
        "slot step (minutes)",
        default=15,
        validators=[MinValueValidator(5), MaxValueValidator(120)],
        help_text="Start times are offered every this many minutes from the start of working hours.",
    )
    cancel_cutoff_hours = models.PositiveIntegerField(
        "cancel and reschedule cutoff (hours)",
        default=24,
        help_text="Clients can cancel or move a booking online until this many hours before it starts.",
    )
    reminder_lead_hours = models.PositiveIntegerField(
        "reminder lead time (hours)", default=24, help_text="The reminder email goes out this long before a session."
    )
    cancellation_policy = models.TextField(
        default=(
            "Please cancel or move your booking at least 24 hours ahead, online or by phone. "
            "Late cancellations and missed sessions may be charged in full."
        ),
        help_text="Shown on the booking page, in the confirmation email and on the manage page.",
    )
    payment_at_booking = models.CharField(
        max_length=16,
        choices=PaymentAtBooking.choices,
        default=PaymentAtBooking.NONE,
        help_text="The default for services that set none of their own (only when online payments are set up).",
    )
    refund_as_credit = models.BooleanField(
        "keep early-cancel payments as credit",
        default=False,
        help_text="A payment for a booking cancelled before the cutoff is kept as credit instead of refunded.",
    )

    class Meta(PaymentTermFields.Meta):
        verbose_name = "booking policy"
        verbose_name_plural = "booking policy"

    def __str__(self):
        return "Booking policy"

    @classmethod
    def current(cls) -> "BookingPolicy":
        return cls.objects.order_by("pk").first() or cls()


# The time an appointment keeps its therapist and room busy, and the appointments that count.
_SESSION = TsTzRange("starts_at", "blocked_until", RangeBoundary(inclusive_lower=True, inclusive_upper=False))
_ACTIVE = ~Q(status="cancelled")


class AppointmentQuerySet(models.QuerySet):
    def active(self, now=None):
        """Bookings that keep their time: not cancelled, and not a payment hold that has run out."""
        return self.exclude(status=Appointment.Status.CANCELLED).exclude(
            status=Appointment.Status.HELD, hold_expires_at__lte=now or timezone.now()
        )

    def holds_expired(self, now):
        return self.filter(status=Appointment.Status.HELD, hold_expires_at__lte=now)


class Appointment(models.Model):
    """A booked session. Written only through bookings.services and bookings.moves, which lock and re-check availability.

    On PostgreSQL two exclusion constraints forbid any two active appointments whose
    [starts_at, blocked_until) ranges overlap for the same therapist or room. SQLite cannot state
    them, so there they write no SQL (core.constraints) and its serialised writers plus the
    services' re-check hold the rule. Migration 0003 creates them; 0005 records them in the state.
    """

    class Status(models.TextChoices):
        HELD = "held", "Held while the client pays"
        BOOKED = "booked", "Booked"
        COMPLETED = "completed", "Completed"
        NO_SHOW = "no_show", "No-show"
        CANCELLED = "cancelled", "Cancelled"

    class Source(models.TextChoices):
        ONLINE = "online", "Online"
        STAFF = "staff", "Staff (phone or desk)"
        ADMIN = "admin", "Admin"

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="appointments")
    therapist = models.ForeignKey(Therapist, on_delete=models.PROTECT, related_name="appointments")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="appointments")
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    blocked_until = models.DateTimeField(help_text="End of the session plus the service's cleanup time.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.BOOKED, db_index=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.ONLINE)
    hold_expires_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="For a booking held while the client pays: when the time is offered to others again.",
    )
    terms_agreed = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        help_text="The payment terms shown when the client booked (amounts in minor units): "
        "refunds and fees follow these, whatever the rules say later.",
    )

    client = models.ForeignKey(
        "clients.Client",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
        help_text="The person this session is for; the name, email and phone below are as given at booking.",
    )
    client_name = models.CharField(max_length=120)
    client_email = models.EmailField(max_length=254, blank=True)
    client_phone = models.CharField(max_length=40)
    notes = models.TextField(blank=True, max_length=2000)

    intake_areas_to_avoid = models.TextField("areas to avoid", blank=True, max_length=1000)
    intake_pregnant = models.BooleanField("pregnant", default=False)
    intake_injuries = models.TextField("recent injuries or surgery", blank=True, max_length=1000)
    intake_medications = models.TextField("medication", blank=True, max_length=1000)
    intake_allergies = models.TextField("allergies to oils or lotions", blank=True, max_length=1000)
    consent_at = models.DateTimeField("consent to treatment given at", null=True, blank=True)

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, help_text="Calendar UID, kept when moved.")
    sequence = models.PositiveIntegerField(default=0, help_text="Calendar revision; grows on every move or cancel.")
    manage_key = models.CharField(max_length=64, unique=True, default=_new_key, editable=False)
    reminded_at = models.DateTimeField(null=True, blank=True)
    arrived_at = models.DateTimeField("checked in at", null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField("reason for cancelling", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The staff member who booked it, for phone and desk bookings.",
    )

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["therapist", "starts_at"], name="appointment_therapist_start"),
            models.Index(fields=["room", "starts_at"], name="appointment_room_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="appointment_end_after_start"),
            models.CheckConstraint(condition=Q(blocked_until__gte=F("ends_at")), name="appointment_blocked_after_end"),
            models.CheckConstraint(
                condition=~Q(status="held") | Q(hold_expires_at__isnull=False), name="appointment_hold_has_expiry"
            ),
            PostgresExclusionConstraint(
                name="appointment_no_therapist_overlap",
                expressions=[("therapist", RangeOperators.EQUAL), (_SESSION, RangeOperators.OVERLAPS)],
                condition=_ACTIVE,
            ),
            PostgresExclusionConstraint(
                name="appointment_no_room_overlap",
                expressions=[("room", RangeOperators.EQUAL), (_SESSION, RangeOperators.OVERLAPS)],
                condition=_ACTIVE,
            ),
        ]

    def __str__(self):
        return f"{self.service.name} with {self.therapist.name}, {clinic_when(self.starts_at, day_format='D j M Y')}"

    @property
    def is_active(self) -> bool:
        return self.status != self.Status.CANCELLED

    @property
    def has_intake(self) -> bool:
        return bool(
            self.intake_areas_to_avoid.strip()
            or self.intake_pregnant
            or self.intake_injuries.strip()
            or self.intake_medications.strip()
            or self.intake_allergies.strip()
        )


INTAKE_FIELDS = (
    "intake_areas_to_avoid",
    "intake_pregnant",
    "intake_injuries",
    "intake_medications",
    "intake_allergies",
)
# Health information: the intake, and the client's free-text notes, where people write health details
# too. Only those allowed to read intake (bookings.access) see, search or filter on these; erasure blanks them.
HEALTH_FIELDS = (*INTAKE_FIELDS, "notes")


# The booking history lives beside the bookings, in its own module; it is part of this app's models.
from .events import NOTE_ACTIONS, BookingEvent  # noqa: E402, F401
