"""Payment holds: a booking kept for a client while they pay, confirmed when the payment succeeds.

A hold is an appointment with status ``held`` and a ``hold_expires_at``. While it is live, the
availability counts its time as taken; once it has run out, the availability offers the time again
at once (``AppointmentQuerySet.active``), and the hold is released (cancelled, its time announced as
freed): by the next booking or move that wants that time, inside its lock and before its write, so
PostgreSQL's exclusion constraints never see the two overlap; by ``holds_release_expired``, which a
repeating task runs; or when the client gives up.

A hold that is still ``held`` when its payment succeeds is confirmed even a little after its
expiry: nobody else can have its time without releasing it first. Once released it can never be
confirmed, and the payment is given back (payments listens to ``hold_released``).
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.httpcache import pages_changed

from .emails import booking_emails_queue
from .history import Actor, appointment_state, booking_event_record, changes_between
from .models import Appointment, BookingEvent, BookingPolicy
from .refusals import ChangeRefused
from .reminders import reminder_schedule_on_commit
from .signals import booking_change_announce, hold_confirmed, hold_released, time_freed_announce

HOLD_RELEASED_REASON = "Payment not completed"


class HoldLost(ChangeRefused):
    """The hold ran out and its time was given to someone else, or the client gave it up."""


def _release(appointment: Appointment, *, now: datetime, reason: str) -> None:
    before = appointment_state(appointment)
    appointment.status = Appointment.Status.CANCELLED
    appointment.cancelled_at = now
    appointment.cancel_reason = reason
    appointment.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    booking_event_record(
        appointment=appointment,
        action=BookingEvent.Action.CANCELLED,
        at=now,
        actor=Actor.system(),
        changes=changes_between(before, appointment_state(appointment)),
    )
    time_freed_announce(
        therapist_id=appointment.therapist_id,
        starts_at=appointment.starts_at,
        ends_at=appointment.blocked_until,
        reason="hold released",
        appointment_id=appointment.pk,
    )
    booking_change_announce(hold_released, appointment_id=appointment.pk)


def holds_release_overlapping(
    *, therapist_id: int, room_id: int, starts_at: datetime, blocked_until: datetime, now: datetime
) -> int:
    """Release the run-out holds in the way of a new session. Call inside the booking's lock, before its write."""
    expired = (
        Appointment.objects.holds_expired(now)
        .filter(Q(therapist_id=therapist_id) | Q(room_id=room_id), starts_at__lt=blocked_until)
        .filter(blocked_until__gt=starts_at)
        .select_for_update()
    )
    released = 0
    for hold in expired:
        _release(hold, now=now, reason=HOLD_RELEASED_REASON)
        released += 1
    return released


def holds_release_expired(*, now: datetime | None = None) -> int:
    """Release every hold that has run out (the repeating task's work); returns how many."""
    now = now or timezone.now()
    released = 0
    for pk in Appointment.objects.holds_expired(now).values_list("pk", flat=True):
        with transaction.atomic():
            hold = Appointment.objects.select_for_update().holds_expired(now).filter(pk=pk).first()
            if hold is not None:
                _release(hold, now=now, reason=HOLD_RELEASED_REASON)
                released += 1
    if released:
        pages_changed("bookings")
    return released


def appointment_hold_release(*, appointment: Appointment, reason: str = HOLD_RELEASED_REASON, now=None) -> bool:
    """Give up a hold now (the client walked away, or the payment failed for good). False if it was not held."""
    now = now or timezone.now()
    with transaction.atomic():
        current = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if current.status != Appointment.Status.HELD:
            return False
        _release(current, now=now, reason=reason)
        pages_changed("bookings")
    return True


def appointment_hold_confirm(*, appointment: Appointment, now: datetime | None = None) -> Appointment:
    """Turn a hold into a booking once it is paid for: the confirmation email and reminder go out as for any booking.

    Confirming twice changes nothing; a hold already released raises ``HoldLost``.
    """
    now = now or timezone.now()
    with transaction.atomic():
        current = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if current.status == Appointment.Status.BOOKED and current.hold_expires_at is None:
            return current
        if current.status != Appointment.Status.HELD:
            raise HoldLost("The time held for you was released before the payment went through.")
        before = appointment_state(current)
        current.status = Appointment.Status.BOOKED
        current.hold_expires_at = None
        current.save(update_fields=["status", "hold_expires_at", "updated_at"])
        booking_event_record(
            appointment=current,
            action=BookingEvent.Action.BOOKED,
            at=now,
            actor=Actor.client(),
            changes=changes_between(before, appointment_state(current)),
        )
        if current.starts_at > now:
            booking_emails_queue(appointment=current, event="booked")
        pages_changed("bookings")
        reminder_schedule_on_commit(current, policy=BookingPolicy.current(), now=now)
        booking_change_announce(hold_confirmed, appointment_id=current.pk)
    return current
