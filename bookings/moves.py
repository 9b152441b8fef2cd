"""Moving a booking to another time or therapist, under the same lock-and-re-check as booking it (bookings.capacity)."""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.httpcache import pages_changed
from core.locking import rows_lock

from .availability import slot_find, slots_nearest
from .capacity import Unavailable, capacity_rows, is_overlap_violation, refusal_of, refused, require_offers
from .emails import booking_emails_queue
from .history import Actor, appointment_state, booking_event_record, changes_between
from .holds import holds_release_overlapping
from .models import Appointment, BookingEvent, BookingPolicy, Therapist
from .refusals import ChangeRefused, start_refusal
from .reminders import reminder_schedule_on_commit
from .signals import appointment_moved, booking_change_announce, time_freed_announce
from .status_changes import client_change_refusal


def appointment_reschedule(
    *,
    appointment: Appointment,
    starts_at: datetime,
    therapist: Therapist | None = None,
    by_client: bool,
    changed_by=None,
    ignore_notice: bool = False,
    now: datetime | None = None,
) -> Appointment:
    """Move a booking atomically: the new time is taken in the same transaction that frees the old one.

    The calendar UID stays; the sequence grows; the reminder is queued again for the new time.
    ``therapist`` None keeps the current therapist. ``changed_by`` is the staff user when ``by_client`` is False.
    """
    now = now or timezone.now()
    policy = BookingPolicy.current()
    service = appointment.service
    if therapist is not None and therapist.pk != appointment.therapist_id:
        require_offers(therapist, service)
    new_therapist = therapist or appointment.therapist
    options = {"policy": policy, "now": now, "ignore_notice": ignore_notice, "online_only": by_client}
    try:
        with transaction.atomic():
            rows_lock(
                Appointment.objects.filter(pk=appointment.pk), *capacity_rows(therapist=new_therapist, service=service)
            )
            current = Appointment.objects.get(pk=appointment.pk)
            refusal = client_change_refusal(current, policy=policy, now=now) if by_client else None
            if refusal is None and current.status != Appointment.Status.BOOKED:
                refusal = "Only booked sessions can be moved."
            if refusal:
                raise ChangeRefused(refusal)
            slot = slot_find(
                service=service,
                therapist=new_therapist,
                starts_at=starts_at,
                exclude_appointment_id=current.pk,
                **options,
            )
            if slot is None:
                raise Unavailable(
                    start_refusal(service=service, therapist=new_therapist, starts_at=starts_at, **options)
                )
            holds_release_overlapping(
                therapist_id=slot.therapist.pk,
                room_id=slot.room_id,
                starts_at=slot.start,
                blocked_until=slot.end + timedelta(minutes=service.cleanup_minutes),
                now=now,
            )
            before = appointment_state(current)
            moved_from = (current.therapist, current.starts_at)
            freed = (current.therapist_id, current.starts_at, current.blocked_until)
            current.therapist = slot.therapist
            current.room_id = slot.room_id
            current.starts_at = slot.start
            current.ends_at = slot.end
            current.blocked_until = slot.end + timedelta(minutes=service.cleanup_minutes)
            current.sequence += 1
            current.reminded_at = None
            current.save()
            booking_event_record(
                appointment=current,
                action=BookingEvent.Action.MOVED,
                at=now,
                actor=Actor.client() if by_client else Actor.staff(changed_by),
                changes=changes_between(before, appointment_state(current)),
            )
            booking_emails_queue(appointment=current, event="moved", moved_from=moved_from)
            pages_changed("bookings")
            time_freed_announce(
                therapist_id=freed[0], starts_at=freed[1], ends_at=freed[2], reason="moved", appointment_id=current.pk
            )
            reminder_schedule_on_commit(current, policy=policy, now=now)
            booking_change_announce(appointment_moved, appointment_id=current.pk, by_client=by_client)
    except (Unavailable, IntegrityError) as error:
        if isinstance(error, IntegrityError) and not is_overlap_violation(error):
            raise
        refusal = refusal_of(error, starts_at=starts_at)
        alternatives = slots_nearest(
            service=service,
            therapist=new_therapist,
            around=refusal.around,
            exclude_appointment_id=appointment.pk,
            **options,
        )
        raise refused(refusal, alternatives) from error
    return current
