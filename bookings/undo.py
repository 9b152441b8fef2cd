"""The front desk's changes on the day: checking a client in, and taking back the last change for a short while.

Undo is one rule for every change it covers: only the newest entry in the booking's history,
only within ``UNDO_WINDOW``, and only by re-checking what the change gave up (a cancelled
session's time must still be free). It follows core.locking's pattern, like every capacity write.
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from core.httpcache import pages_changed
from core.locking import rows_lock

from .availability import clinic_tz
from .emails import booking_emails_queue
from .history import Actor, appointment_state, booking_event_record, changes_between
from .models import NOTE_ACTIONS, Appointment, BookingEvent, Room, Therapist
from .refusals import ChangeRefused, Reason, start_refusal

UNDO_WINDOW = timedelta(minutes=10)
UNDOABLE = (BookingEvent.Action.CANCELLED, BookingEvent.Action.MARKED, BookingEvent.Action.ARRIVED)
_STATUS_BY_LABEL = {label: value for value, label in Appointment.Status.choices}


def appointment_check_in(*, appointment: Appointment, changed_by, now: datetime | None = None) -> Appointment:
    """The client has arrived for today's session."""
    now = now or timezone.now()
    with transaction.atomic():
        current = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if current.status != Appointment.Status.BOOKED:
            raise ChangeRefused(f"This session is {current.get_status_display().lower()}, so it cannot be checked in.")
        if current.arrived_at is not None:
            return current
        tz = clinic_tz()
        if current.starts_at.astimezone(tz).date() != now.astimezone(tz).date():
            raise ChangeRefused("A client can be checked in on the day of their session only.")
        before = appointment_state(current)
        current.arrived_at = now
        current.save(update_fields=["arrived_at", "updated_at"])
        booking_event_record(
            appointment=current,
            action=BookingEvent.Action.ARRIVED,
            actor=Actor.staff(changed_by),
            at=now,
            changes=changes_between(before, appointment_state(current)),
        )
    return current


def latest_change(appointment: Appointment) -> BookingEvent | None:
    """The booking's newest change, the one undo would take back; notes such as waitlist offers are not changes."""
    return appointment.events.exclude(action__in=NOTE_ACTIONS).order_by("-at", "-pk").first()


def undo_refusal(appointment: Appointment, event: BookingEvent | None, *, now: datetime) -> str | None:
    """Why ``event`` cannot be undone now, or None when it can (the rule the desk's button and the service share)."""
    if event is None or event.action not in UNDOABLE:
        return "Only a cancel, a check-in or a completed or no-show mark can be undone."
    if now - event.at > UNDO_WINDOW:
        minutes = int(UNDO_WINDOW.total_seconds() // 60)
        return f"A change can be undone for {minutes} minutes; this one is older. Book the session again instead."
    return None


def appointment_undo(*, appointment: Appointment, changed_by, now: datetime | None = None) -> Appointment:
    """Take back the booking's newest change (see ``undo_refusal``); the history keeps both entries."""
    now = now or timezone.now()
    with transaction.atomic():
        rows_lock(
            Appointment.objects.filter(pk=appointment.pk),
            Therapist.objects.filter(pk=appointment.therapist_id),
            Room.objects.filter(pk=appointment.room_id),
        )
        current = Appointment.objects.select_related("service", "therapist", "room").get(pk=appointment.pk)
        event = latest_change(current)
        refusal = undo_refusal(current, event, now=now)
        if refusal:
            raise ChangeRefused(refusal)
        before = appointment_state(current)
        if event.action == BookingEvent.Action.CANCELLED:
            _require_time_still_free(current)
            current.status = Appointment.Status.BOOKED
            current.cancelled_at = None
            current.cancel_reason = ""
            current.sequence += 1
        elif event.action == BookingEvent.Action.MARKED:
            previous = event.changes.get("status", [None])[0]
            current.status = _STATUS_BY_LABEL.get(previous, Appointment.Status.BOOKED)
        else:
            current.arrived_at = None
        try:
            with transaction.atomic():
                current.save()
        except IntegrityError as error:  # PostgreSQL's exclusion constraints: booked meanwhile after all
            raise ChangeRefused(_TAKEN) from error
        booking_event_record(
            appointment=current,
            action=BookingEvent.Action.UNDONE,
            actor=Actor.staff(changed_by),
            at=now,
            changes={"undid": event.get_action_display(), **changes_between(before, appointment_state(current))},
        )
        if event.action == BookingEvent.Action.CANCELLED:
            if current.starts_at > now:
                booking_emails_queue(appointment=current, event="booked")  # the client had been told it was off
            pages_changed("bookings")
    return current


_TAKEN = "That time has been booked for someone else since the cancel, so it cannot be undone. Book another time."


def _require_time_still_free(appointment: Appointment) -> None:
    clash = (
        Appointment.objects.active()
        .filter(Q(therapist_id=appointment.therapist_id) | Q(room_id=appointment.room_id))
        .filter(starts_at__lt=appointment.blocked_until, blocked_until__gt=appointment.starts_at)
        .exclude(pk=appointment.pk)
    )
    if clash.exists():
        raise ChangeRefused(_TAKEN)
    # The time is free; the booking rules decide whether it is still bookable (closures, time off,
    # working hours, the service itself). Notice, advance and the past don't apply to taking back a cancel.
    refusal = start_refusal(
        service=appointment.service,
        therapist=appointment.therapist,
        starts_at=appointment.starts_at,
        ignore_notice=True,
        online_only=False,
        allow_past=True,
    )
    if refusal.reason != Reason.TAKEN:
        raise ChangeRefused(f"The cancel can't be undone now: {refusal.message}")
