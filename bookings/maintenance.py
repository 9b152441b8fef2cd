"""Scheduled housekeeping for bookings: erasing old intake answers and catching up missed reminders.

Both run from self-repeating tasks (bookings.tasks) and are safe to run any number of times.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, OuterRef, Q, Subquery
from django.dispatch import Signal
from django.utils import timezone

from clients.models import Client, ClientEvent, ClientIntake
from clients.services import ClientActor, client_health_erase

from .history import Actor, booking_event_record
from .models import HEALTH_FIELDS, Appointment, BookingEvent, BookingPolicy
from .reminders import appointment_remind

# Sent by the daily retention run with its ``now`` and ``cutoff``, so the apps above bookings that hold
# personal data (the waitlist) erase theirs by the same rule, without bookings knowing them.
retention_due = Signal()

# The client's free-text notes go with the intake: people write health details there too.
BLANK_INTAKE = {field: False if field == "intake_pregnant" else "" for field in HEALTH_FIELDS}
HAS_INTAKE = Q(intake_pregnant=True) | ~Q(
    intake_areas_to_avoid="", intake_injuries="", intake_medications="", intake_allergies="", notes=""
)


def appointment_intake_erase_expired(*, now: datetime | None = None, batch_size: int = 500) -> int:
    """Blank the intake answers and notes of sessions that ended more than ``INTAKE_RETENTION_DAYS`` ago.

    The booking itself (time, therapist, client, status) stays on record; its history gains an
    "intake erased" entry by the system. Returns how many appointments were erased.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.INTAKE_RETENTION_DAYS)
    expired = Appointment.objects.filter(HAS_INTAKE, ends_at__lt=cutoff)
    erased = 0
    while True:
        with transaction.atomic():
            batch = list(expired.select_for_update().order_by("pk")[:batch_size])
            for appointment in batch:
                for field, blank in BLANK_INTAKE.items():
                    setattr(appointment, field, blank)
                appointment.save(update_fields=[*BLANK_INTAKE, "updated_at"])
                booking_event_record(
                    appointment=appointment,
                    action=BookingEvent.Action.INTAKE_ERASED,
                    actor=Actor.system(),
                    at=now,
                    changes={"intake": "erased"},
                )
        erased += len(batch)
        if len(batch) < batch_size:
            break
    client_health_erase_expired(now=now, cutoff=cutoff)
    retention_due.send(sender=Appointment, now=now, cutoff=cutoff)
    return erased


def client_health_erase_expired(*, now: datetime, cutoff: datetime) -> int:
    """The client records' part of the retention rule: intake history and staff notes.

    A client whose last session ended before ``cutoff`` (or who never had one, on a record that old)
    loses their notes and every intake step; a client still coming keeps their newest intake, and
    loses only the older steps given before ``cutoff``. Returns how many records were erased whole.
    """
    expired = (
        Client.objects.filter(Q(intakes__isnull=False) | ~Q(notes=""), created_at__lt=cutoff)
        .annotate(last_ends=Max("appointments__ends_at"))
        .filter(Q(last_ends__lt=cutoff) | Q(last_ends=None))
        .distinct()
    )
    count = 0
    for client_id in expired.values_list("pk", flat=True):
        with transaction.atomic():
            client = Client.objects.select_for_update().get(pk=client_id)
            client_health_erase(client=client, actor=ClientActor.system(), action=ClientEvent.Action.RETENTION, now=now)
        count += 1
    newest = ClientIntake.objects.filter(client=OuterRef("client")).order_by("-taken_at", "-pk").values("pk")[:1]
    ClientIntake.objects.filter(taken_at__lt=cutoff).exclude(pk=Subquery(newest)).delete()
    return count


def appointment_reminders_catch_up(*, now: datetime | None = None) -> int:
    """Send reminders that are due but were never sent, for example because a worker died holding the task.

    Only bookings made (or last changed) before their reminder time qualify: for later ones the
    confirmation email served as the reminder. ``appointment_remind`` locks and re-checks, so this
    never duplicates a reminder the regular task sends at the same moment.
    """
    now = now or timezone.now()
    lead = timedelta(hours=BookingPolicy.current().reminder_lead_hours)
    due = Appointment.objects.filter(
        status=Appointment.Status.BOOKED,
        reminded_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + lead,
        updated_at__lte=F("starts_at") - lead,
    )
    sent = 0
    for appointment_id, starts_at in due.values_list("pk", "starts_at"):
        sent += appointment_remind(appointment_id=appointment_id, starts_at=starts_at, now=now)
    return sent


def appointments_personal_erase(*, client: Client, changed_by, now: datetime | None = None) -> int:
    """A client's erasure request, for their bookings: name, contact details, notes and intake are blanked.

    The sessions stay (times, therapists, status), so the books and the schedule's history still
    add up; each booking's history records the erasure and who made it. Returns how many bookings.
    """
    now = now or timezone.now()
    blank = {
        **BLANK_INTAKE,
        "client_name": "Erased client",
        "client_email": "",
        "client_phone": "",
        "cancel_reason": "",
    }
    count = 0
    for appointment in Appointment.objects.select_for_update().filter(client=client).order_by("pk"):
        for field, value in blank.items():
            setattr(appointment, field, value)
        appointment.save(update_fields=[*blank, "updated_at"])
        booking_event_record(
            appointment=appointment,
            action=BookingEvent.Action.DETAILS_CHANGED,
            actor=Actor.staff(changed_by),
            at=now,
            changes={"client data": "erased on request"},
        )
        count += 1
    return count
