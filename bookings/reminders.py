"""Reminders: queued for ``start - lead time`` when a booking is made or moved, sent if the booking still applies."""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from core.queue import task_enqueue

from .emails import booking_emails_queue
from .models import Appointment, BookingPolicy

logger = logging.getLogger(__name__)


def reminder_schedule_on_commit(appointment: Appointment, *, policy: BookingPolicy, now: datetime) -> None:
    """Queue the reminder for ``start - lead time``; the task re-checks the booking when it runs."""
    run_after = appointment.starts_at - timedelta(hours=policy.reminder_lead_hours)
    if run_after <= now:
        return  # inside the lead time the confirmation email is the reminder
    kwargs = {"appointment_id": appointment.pk, "starts_at": appointment.starts_at.isoformat()}

    def enqueue() -> None:
        if not task_enqueue("bookings.reminder_send", run_after=run_after, **kwargs):
            logger.warning("Task backend cannot defer tasks; no reminder queued for appointment %s", appointment.pk)

    transaction.on_commit(enqueue)


def appointment_remind(*, appointment_id: int, starts_at: datetime, now: datetime | None = None) -> bool:
    """Send the reminder if the booking is still active, still at ``starts_at`` and not yet reminded.

    The row lock makes a second run (a retried or duplicated task) see ``reminded_at`` and stop.
    ``reminded_at`` records the decision to remind; the email itself is queued in the outbox in the
    same transaction, so it is sent, retried and given up on like every other email (core.outbox).
    """
    now = now or timezone.now()
    with transaction.atomic():
        current = Appointment.objects.select_for_update().filter(pk=appointment_id).first()
        if (
            current is None
            or current.status != Appointment.Status.BOOKED
            or current.starts_at != starts_at
            or current.reminded_at is not None
            or current.starts_at <= now
        ):
            return False
        current.reminded_at = now
        current.save(update_fields=["reminded_at", "updated_at"])
        booking_emails_queue(appointment=current, event="reminder")
    return True
