"""Fifty waitlisted clients press "Take this time" for the same freed time at once, each on its own connection.

The pretix pattern, as in tests/bookings/test_concurrency.py: first a control shows the race is real
when nothing guards it, then the real accept service lets exactly one through and tells the other
49 "someone just took that time", with no errors. Everyone-at-once is the strategy, so all fifty hold
a live offer for the same start.

On PostgreSQL the control is the real service with its lock switched off (``locking_disabled``), the
exclusion constraints dropped and every booking's INSERT held back until all fifty wait, so every
thread re-checks before any writes. On SQLite the IMMEDIATE write transaction serialises writers
before they read, so no switch can make the service race; there the control is check-then-write
with nothing in between, the race the transaction exists to close.
"""

from contextlib import nullcontext

import pytest
from django.db import connection

from bookings.availability import slot_find
from bookings.models import Appointment
from bookings.status_changes import appointment_cancel
from core.locking import locking_disabled
from tests.bookings.test_concurrency import appointment_inserts_held_back, overlap_constraints_dropped, run_together
from waitlist.accept import TAKEN_MESSAGE, Acceptance, Outcome, offer_accept
from waitlist.models import Entry, Offer, WaitlistPolicy

from .conftest import join

CLIENTS = 50


@pytest.fixture
def fifty_offers(full_thursday):
    service, therapist, _, booked = full_thursday
    WaitlistPolicy.objects.create(strategy=WaitlistPolicy.Strategy.EVERYONE)
    for index in range(CLIENTS):
        join(service, name=f"Waiting {index:02}", email=f"w{index}@example.com")
    appointment_cancel(appointment=booked[1], by_client=False)  # commits: the waitlist's task sends the offers
    offers = list(Offer.objects.select_related("entry", "entry__service", "therapist").order_by("pk"))
    assert len(offers) == CLIENTS and len({offer.starts_at for offer in offers}) == 1
    return offers


def accepting(offers):
    def work(index, barrier):
        return offer_accept(offer=offers[index])

    return work


@pytest.mark.django_db(transaction=True)
def test_fifty_clients_taking_one_offered_time_at_once_get_exactly_one_booking(fifty_offers, settings):
    # Forty-nine wait on the opening's lock until fifty connections wait at all: on a loaded machine
    # opening fifty connections can take longer than the production lock timeout.
    settings.LOCK_TIMEOUT_MS = 60_000
    starts_at = fifty_offers[0].starts_at
    with appointment_inserts_held_back(count=CLIENTS) if connection.vendor == "postgresql" else nullcontext():
        outcomes = run_together(accepting(fifty_offers), count=CLIENTS)
    errors = [outcome for outcome in outcomes if not isinstance(outcome, Acceptance)]
    assert errors == []
    assert sum(outcome.outcome == Outcome.BOOKED for outcome in outcomes) == 1
    assert [outcome.message for outcome in outcomes if outcome.outcome != Outcome.BOOKED] == [TAKEN_MESSAGE] * 49
    assert Appointment.objects.filter(starts_at=starts_at, status="booked").count() == 1
    assert Offer.objects.filter(state=Offer.State.ACCEPTED).count() == 1
    assert Offer.objects.filter(state=Offer.State.TAKEN).count() == 49
    assert Entry.objects.filter(state=Entry.State.WAITING).count() == 49  # everyone else is still on the list


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_control_with_the_lock_switched_off_and_no_constraint_fifty_accepts_double_book(fifty_offers):
    """The real accept service with its lock off: every thread re-reads a live offer and a free slot, then books.

    On a machine loaded enough that the held-back inserts are let go before every thread has read, the late
    readers see the time taken; the race is shown by any second booking of the one time, not by all fifty.
    """
    starts_at = fifty_offers[0].starts_at
    with overlap_constraints_dropped(), locking_disabled(), appointment_inserts_held_back(count=CLIENTS):
        outcomes = run_together(accepting(fifty_offers), count=CLIENTS)
        booked = Appointment.objects.filter(starts_at=starts_at, status="booked").count()
        assert booked > 1
        # With nothing guarding the writes, a thread may also fail outright (a deadlock, say); the race is
        # shown by the bookings, and each one was reported to its client as booked.
        accepted = [outcome for outcome in outcomes if isinstance(outcome, Acceptance)]
        assert sum(outcome.outcome == Outcome.BOOKED for outcome in accepted) == booked


@pytest.mark.django_db(transaction=True)
def test_control_without_lock_or_transaction_fifty_accepts_double_book(fifty_offers):
    """SQLite's control: read the offer and the slot, wait for everyone, then write, with nothing guarding the gap."""
    if connection.vendor == "postgresql":
        pytest.skip("on PostgreSQL the control goes through the service with the lock switched off")
    service = fifty_offers[0].entry.service

    def unguarded(index, barrier):
        offer = fifty_offers[index]
        live = Offer.objects.filter(pk=offer.pk, state=Offer.State.OFFERED).exists()
        slot = slot_find(service=service, therapist=offer.therapist, starts_at=offer.starts_at)
        barrier.wait()
        if not live or slot is None:
            return None
        Offer.objects.filter(pk=offer.pk).update(state=Offer.State.ACCEPTED)
        return Appointment.objects.create(
            service=service,
            therapist=offer.therapist,
            room_id=slot.room_id,
            starts_at=slot.start,
            ends_at=slot.end,
            blocked_until=slot.end,
            client_name=offer.entry.name,
            client_email=offer.entry.email,
            client_phone="1",
        )

    with overlap_constraints_dropped():
        outcomes = run_together(unguarded, count=CLIENTS)
        assert sum(isinstance(outcome, Appointment) for outcome in outcomes) == CLIENTS
