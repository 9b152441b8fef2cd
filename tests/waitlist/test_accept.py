"""Taking an offer from its email link, and every way it can no longer be taken."""

import html
from datetime import UTC, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from bookings.models import Appointment, BookingEvent
from bookings.status_changes import appointment_cancel
from bookings.tokens import manage_token
from waitlist.accept import TAKEN_MESSAGE, Outcome, offer_accept
from waitlist.entries import move_earlier_request
from waitlist.models import Entry, Offer, WaitlistPolicy
from waitlist.tokens import offer_token

from .conftest import book, join, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def cancel(django_capture_on_commit_callbacks):
    def run(appointment):
        with django_capture_on_commit_callbacks(execute=True):
            appointment_cancel(appointment=appointment, by_client=False)

    return run


def text(response) -> str:
    return html.unescape(response.content.decode())


def link(offer):
    return reverse("waitlist:offer", kwargs={"token": offer_token(offer)})


@pytest.fixture
def offered(full_thursday, cancel):
    """Bea is offered Thursday 10:15 after it was cancelled; Cy waits behind her."""
    service, therapist, _, booked = full_thursday
    bea = join(service, name="Bea Park")
    join(service, name="Cy Next")
    cancel(booked[1])
    return Offer.objects.get(entry=bea)


def test_the_link_shows_the_time_and_one_button_that_posts_with_csrf(offered, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # the offer with its entry, service and therapist: one query
        response = Client().get(link(offered))
    page = text(response)
    assert response.status_code == 200
    assert "Take this time?" in page and "Thursday 5 March 2026" in page and "10:15 AM" in page
    assert 'method="post"' in page and "csrfmiddlewaretoken" in page
    assert response["Cache-Control"].startswith("max-age=0")
    assert Client(enforce_csrf_checks=True).post(link(offered)).status_code == 403
    assert Appointment.objects.filter(starts_at=offered.starts_at, status="booked").count() == 0


def test_taking_the_offer_books_it_and_shows_the_booking(offered, django_capture_on_commit_callbacks):
    browser = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(link(offered))
    booking = Appointment.objects.get(starts_at=offered.starts_at, status="booked")
    assert response.status_code == 302
    assert response["Location"] == reverse("bookings:manage", kwargs={"token": manage_token(booking)})
    assert (booking.client_name, booking.client_email, booking.therapist) == (
        "Bea Park",
        "bea@example.com",
        offered.therapist,
    )
    entry = Entry.objects.get(pk=offered.entry_id)
    assert (entry.state, entry.booked) == (Entry.State.BOOKED, booking)
    offered.refresh_from_db()
    assert (offered.state, offered.appointment) == (Offer.State.ACCEPTED, booking)
    assert list(booking.events.values_list("action", flat=True)) == [
        BookingEvent.Action.BOOKED,
        BookingEvent.Action.WAITLIST_TAKEN,
    ]
    assert offered.opening.source_appointment.events.filter(action=BookingEvent.Action.WAITLIST_TAKEN).exists()
    assert "It's yours: Thursday 5 March, 10:15 AM is booked for you." in text(browser.get(response["Location"]))


def test_taking_it_twice_says_it_is_already_yours(offered):
    assert offer_accept(offer=offered).outcome == Outcome.BOOKED
    again = Client().post(link(offered))
    assert again.status_code == 302
    assert Appointment.objects.filter(starts_at=offered.starts_at, status="booked").count() == 1
    assert offer_accept(offer=offered).outcome == Outcome.ALREADY


def test_after_the_hold_the_link_says_it_lapsed_and_the_next_person_is_asked(
    offered, django_capture_on_commit_callbacks
):
    later = time_machine.travel(offered.expires_at + timedelta(seconds=1), tick=False)
    with later, django_capture_on_commit_callbacks(execute=True):
        response = Client().post(link(offered))
    page = text(response)
    assert response.status_code == 410
    assert "This offer has lapsed" in page and "still on the list" in page
    assert Appointment.objects.filter(starts_at=offered.starts_at, status="booked").count() == 0
    assert Entry.objects.get(pk=offered.entry_id).state == Entry.State.WAITING
    assert [(o.entry.name, o.state) for o in Offer.objects.order_by("pk")] == [
        ("Bea Park", "lapsed"),
        ("Cy Next", "offered"),
    ]


def test_when_someone_else_took_the_time_the_person_hears_so_and_stays_on_the_list(full_thursday, cancel):
    service, _, _, booked = full_thursday
    WaitlistPolicy.objects.create(strategy=WaitlistPolicy.Strategy.EVERYONE)
    join(service, name="Bea Park")
    join(service, name="Cy Next")
    cancel(booked[1])
    bea, cy = Offer.objects.order_by("pk")
    assert offer_accept(offer=cy).outcome == Outcome.BOOKED
    response = Client().post(link(bea))
    assert response.status_code == 409
    assert TAKEN_MESSAGE in text(response)
    entry = Entry.objects.get(pk=bea.entry_id)
    assert (entry.state, entry.latest_on) == (Entry.State.WAITING, bea.entry.latest_on)


def test_in_everyone_mode_a_win_takes_only_the_offers_whose_time_overlaps_it(full_thursday):
    from datetime import time

    from waitlist.entries import Window
    from waitlist.offers import opening_dispatch

    from .conftest import opening_for

    service, therapist, _, booked = full_thursday
    WaitlistPolicy.objects.create(strategy=WaitlistPolicy.Strategy.EVERYONE)
    bea = join(service, name="Bea Early", windows=[Window(time(10), time(11, 30))])
    cy = join(service, name="Cy Later", windows=[Window(time(11, 30), time(12, 30))])
    di = join(service, name="Di Any")
    for appointment in booked[1:3]:  # 10:15 and 11:30 cancelled: one stretch of two sessions
        appointment_cancel(appointment=appointment, by_client=False)
    opening = opening_for(therapist, booked[1].starts_at, minutes=150)
    opening_dispatch(opening=opening)
    offer_of = {offer.entry_id: offer for offer in Offer.objects.all()}
    assert (offer_of[bea.pk].starts_at, offer_of[cy.pk].starts_at, offer_of[di.pk].starts_at) == (
        booked[1].starts_at,
        booked[2].starts_at,
        booked[1].starts_at,
    )
    assert offer_accept(offer=offer_of[bea.pk]).outcome == Outcome.BOOKED  # 10:15, blocked until 11:30
    states = {offer.entry_id: offer.state for offer in Offer.objects.all()}
    assert states == {bea.pk: "accepted", di.pk: "taken", cy.pk: "offered"}
    taken_by_cy = offer_accept(offer=offer_of[cy.pk])  # 11:30 starts as the first one's cleanup ends
    assert taken_by_cy.outcome == Outcome.BOOKED and taken_by_cy.appointment.starts_at == booked[2].starts_at
    assert offer_accept(offer=offer_of[di.pk]).outcome == Outcome.TAKEN


def test_a_time_booked_directly_meanwhile_is_refused_kindly(offered):
    book(offered.entry.service, offered.therapist, offered.starts_at, name="Walk In")
    result = offer_accept(offer=offered)
    assert (result.outcome, result.message) == (Outcome.TAKEN, TAKEN_MESSAGE)
    offered.refresh_from_db()
    assert offered.state == Offer.State.TAKEN
    assert Entry.objects.get(pk=offered.entry_id).state == Entry.State.WAITING


@pytest.mark.parametrize(
    "token",
    ["", "garbage", "x" * 500, "abc:def", "%00", "QmVhIFBhcms:tampered"],
    ids=["empty-ish", "garbage", "overlong", "bad-signature", "nul", "tampered"],
)
def test_a_tampered_or_broken_link_gets_a_clear_page_never_a_500(offered, token):
    url = reverse("waitlist:offer", kwargs={"token": token or "-"})
    for response in (Client().get(url), Client().post(url)):
        assert response.status_code == 404
        assert "We couldn't find that offer" in text(response)


def test_a_token_with_one_character_changed_opens_nothing(offered):
    token = offer_token(offered)
    changed = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert Client().get(reverse("waitlist:offer", kwargs={"token": changed})).status_code == 404


def test_an_offer_to_someone_who_left_is_closed(offered):
    from waitlist.entries import entry_leave

    entry_leave(entry=offered.entry)
    response = Client().get(link(offered))
    assert response.status_code == 410
    assert "closed when you left the waitlist" in text(response)


def test_move_earlier_moves_the_booking_and_releases_the_old_time_to_the_next_person(
    full_thursday, cancel, django_capture_on_commit_callbacks
):
    service, therapist, _, booked = full_thursday
    friday = book(service, therapist, local(2026, 3, 6, 14).astimezone(UTC), name="Ann Mover")
    move_earlier_request(appointment=friday)
    join(service, name="Fay Friday", days=(local(2026, 3, 6, 0).date(), local(2026, 3, 6, 0).date()))
    cancel(booked[1])
    offer = Offer.objects.get(entry__name="Ann Mover")
    with django_capture_on_commit_callbacks(execute=True):
        result = offer_accept(offer=offer)
    friday.refresh_from_db()
    assert (result.outcome, friday.starts_at, friday.status) == (Outcome.MOVED, booked[1].starts_at, "booked")
    assert Appointment.objects.filter(status="booked", starts_at=local(2026, 3, 6, 14).astimezone(UTC)).count() == 0
    assert friday.events.filter(action=BookingEvent.Action.MOVED).exists()
    released = Offer.objects.get(entry__name="Fay Friday")
    assert (released.starts_at, released.opening.reason, released.opening.source_appointment) == (
        local(2026, 3, 6, 14).astimezone(UTC),
        "moved",
        friday,
    )
