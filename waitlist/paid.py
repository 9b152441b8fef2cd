"""An offer of a service paid for at booking: held while the person pays, taken once they have paid.

Taking such an offer books the time as a payment hold (waitlist.accept) and leaves the offer
``paying``. Bookings tells, once committed, how the hold ended: ``hold_confirmed`` (the payment went
through: the offer is accepted, the entry booked, the others offered that time have lost the race) or
``hold_released`` (the hold ran out or the person gave up: the offer is closed, the entry keeps
waiting, and the time, announced as freed by bookings, goes to the next person).
"""

import logging

from django.db import transaction
from django.utils import timezone

from bookings.models import Appointment
from core.locking import rows_lock

from .accept import offer_won
from .history import LAPSED, offer_history_record
from .models import Offer, Opening

logger = logging.getLogger(__name__)
State = Offer.State


def _paying_offer(appointment_id: int) -> Offer | None:
    return (
        Offer.objects.select_related("entry", "entry__service", "therapist", "opening")
        .filter(appointment_id=appointment_id, state=State.PAYING)
        .first()
    )


def offer_paid(*, appointment_id: int, now=None) -> bool:
    """The held booking of a ``paying`` offer was paid for: the offer is taken. False when none was paying."""
    now = now or timezone.now()
    found = _paying_offer(appointment_id)
    if found is None:
        return False
    with transaction.atomic():
        rows_lock(Opening.objects.filter(pk=found.opening_id))
        offer = _paying_offer(appointment_id)
        if offer is None:
            return False
        offer_won(offer, appointment=Appointment.objects.get(pk=appointment_id), now=now)
    return True


def offer_payment_dropped(*, appointment_id: int, now=None) -> bool:
    """The held booking of a ``paying`` offer was released unpaid: the offer lapses, the entry keeps waiting."""
    now = now or timezone.now()
    with transaction.atomic():
        offer = _paying_offer(appointment_id)
        if offer is None:
            return False
        offer.state, offer.decided_at = State.LAPSED, now
        offer.save(update_fields=["state", "decided_at"])
        offer_history_record(offer=offer, action=LAPSED)
    return True


def hold_confirmed_received(sender, *, appointment_id, **kwargs) -> None:
    offer_paid(appointment_id=appointment_id)


def hold_released_received(sender, *, appointment_id, **kwargs) -> None:
    offer_payment_dropped(appointment_id=appointment_id)
