"""Joining, changing and leaving the waitlist, and asking to be moved earlier."""

from datetime import UTC, date, time, timedelta

import pytest
import time_machine

from bookings.status_changes import appointment_cancel
from tests.factories import TherapistFactory, clinic_with_hours
from waitlist.entries import (
    Contact,
    EntryRefused,
    Window,
    Wish,
    entry_join,
    entry_leave,
    entry_update,
    move_earlier_request,
)
from waitlist.models import Entry, Offer
from waitlist.tokens import entry_from_token, entry_token

from .conftest import THURSDAY, book, join, local, opening_for

pytestmark = pytest.mark.django_db
CONTACT = Contact(name="Bea Park", email="Bea@Example.com", phone="617 555 0100", consent=True)


@pytest.fixture
def scene(monday_morning):
    service, (therapist,), _ = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60)
    return service, therapist


def refusal(**changes):
    with pytest.raises(EntryRefused) as caught:
        entry_join(**changes)
    return caught.value.errors


def test_joining_keeps_the_wish_the_contact_and_the_consent(scene):
    service, therapist = scene
    entry = entry_join(
        wish=Wish(
            service=service,
            therapist=therapist,
            earliest_on=date(2026, 3, 3),
            latest_on=date(2026, 3, 10),
            parts_of_day=["evening", "morning", "morning"],
            windows=[Window(starts=time(12), ends=time(14), weekday=2)],
            notice_minutes=180,
        ),
        contact=CONTACT,
    )
    entry.refresh_from_db()
    assert (entry.state, entry.email, entry.parts_of_day, entry.notice_minutes) == (
        Entry.State.WAITING,
        "bea@example.com",
        ["evening", "morning"],
        180,
    )
    assert [(w.weekday, w.starts, w.ends) for w in entry.windows.all()] == [(2, time(12), time(14))]
    assert entry.consent_at is not None and entry.joined_at == entry.consent_at


def test_each_broken_rule_gets_its_own_message_and_nothing_is_stored(scene):
    service, _ = scene
    errors = refusal(
        wish=Wish(
            service=service,
            earliest_on=date(2026, 3, 1),
            latest_on=date(2026, 6, 1),
            parts_of_day=["night"],
            windows=[Window(starts=time(14), ends=time(12))],
            notice_minutes=-5,
        ),
        contact=Contact(name=" ", email="not an address", consent=False),
    )
    assert set(errors) == {
        "earliest_on",
        "latest_on",
        "parts_of_day",
        "windows",
        "notice_minutes",
        "name",
        "email",
        "consent",
    }
    assert "60 days ahead" in errors["latest_on"]
    assert "consent to treatment" in errors["consent"]
    assert Entry.objects.count() == 0


def test_a_last_day_before_the_first_is_refused(scene):
    service, _ = scene
    errors = refusal(wish=Wish(service=service, earliest_on=THURSDAY, latest_on=date(2026, 3, 4)), contact=CONTACT)
    assert errors == {"latest_on": "The last day must be on or after the first day."}


def test_a_therapist_who_does_not_give_the_service_is_refused(scene):
    service, _ = scene
    other = TherapistFactory(name="Noor Other")
    errors = refusal(
        wish=Wish(service=service, therapist=other, earliest_on=THURSDAY, latest_on=THURSDAY), contact=CONTACT
    )
    assert errors == {"therapist": f"Noor Other doesn't offer {service.name}. Choose another therapist."}


def test_joining_twice_for_the_same_thing_is_refused_kindly(scene):
    service, _ = scene
    join(service, email="bea@example.com")
    errors = refusal(wish=Wish(service=service, earliest_on=THURSDAY, latest_on=THURSDAY), contact=CONTACT)
    assert "already on the waitlist" in errors["__all__"]
    assert Entry.objects.count() == 1


def test_changing_an_entry_keeps_its_place_in_the_queue(scene):
    service, therapist = scene
    entry = join(service)
    with time_machine.travel(local(2026, 3, 2, 9), tick=False):
        changed = entry_update(
            entry=entry,
            wish=Wish(service=service, therapist=therapist, earliest_on=THURSDAY, latest_on=date(2026, 3, 6)),
        )
    assert (changed.joined_at, changed.therapist, changed.latest_on) == (entry.joined_at, therapist, date(2026, 3, 6))


def test_a_change_that_breaks_a_rule_leaves_the_entry_as_it_was(scene):
    service, _ = scene
    entry = join(service, parts_of_day=["morning"])
    with pytest.raises(EntryRefused):
        entry_update(entry=entry, wish=Wish(service=service, earliest_on=THURSDAY, latest_on=date(2026, 3, 1)))
    entry.refresh_from_db()
    assert (entry.latest_on, entry.parts_of_day) == (THURSDAY, ["morning"])


def test_leaving_withdraws_live_offers_and_twice_changes_nothing(scene):
    service, therapist = scene
    entry = join(service)
    opening = opening_for(therapist, local(2026, 3, 5, 10).astimezone(UTC))
    Offer.objects.create(
        opening=opening,
        entry=entry,
        therapist=therapist,
        starts_at=opening.starts_at,
        offered_at=opening.opened_at,
        expires_at=opening.opened_at + timedelta(minutes=15),
    )
    left = entry_leave(entry=entry)
    assert left.state == Entry.State.LEFT
    assert entry.offers.get().state == Offer.State.WITHDRAWN
    assert entry_leave(entry=entry).left_at == left.left_at


def test_an_entry_is_no_longer_waiting_after_its_last_day(scene):
    service, _ = scene
    entry = join(service)
    assert list(Entry.objects.waiting(today=THURSDAY)) == [entry]
    assert list(Entry.objects.waiting(today=date(2026, 3, 6))) == []
    with time_machine.travel(local(2026, 3, 6, 8), tick=False), pytest.raises(EntryRefused) as caught:
        entry_update(entry=entry, wish=Wish(service=service, earliest_on=date(2026, 3, 6), latest_on=date(2026, 3, 7)))
    assert "expired" in caught.value.errors["__all__"]


def test_the_entry_token_opens_its_entry_and_a_tampered_one_nothing(scene):
    service, _ = scene
    entry = join(service)
    token = entry_token(entry)
    assert entry_from_token(token) == entry
    assert entry_from_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert token.split(":")[0] == entry.access_key  # a random key and its signature: no name, email or id


def test_move_earlier_is_tied_to_the_booking_and_asking_again_returns_the_same_entry(scene):
    service, therapist = scene
    booking = book(service, therapist, local(2026, 3, 6, 14).astimezone(UTC))
    entry = move_earlier_request(appointment=booking, parts_of_day=["morning"])
    assert (entry.appointment, entry.service, entry.therapist, entry.email) == (
        booking,
        service,
        therapist,
        "ana@example.com",
    )
    assert (entry.earliest_on, entry.latest_on) == (date(2026, 3, 2), date(2026, 3, 6))
    assert move_earlier_request(appointment=booking) == entry


def test_move_earlier_is_refused_inside_the_cancel_cutoff_and_for_a_cancelled_booking(scene):
    service, therapist = scene
    today = book(service, therapist, local(2026, 3, 2, 15).astimezone(UTC))
    with pytest.raises(EntryRefused) as caught:
        move_earlier_request(appointment=today)
    assert "24 hours" in caught.value.errors["__all__"]
    later = book(service, therapist, local(2026, 3, 9, 9).astimezone(UTC), name="Cal Gone")
    cancelled = appointment_cancel(appointment=later, by_client=False)
    with pytest.raises(EntryRefused) as caught:
        move_earlier_request(appointment=cancelled)
    assert "cancelled" in caught.value.errors["__all__"]
    assert Entry.objects.count() == 0


def test_changing_a_move_earlier_entry_keeps_the_bookings_therapist_and_day_whatever_changed_since(scene):
    from bookings.models import BookingPolicy

    service, therapist = scene
    booking = book(service, therapist, local(2026, 3, 20, 14).astimezone(UTC))
    entry = move_earlier_request(appointment=booking)
    therapist.is_bookable_online = False
    therapist.save()
    policy = BookingPolicy.current()
    policy.max_advance_days = 7  # the booking's day is now past the advance window
    policy.save()
    wish = Wish(
        service=service,
        therapist=therapist,
        earliest_on=date(2026, 3, 2),
        latest_on=date(2026, 3, 20),
        parts_of_day=["afternoon"],
    )
    changed = entry_update(entry=entry, wish=wish)
    assert (changed.therapist, changed.latest_on, changed.parts_of_day) == (therapist, date(2026, 3, 20), ["afternoon"])
    with pytest.raises(EntryRefused) as caught:  # past the booking's own day the advance window still holds
        entry_update(
            entry=entry,
            wish=Wish(service=service, therapist=therapist, earliest_on=date(2026, 3, 2), latest_on=date(2026, 3, 21)),
        )
    assert "7 days ahead" in caught.value.errors["latest_on"]
    entry.refresh_from_db()
    assert entry.latest_on == date(2026, 3, 20)
