"""Booking a session, and staff's corrections to a booking's details.

Booking follows the one pattern of every write that uses up a therapist's or room's time (bookings.capacity):
lock, re-check availability, write; a refused start comes back as ``SlotTaken`` or ``StartRefused``.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from clients.models import Client
from clients.services import ClientActor, IntakeAnswers, client_for_booking, client_intake_record
from core.httpcache import pages_changed
from core.locking import rows_lock
from newsletter.interface import newsletter_opt_in

from .availability import slot_find, slots_nearest
from .capacity import Unavailable, capacity_rows, is_overlap_violation, refusal_of, refused, require_offers
from .emails import booking_emails_queue
from .history import Actor, appointment_state, booking_event_record, changes_between
from .holds import holds_release_overlapping
from .models import INTAKE_FIELDS, Appointment, BookingEvent, BookingPolicy, Service, Therapist
from .payment_terms import terms_to_keep
from .refusals import start_refusal
from .reminders import reminder_schedule_on_commit


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

    @classmethod
    def from_form(cls, data: Mapping) -> "ClientDetails":
        """What a booking form collected, the same from the public details step and the front desk."""
        return cls(
            name=data["name"].strip(),
            email=data["email"],
            phone=data["phone"].strip(),
            **{field: data[field] for field in FORM_ANSWERS},
        )


# What a client answers on a booking form besides their name, email and phone.
FORM_ANSWERS = ("notes", "areas_to_avoid", "pregnant", "injuries", "medications", "allergies", "consent")


@dataclass(frozen=True)
class NewsletterOptIn:
    source_url: str
    consent_text: str
    ip_address: str | None = None


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
    hold_until: datetime | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Book ``service`` at ``starts_at`` with ``therapist`` (None: the fairest free one) and a free room.

    The booking joins ``client_record`` when staff chose one, or the record ``client_for_booking``
    finds or makes for the person; its intake becomes that record's newest.

    Raises ``SlotTaken`` (with the nearest free alternatives) when someone else holds the time,
    ``StartRefused`` with its reason when the rules do not allow that start (``bookings.refusals``),
    ``BookingError`` when the therapist does not give the service.

    With ``hold_until`` the booking is a payment hold (bookings.holds) until then: its time is
    kept, but no booking email or reminder goes out until ``appointment_hold_confirm``; a newsletter
    opt-in ticked on the details form is started at once (its own double opt-in confirms it).
    """
    if therapist is not None:
        require_offers(therapist, service)
    now = now or timezone.now()
    policy = BookingPolicy.current()
    options = {"policy": policy, "now": now, "ignore_notice": ignore_notice, "online_only": source == "online"}
    if allow_past and source != Appointment.Source.ONLINE:
        options["allow_past"] = True
    try:
        with transaction.atomic():
            rows_lock(*capacity_rows(therapist=therapist, service=service))
            slot = slot_find(service=service, therapist=therapist, starts_at=starts_at, **options)
            if slot is None:
                raise Unavailable(start_refusal(service=service, therapist=therapist, starts_at=starts_at, **options))
            holds_release_overlapping(
                therapist_id=slot.therapist.pk,
                room_id=slot.room_id,
                starts_at=slot.start,
                blocked_until=slot.end + timedelta(minutes=service.cleanup_minutes),
                now=now,
            )
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
                status=Appointment.Status.HELD if hold_until else Appointment.Status.BOOKED,
                hold_expires_at=hold_until,
                terms_agreed=terms_to_keep(service),
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
            pages_changed("bookings")
            if hold_until is None:
                if appointment.starts_at > now:  # a walk-in or a past session is told in person, not by email
                    booking_emails_queue(appointment=appointment, event="booked")
                reminder_schedule_on_commit(appointment, policy=policy, now=now)
            if newsletter is not None:  # asked for on the details form, whether or not the payment follows
                transaction.on_commit(lambda: _newsletter_start(email=client.email, opt_in=newsletter))
    except (Unavailable, IntegrityError) as error:
        if isinstance(error, IntegrityError) and not is_overlap_violation(error):
            raise
        refusal = refusal_of(error, starts_at=starts_at)
        alternatives = slots_nearest(service=service, therapist=therapist, around=refusal.around, **options)
        raise refused(refusal, alternatives) from error
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
