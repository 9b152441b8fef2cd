"""Changing a booking's status without taking new time: cancelling it, and staff recording how a session went.

Each locks the booking's row, re-checks the rule that allows the change, writes, and records it in the history.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from core.httpcache import pages_changed

from .emails import booking_emails_queue
from .history import Actor, appointment_state, booking_event_record, changes_between
from .models import Appointment, BookingEvent, BookingPolicy
from .refusals import ChangeRefused
from .signals import appointment_cancelled, booking_change_announce, time_freed_announce
from .status import mark_refusal


def client_change_refusal(appointment: Appointment, *, policy: BookingPolicy, now: datetime) -> str | None:
    """Why the client cannot cancel or move this booking online any more, or None when they can."""
    if appointment.status != Appointment.Status.BOOKED:
        return f"This booking is {appointment.get_status_display().lower()}, so it cannot be changed online."
    if appointment.starts_at - now < timedelta(hours=policy.cancel_cutoff_hours):
        return (
            f"Bookings can be changed online until {policy.cancel_cutoff_hours} hours before they start. "
            "Please call us instead."
        )
    return None


def appointment_cancel(
    *, appointment: Appointment, by_client: bool, changed_by=None, reason: str = "", now: datetime | None = None
) -> Appointment:
    """Cancel a booking; it stays on record with its status (and staff's ``reason``) and its time is free at once."""
    now = now or timezone.now()
    policy = BookingPolicy.current()
    with transaction.atomic():
        current = Appointment.objects.select_for_update().get(pk=appointment.pk)
        refusal = client_change_refusal(current, policy=policy, now=now) if by_client else None
        if refusal is None and current.status != Appointment.Status.BOOKED:
            refusal = "Only booked sessions can be cancelled."
        if refusal:
            raise ChangeRefused(refusal)
        late = current.starts_at - now < timedelta(hours=policy.cancel_cutoff_hours)
        before = appointment_state(current)
        current.status = Appointment.Status.CANCELLED
        current.cancelled_at = now
        current.cancel_reason = reason.strip()[:200]
        current.sequence += 1
        current.save()
        booking_event_record(
            appointment=current,
            action=BookingEvent.Action.CANCELLED,
            at=now,
            actor=Actor.client() if by_client else Actor.staff(changed_by),
            changes=changes_between(before, appointment_state(current)),
        )
        booking_emails_queue(appointment=current, event="cancelled")
        pages_changed("bookings")
        time_freed_announce(
            therapist_id=current.therapist_id,
            starts_at=current.starts_at,
            ends_at=current.blocked_until,
            reason="cancelled",
            appointment_id=current.pk,
        )
        booking_change_announce(
            appointment_cancelled,
            appointment_id=current.pk,
            by_client=by_client,
            late=late,
            actor_id=getattr(changed_by, "pk", None),
        )
    return current


def appointment_mark(
    *, appointment: Appointment, status: str, changed_by=None, now: datetime | None = None
) -> Appointment:
    """Staff record how a session went, when ``bookings.status.mark_refusal`` allows it."""
    now = now or timezone.now()
    with transaction.atomic():
        current = Appointment.objects.select_for_update().get(pk=appointment.pk)
        refusal = mark_refusal(current, status=status, now=now)
        if refusal:
            raise ChangeRefused(refusal)
        if current.status == status:
            return current  # a second click on the same button changes nothing
        before = appointment_state(current)
        current.status = status
        current.save(update_fields=["status", "updated_at"])
        booking_event_record(
            appointment=current,
            action=BookingEvent.Action.MARKED,
            at=now,
            actor=Actor.staff(changed_by),
            changes=changes_between(before, appointment_state(current)),
        )
    return current


def appointment_status_set(
    *, appointment: Appointment, status: str, changed_by=None, now: datetime | None = None
) -> Appointment:
    """Staff set a booking's status by hand (the admin's status field): cancel it, or record how it went.

    A cancelled or finished booking never goes back to booked: booking it again re-checks that the time is free.
    """
    if status == Appointment.Status.CANCELLED:
        return appointment_cancel(appointment=appointment, by_client=False, changed_by=changed_by, now=now)
    if status == Appointment.Status.BOOKED:
        current = Appointment.objects.get(pk=appointment.pk)
        if current.status != Appointment.Status.BOOKED:
            raise ChangeRefused("A cancelled or finished booking cannot be set back to booked; book it again.")
        return current
    return appointment_mark(appointment=appointment, status=status, changed_by=changed_by, now=now)
