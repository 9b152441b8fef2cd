"""The waitlist's lines in the booking history (bookings.history): offers, acceptances and lapses.

An offer is written on the booking whose cancellation or move freed the time, and for "move me
earlier" on the booking that would move; an acceptance also on the booking it made. Time freed
without a booking behind it (time off removed, new hours) has no booking history to write in:
the offer's own row (``Offer.offered_at``, ``decided_at``, ``state``) is its record.
"""

from bookings.history import Actor, booking_event_record
from bookings.models import Appointment, BookingEvent
from core.clinictime import clinic_when

from .models import Offer

OFFERED = BookingEvent.Action.WAITLIST_OFFERED
TAKEN = BookingEvent.Action.WAITLIST_TAKEN
LAPSED = BookingEvent.Action.WAITLIST_LAPSED
_LABELS = {OFFERED: "offer", TAKEN: "taken", LAPSED: "lapsed"}


def _described(offer: Offer) -> str:
    return f"{clinic_when(offer.starts_at, day_format='D j M')} with {offer.therapist.name} to {offer.entry.name}"


def offer_history_record(*, offer: Offer, action: str, actor: Actor | None = None, also: int | None = None) -> None:
    """Write ``action`` about ``offer`` into the history of every booking it concerns (and booking ``also``)."""
    targets = dict.fromkeys(
        pk for pk in (offer.opening.source_appointment_id, offer.entry.appointment_id, also) if pk is not None
    )
    for appointment_id in targets:
        booking_event_record(
            appointment=Appointment(pk=appointment_id),
            action=action,
            actor=actor or Actor.system(),
            at=offer.decided_at or offer.offered_at,
            changes={_LABELS[action]: _described(offer)},
        )
