"""Taking an offer: "first to accept wins", and it cannot double-book.

It follows core.locking's pattern, like every capacity write: open a transaction; lock, in one call,
the opening's row (so everyone answering one opening queues here), the therapist's and the
service's rooms' rows (so any other booking of that time queues too) and, for "move me earlier",
the booking that moves; re-read the offer; then write through the bookings services themselves
(``appointment_book`` or ``appointment_reschedule``), which re-check the time under the same lock
and let the database's overlap constraints be the last word. Every way an offer can no longer be
taken comes back as an ``Acceptance`` with a sentence for the person, never as an error.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bookings.capacity import capacity_rows
from bookings.history import Actor
from bookings.models import Appointment
from bookings.moves import appointment_reschedule
from bookings.payment_terms import payment_terms
from bookings.refusals import BookingError, SlotTaken
from bookings.services import ClientDetails, appointment_book
from core.clinictime import clinic_when
from core.locking import rows_lock
from core.paystep import payment_step_url

from .history import LAPSED, TAKEN, offer_history_record
from .models import Entry, Offer, Opening
from .offers import dispatch_later, entry_offers_withdraw

State = Offer.State


class Outcome(StrEnum):
    BOOKED = "booked"
    MOVED = "moved"
    TAKEN = "taken"
    LAPSED = "lapsed"
    ALREADY = "already"
    CLOSED = "closed"
    STALE = "stale"
    PAY = "pay"


PAY_MESSAGE = "We're holding this time for you while you pay. It's yours once the payment goes through."
STILL_ON_THE_LIST = "You're still on the list: we'll email you when another time opens up."
TAKEN_MESSAGE = "Someone just took that time — you're still on the list. We'll email you when another time opens up."


@dataclass(frozen=True)
class Acceptance:
    outcome: Outcome
    message: str
    appointment: Appointment | None = None

    @property
    def succeeded(self) -> bool:
        return self.outcome in (Outcome.BOOKED, Outcome.MOVED)


def _taken() -> Acceptance:
    return Acceptance(Outcome.TAKEN, TAKEN_MESSAGE)


def offer_refusal(offer: Offer, *, now: datetime) -> Acceptance | None:
    """Why ``offer`` cannot be taken now, as the person will read it; None while it can. Reads only."""
    entry = offer.entry
    if offer.state == State.ACCEPTED:
        return Acceptance(Outcome.ALREADY, "You've already taken this time: it's booked for you.", offer.appointment)
    if offer.state == State.TAKEN:
        return _taken()
    if offer.state == State.PAYING:
        if offer.appointment is not None and offer.appointment.status == Appointment.Status.HELD:
            return Acceptance(Outcome.PAY, PAY_MESSAGE, offer.appointment)
        return Acceptance(
            Outcome.CLOSED, f"The time was released because the payment was not completed. {STILL_ON_THE_LIST}"
        )
    if offer.state == State.LAPSED or (offer.state == State.OFFERED and offer.expires_at <= now):
        held = clinic_when(offer.expires_at, day_format="l j F")
        return Acceptance(
            Outcome.LAPSED,
            f"This offer lapsed: we held the time until {held}, then offered it to the next person. {STILL_ON_THE_LIST}",
        )
    if offer.state == State.WITHDRAWN or entry.state != Entry.State.WAITING:
        if entry.state == Entry.State.BOOKED:
            return Acceptance(Outcome.CLOSED, "This offer closed when you took another time from the waitlist.")
        if entry.state == Entry.State.LEFT:
            return Acceptance(Outcome.CLOSED, "This offer closed when you left the waitlist.")
        return Acceptance(Outcome.CLOSED, "This offer is no longer open.")
    return None


def _lapse(offer: Offer, *, now: datetime) -> None:
    offer.state, offer.decided_at = State.LAPSED, now
    offer.save(update_fields=["state", "decided_at"])
    offer_history_record(offer=offer, action=LAPSED)
    transaction.on_commit(lambda: dispatch_later(offer.opening_id))


def _blocked_end(offer: Offer) -> datetime:
    service = offer.entry.service
    return offer.starts_at + timedelta(minutes=service.duration_minutes + service.cleanup_minutes)


def _overlapping_offers_take(winner: Offer, *, appointment: Appointment, now: datetime) -> None:
    """Everyone else offered time the winner now holds has lost the race; the rest of the opening stays offered.

    An offer's time is its session plus its service's cleanup, with the same therapist, as a booking would
    block it; an offer of a later, non-overlapping start in a long opening is still good and still live.
    """
    others = (
        winner.opening.offers.filter(state=State.OFFERED, therapist_id=appointment.therapist_id)
        .exclude(pk=winner.pk)
        .select_related("entry__service")
    )
    lost = [
        offer.pk
        for offer in others
        if offer.starts_at < appointment.blocked_until and appointment.starts_at < _blocked_end(offer)
    ]
    Offer.objects.filter(pk__in=lost).update(state=State.TAKEN, decided_at=now)


def offer_accept(*, offer: Offer, now: datetime | None = None) -> Acceptance:
    """The person takes the offered time: book it (or move their booking to it) if nobody got there first."""
    now = now or timezone.now()
    entry = offer.entry
    capacity = capacity_rows(therapist=offer.therapist, service=entry.service)
    moving = Appointment.objects.filter(pk=entry.appointment_id)
    with transaction.atomic():
        rows_lock(Opening.objects.filter(pk=offer.opening_id), *capacity, moving)
        current = Offer.objects.select_related("entry", "entry__service", "therapist", "opening", "appointment").get(
            pk=offer.pk
        )
        entry = current.entry
        refusal = offer_refusal(current, now=now)
        if refusal is not None:
            if refusal.outcome == Outcome.LAPSED and current.state == State.OFFERED:
                _lapse(current, now=now)
            return refusal
        hold_until = payment_hold_until(entry, now=now)
        try:
            if entry.appointment_id is not None:
                appointment = appointment_reschedule(
                    appointment=Appointment.objects.get(pk=entry.appointment_id),
                    starts_at=current.starts_at,
                    therapist=current.therapist,
                    by_client=True,
                    now=now,
                )
            else:
                appointment = appointment_book(
                    service=entry.service,
                    therapist=current.therapist,
                    starts_at=current.starts_at,
                    client=ClientDetails(name=entry.name, email=entry.email, phone=entry.phone, consent=True),
                    now=now,
                    hold_until=hold_until,
                )
        except SlotTaken:
            current.state, current.decided_at = State.TAKEN, now
            current.save(update_fields=["state", "decided_at"])
            return _taken()
        except BookingError as refused:
            current.state, current.decided_at = State.WITHDRAWN, now
            current.save(update_fields=["state", "decided_at"])
            return Acceptance(Outcome.STALE, f"That time can't be booked online any more: {refused.message}")
        if hold_until is not None:
            # Held while they pay: the offer counts as taken only once the payment succeeds (waitlist.paid).
            current.state, current.appointment = State.PAYING, appointment
            current.save(update_fields=["state", "appointment"])
            return Acceptance(Outcome.PAY, PAY_MESSAGE, appointment)
        offer_won(current, appointment=appointment, now=now)
    outcome = Outcome.MOVED if entry.appointment_id is not None else Outcome.BOOKED
    when = clinic_when(appointment.starts_at, day_format="l j F")
    message = (
        f"Done: your booking has moved to {when}."
        if outcome == Outcome.MOVED
        else f"It's yours: {when} is booked for you."
    )
    return Acceptance(outcome, message, appointment)


def payment_hold_until(entry: Entry, *, now: datetime) -> datetime | None:
    """When a new booking from this offer must be paid for at booking (deposit, prepayment, card on file), the
    end of its payment hold, as the details form would set it; None when it is booked outright."""
    if entry.appointment_id is not None or not payment_terms(entry.service).takes_card or not payment_step_url():
        return None
    return now + timedelta(minutes=settings.PAYMENT_HOLD_MINUTES)


def offer_won(offer: Offer, *, appointment: Appointment, now: datetime) -> None:
    """The offer's time is the person's (booked, moved, or paid for): record it, inside the caller's lock."""
    entry = offer.entry
    # The opening's offers are written in primary-key order, so writers never deadlock on each
    # other's rows, even with the opening's lock switched off (the concurrency test's control).
    list(Offer.objects.select_for_update().filter(opening=offer.opening_id).order_by("pk").values("pk"))
    _overlapping_offers_take(offer, appointment=appointment, now=now)
    offer.state, offer.decided_at, offer.appointment = State.ACCEPTED, now, appointment
    offer.save(update_fields=["state", "decided_at", "appointment"])
    if entry.state == Entry.State.WAITING:
        entry.state, entry.booked = Entry.State.BOOKED, appointment
        entry.save(update_fields=["state", "booked", "updated_at"])
    entry_offers_withdraw(entry=entry, now=now, keep=offer)
    offer_history_record(offer=offer, action=TAKEN, actor=Actor.client(), also=appointment.pk)
    transaction.on_commit(lambda: dispatch_later(offer.opening_id))
