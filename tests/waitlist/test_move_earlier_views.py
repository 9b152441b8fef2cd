"""'Move me earlier if something opens up' on the booking's manage page."""

import html
from datetime import UTC

import pytest
from django.urls import reverse

from bookings.status_changes import appointment_cancel
from bookings.tokens import manage_token
from core.models import OutgoingEmail
from waitlist.models import Entry, Offer

from .conftest import book, local

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def late_booking(full_thursday):
    """Dan is booked on Friday 6 March at 3:15 PM; Thursday is full."""
    service, therapist, _, booked = full_thursday
    appointment = book(service, therapist, local(2026, 3, 6, 15, 15).astimezone(UTC), name="Dan Late")
    return appointment, booked


def manage(appointment):
    return reverse("bookings:manage", kwargs={"token": manage_token(appointment)})


def ask(client, appointment, **data):
    url = reverse("waitlist:move_earlier", kwargs={"token": manage_token(appointment)})
    return client.post(url, {"earlier-notice_minutes": "120", **data})


def test_the_manage_page_offers_to_move_the_booking_earlier(client, late_booking):
    appointment, _ = late_booking
    page = text(client.get(manage(appointment)))
    assert "Move me earlier if something opens up" in page
    assert reverse("waitlist:move_earlier", kwargs={"token": manage_token(appointment)}) in page


def test_asking_records_the_wish_and_the_page_then_shows_it_and_a_way_to_stop(client, late_booking):
    appointment, _ = late_booking
    response = ask(client, appointment, **{"earlier-parts_of_day": ["morning"]})
    assert response.status_code == 302 and response["Location"] == manage(appointment)
    entry = Entry.objects.get(appointment=appointment)
    assert (entry.state, entry.parts_of_day, entry.notice_minutes) == ("waiting", ["morning"], 120)
    page = text(client.get(manage(appointment)))
    assert "We'll email you if an earlier time opens up" in page
    assert 'data-earlier-state="waiting"' in page and "Mornings" in page
    assert "Stop looking for an earlier time" in page


def test_asking_twice_keeps_one_request(client, late_booking):
    appointment, _ = late_booking
    ask(client, appointment)
    ask(client, appointment)
    assert Entry.objects.filter(appointment=appointment).count() == 1
    assert OutgoingEmail.objects.filter(reference__startswith="waitlist earlier").count() == 1


def test_asking_is_confirmed_by_email_saying_what_we_look_for_and_how_to_stop(client, late_booking):
    appointment, _ = late_booking
    ask(client, appointment, **{"earlier-parts_of_day": ["morning"]})
    entry = Entry.objects.get(appointment=appointment)
    email = OutgoingEmail.objects.get(reference=f"waitlist earlier {entry.pk}")
    body = email.payload["body"]
    html_part = email.payload["alternatives"][0]["content"]["text"]
    assert email.recipients == [appointment.client_email]
    assert email.subject == f"We're looking for an earlier time: {appointment.service.name}"
    assert "Friday 6 March 2026 at 3:15 PM" in body and appointment.therapist.name in body
    assert "Mornings · At least 2 hours' notice" in body
    assert "Stop looking for an earlier time" in body
    manage_link = "https://clinic.test" + manage(appointment)
    assert manage_link in body and f'href="{manage_link}"' in html_part
    assert "Stop looking for an earlier time" in html.unescape(html_part)
    assert "dan" not in manage_link.lower() and "@" not in manage_link
    page = text(client.get(manage(appointment)))  # the link leads to the stop button
    assert "Stop looking for an earlier time" in page


def test_stopping_ends_the_request_and_the_form_comes_back(client, late_booking):
    appointment, _ = late_booking
    ask(client, appointment)
    url = reverse("waitlist:move_earlier_stop", kwargs={"token": manage_token(appointment)})
    assert client.post(url).status_code == 302
    assert Entry.objects.get(appointment=appointment).state == Entry.State.LEFT
    page = text(client.get(manage(appointment)))
    assert "We won't look for an earlier time any more" in page
    assert "data-earlier-state" not in page and "earlier-notice_minutes" in page


def test_an_earlier_time_freed_is_offered_and_shown_on_the_manage_page(
    client, late_booking, django_capture_on_commit_callbacks
):
    appointment, booked = late_booking
    ask(client, appointment)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=booked[2], by_client=False)
    offer = Offer.objects.get(entry__appointment=appointment)
    page = text(client.get(manage(appointment)))
    assert 'data-earlier-state="offered"' in page and "/waitlist/offer/" in page
    assert "11:30 AM" in page and offer.state == "offered"


def test_inside_the_cancel_cutoff_the_request_is_refused_with_the_reason(client, full_thursday):
    service, therapist, _, booked = full_thursday
    soon = book(service, therapist, local(2026, 3, 2, 15).astimezone(UTC), name="Eve Soon")
    page = text(client.get(manage(soon)))
    assert "Move me earlier" not in page
    response = ask(client, soon)
    assert "can be changed online until" in text(client.get(response["Location"]))
    assert not Entry.objects.filter(appointment=soon).exists()
    assert not OutgoingEmail.objects.filter(reference__startswith="waitlist earlier").exists()


def test_a_tampered_manage_token_is_a_clear_page(client, late_booking):
    for name in ("waitlist:move_earlier", "waitlist:move_earlier_stop"):
        response = client.post(reverse(name, kwargs={"token": "forged:token"}))
        assert response.status_code == 404
    assert not Entry.objects.exists()


def test_a_made_up_choice_is_refused_without_an_entry(client, late_booking):
    appointment, _ = late_booking
    response = ask(client, appointment, **{"earlier-parts_of_day": ["midnight"]})
    assert "Please choose the parts of the day" in text(client.get(response["Location"]))
    assert not Entry.objects.exists()
