"""Every write that uses up or frees a therapist's or room's time goes through here.

The pattern, for booking and moving alike, is core.locking's: open a transaction, lock the candidate
therapists' and the service's rooms' rows (and the booking being moved) with ``rows_lock``, re-check
availability, write. On PostgreSQL the exclusion constraints are the last line: a violation, known
by the constraint's name, becomes the same ``SlotTaken`` answer. Any other start the re-check refuses
is explained, under the same lock, by ``bookings.refusals.start_refusal``.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.postgres.constraints import ExclusionConstraint
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from clients.models import Client
from clients.services import ClientActor, IntakeAnswers, client_for_booking, client_intake_record
from core.constraints import violated_constraint
from core.httpcache import pages_changed
from core.locking import rows_lock
from core.queue import task_enqueue
from newsletter.interface import newsletter_opt_in

from .availability import slot_find, slots_nearest
from .emails import booking_emails_queue
from .history import Actor, appointment_state, booking_event_record, changes_between
from .models import INTAKE_FIELDS, Appointment, BookingEvent, BookingPolicy, Room, Service, Therapist
from .refusals import (
    BookingError,
    ChangeRefused,
    Reason,
    Refusal,
    SlotTaken,
    StartRefused,
    start_refusal,
    taken,
)
from .status import mark_refusal

logger = logging.getLogger(__name__)

OVERLAP_CONSTRAINTS = frozenset(
    constraint.name for constraint in Appointment._meta.constraints if isinstance(constraint, ExclusionConstraint)
)


@dataclass(frozen=True)
class ClientDetails:
    name: str
    email: str
    phone: str
    notes: str = ""
    areas_to_avoid: str = ""
    pregnant: bool = False
    injuries: str = ""
    medications: str = ""
    allergies: str = ""
    consent: bool = False


@dataclass(frozen=True)
class NewsletterOptIn:
    source_url: str
    consent_text: str
    ip_address: str | None = None


class _Unavailable(Exception):
    def __init__(self, refusal: Refusal):
        super().__init__(refusal.message)
        self.refusal = refusal


def _refused(refusal: Refusal, alternatives: list) -> StartRefused:
    """``SlotTaken`` for a time someone else holds, ``StartRefused`` for every other reason."""
    kind = SlotTaken if refusal.reason == Reason.TAKEN else StartRefused
    return kind(refusal, alternatives)


def _refusal_of(error: Exception, *, starts_at: datetime) -> Refusal:
    """The reason decided under the lock, or "just taken" when the database's constraint refused the write."""
    return error.refusal if isinstance(error, _Unavailable) else taken(starts_at)


def _require_offers(therapist: Therapist, service: Service) -> None:
    """Say so when the therapist does not give this service, rather than calling every time taken."""
    if not therapist.services.filter(pk=service.pk).exists():
        raise BookingError(f"{therapist.name} doesn't offer {service.name}. Choose another therapist.")


def _capacity(*, therapist: Therapist | None, service: Service) -> tuple[QuerySet, QuerySet]:
    """The rows a session of ``service`` uses up: its therapist (None: every one who gives it) and its rooms."""
    therapists = (
        Therapist.objects.filter(services=service) if therapist is None else Therapist.objects.filter(pk=therapist.pk)
    )
    return therapists, Room.objects.filter(services=service)


def _actor(*, by_client: bool, changed_by) -> Actor:
    return Actor.client() if by_client else Actor.staff(changed_by)


def _is_overlap_violation(error: IntegrityError) -> bool:
    return violated_constraint(error) in OVERLAP_CONSTRAINTS


def _notify(appointment: Appointment, event: str, *, moved_from: tuple[Therapist, datetime] | None = None) -> None:
    """Queue the emails in this transaction: they exist if and only if the change commits (core.outbox)."""
    booking_emails_queue(appointment=appointment, event=event, moved_from=moved_from)


def _on_commit_schedule_reminder(appointment: Appointment, *, policy: BookingPolicy, now: datetime) -> None:
    """Queue the reminder for ``start - lead time``; the task re-checks the booking when it runs."""
    run_after = appointment.starts_at - timedelta(hours=policy.reminder_lead_hours)
    if run_after <= now:
        return  # inside the lead time the confirmation email is the reminder
    kwargs = {"appointment_id": appointment.pk, "starts_at": appointment.starts_at.isoformat()}

    def enqueue() -> None:
        if not task_enqueue("bookings.reminder_send", run_after=run_after, **kwargs):
            logger.warning("Task backend cannot defer tasks; no reminder queued for appointment %s", appointment.pk)

    transaction.on_commit(enqueue)


def appointment_book(
    *,
    service: Service,
    therapist: Therapist | None,
    starts_at: datetime,
    client: ClientDetails,
    source: str = Appointment.Source.ONLINE,
    booked_by=None,
    ignore_notice: bool = False,
    newsletter: NewsletterOptIn | None = None,
    client_record: Client | None = None,
    allow_past: bool = False,
    now: datetime | None = None,
) -> Appointment:
    """Book ``service`` at ``starts_at`` with ``therapist`` (None: the fairest free one) and a free room.

    The booking joins ``client_record`` when staff chose one, or the record ``client_for_booking``
    finds or makes for the person; its intake becomes that record's newest.

    Raises ``SlotTaken`` (with the nearest free alternatives) when someone else holds the time,
    ``StartRefused`` with its reason when the rules do not allow that start (``bookings.refusals``),
    ``BookingError`` when the therapist does not give the service.
    """
    if therapist is not None:
        _require_offers(therapist, service)
    now = now or timezone.now()
    policy = BookingPolicy.current()
    options = {"policy": policy, "now": now, "ignore_notice": ignore_notice, "online_only": source == "online"}
    if allow_past and source != Appointment.Source.ONLINE:
        options["allow_past"] = True
    try:
        with transaction.atomic():
            rows_lock(*_capacity(therapist=therapist, service=service))
            slot = slot_find(service=service, therapist=therapist, starts_at=starts_at, **options)
            if slot is None:
                raise _Unavailable(start_refusal(service=service, therapist=therapist, starts_at=starts_at, **options))
            by_client = source == Appointment.Source.ONLINE
            record = client_record or client_for_booking(
                name=client.name,
                email=client.email,
                phone=client.phone,
                by_client=by_client,
                booked_by=booked_by,
                now=now,
            )
            appointment = Appointment.objects.create(
                client=record,
                service=service,
                therapist=slot.therapist,
                room_id=slot.room_id,
                starts_at=slot.start,
                ends_at=slot.end,
                blocked_until=slot.end + timedelta(minutes=service.cleanup_minutes),
                source=source,
                booked_by=booked_by,
                client_name=client.name,
                client_email=client.email,
                client_phone=client.phone,
                notes=client.notes,
                intake_areas_to_avoid=client.areas_to_avoid,
                intake_pregnant=client.pregnant,
                intake_injuries=client.injuries,
                intake_medications=client.medications,
                intake_allergies=client.allergies,
                consent_at=now if client.consent else None,
            )
            actor = Actor.client() if source == Appointment.Source.ONLINE else Actor.staff(booked_by)
            booking_event_record(
                appointment=appointment,
                action=BookingEvent.Action.BOOKED,
                actor=actor,
                at=now,
                changes=changes_between({}, appointment_state(appointment)),
            )
            client_intake_record(
                client=record,
                answers=_intake_answers(client),
                appointment_ref=appointment.pk,
                actor=ClientActor.client() if by_client else ClientActor.staff(booked_by),
                now=now,
            )
            if appointment.starts_at > now:  # a walk-in or a past session is told in person, not by email
                _notify(appointment, "booked")
            pages_changed("bookings")
            _on_commit_schedule_reminder(appointment, policy=policy, now=now)
            if newsletter is not None:
                transaction.on_commit(lambda: _newsletter_start(email=client.email, opt_in=newsletter))
    except (_Unavailable, IntegrityError) as error:
        if isinstance(error, IntegrityError) and not _is_overlap_violation(error):
            raise
        refusal = _refusal_of(error, starts_at=starts_at)
        alternatives = slots_nearest(service=service, therapist=therapist, around=refusal.around, **options)
        raise _refused(refusal, alternatives) from error
    return appointment


def _intake_answers(client: ClientDetails) -> IntakeAnswers:
    return IntakeAnswers(
        areas_to_avoid=client.areas_to_avoid,
        pregnant=client.pregnant,
        injuries=client.injuries,
        medications=client.medications,
        allergies=client.allergies,
        consent=client.consent,
    )


def _newsletter_start(*, email: str, opt_in: NewsletterOptIn) -> None:
    """Hand the opt-in to the newsletter app, which sends its own confirmation (double opt-in)."""
    newsletter_opt_in(
        email=email, source_url=opt_in.source_url, consent_text=opt_in.consent_text, ip_address=opt_in.ip_address
    )


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
        _require_offers(therapist, service)
    new_therapist = therapist or appointment.therapist
    options = {"policy": policy, "now": now, "ignore_notice": ignore_notice, "online_only": by_client}
    try:
        with transaction.atomic():
            rows_lock(
                Appointment.objects.filter(pk=appointment.pk), *_capacity(therapist=new_therapist, service=service)
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
                raise _Unavailable(
                    start_refusal(service=service, therapist=new_therapist, starts_at=starts_at, **options)
                )
            before = appointment_state(current)
            moved_from = (current.therapist, current.starts_at)
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
                actor=_actor(by_client=by_client, changed_by=changed_by),
                changes=changes_between(before, appointment_state(current)),
            )
            _notify(current, "moved", moved_from=moved_from)
            pages_changed("bookings")
            _on_commit_schedule_reminder(current, policy=policy, now=now)
    except (_Unavailable, IntegrityError) as error:
        if isinstance(error, IntegrityError) and not _is_overlap_violation(error):
            raise
        refusal = _refusal_of(error, starts_at=starts_at)
        alternatives = slots_nearest(
            service=service,
            therapist=new_therapist,
            around=refusal.around,
            exclude_appointment_id=appointment.pk,
            **options,
        )
        raise _refused(refusal, alternatives) from error
    return current


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
            actor=_actor(by_client=by_client, changed_by=changed_by),
            changes=changes_between(before, appointment_state(current)),
        )
        _notify(current, "cancelled")
        pages_changed("bookings")
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


def therapist_feed_key_rotate(*, therapist: Therapist) -> Therapist:
    """Give the therapist's calendar feed a new secret address; every old feed link stops working at once."""
    therapist.feed_key = Therapist._meta.get_field("feed_key").get_default()
    therapist.save(update_fields=["feed_key"])
    return therapist


DETAIL_FIELDS = ("client_name", "client_email", "client_phone", "notes", *INTAKE_FIELDS)


def appointment_details_update(
    *, appointment: Appointment, details: dict, changed_by, now: datetime | None = None
) -> Appointment:
    """Staff correct the client's contact details, notes or intake; the history records what changed
    (for intake, only that it changed)."""
    unknown = set(details) - set(DETAIL_FIELDS)
    if unknown:
        raise ValueError(f"Not a client detail: {', '.join(sorted(unknown))}")
    now = now or timezone.now()
    with transaction.atomic():
        current = Appointment.objects.select_for_update().get(pk=appointment.pk)
        before = appointment_state(current)
        for field, value in details.items():
            setattr(current, field, value)
        changes = changes_between(before, appointment_state(current))
        if not changes:
            return current
        current.save(update_fields=[*details, "updated_at"])
        booking_event_record(
            appointment=current,
            action=BookingEvent.Action.DETAILS_CHANGED,
            at=now,
            actor=Actor.staff(changed_by),
            changes=changes,
        )
    return current


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
        _notify(current, "reminder")
    return True
