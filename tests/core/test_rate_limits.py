"""Every public endpoint that costs us something answers 429 with a readable page or JSON when one address overdoes it."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bookings.models import Appointment
from bookings.services import ClientDetails, appointment_book
from bookings.tokens import manage_token
from tests.factories import clinic_with_hours

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def booking():
    with time_machine.travel(datetime(2026, 3, 2, 7, 0, tzinfo=NEW_YORK), tick=False):
        service, (therapist,), _ = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60)
        appointment = appointment_book(
            service=service,
            therapist=therapist,
            starts_at=datetime(2026, 3, 5, 15, 0, tzinfo=UTC),
            client=ClientDetails(name="Ana Silva", email="ana@example.com", phone="1", consent=True),
        )
        yield appointment


@pytest.fixture(autouse=True)
def _limits_these_tests_count_to(rate_limit):
    rate_limit("bookings:api", 240, 60)
    rate_limit("bookings:manage_view", 60, 600)
    rate_limit("bookings:manage", 20, 600)


def hammer(send, times):
    return [send().status_code for _ in range(times)][-1]


def test_the_availability_api_answers_429_in_json(client, booking):
    url = f"/api/availability/?service={booking.service.slug}&start=2026-03-03&end=2026-03-04"
    assert hammer(lambda: client.get(url), 240) == 200
    response = client.get(url)
    assert response.status_code == 429
    assert response.json() == {"error": "Too many requests; please slow down."}


def test_the_manage_page_answers_429_with_a_readable_page(client, booking):
    url = f"/book/manage/{manage_token(booking)}/"
    assert hammer(lambda: client.get(url), 60) == 200
    response = client.get(url)
    assert response.status_code == 429
    assert "Please wait a moment" in response.content.decode()


def test_guessing_manage_links_is_throttled_too(client, booking):
    assert hammer(lambda: client.get("/book/manage/guess/"), 60) == 404
    assert client.get(f"/book/manage/{manage_token(booking)}/").status_code == 429


def test_cancelling_through_the_manage_link_answers_429_and_cancels_nothing(client, booking):
    url = f"/book/manage/{manage_token(booking)}/cancel/"
    for _ in range(20):
        client.post(url)
        Appointment.objects.filter(pk=booking.pk).update(status="booked")  # keep it cancellable
    response = client.post(url)
    assert response.status_code == 429
    assert "Too many changes from your network" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == "booked"


def test_moving_through_the_manage_link_answers_429(client, booking):
    url = f"/book/manage/{manage_token(booking)}/move/"
    for _ in range(20):
        client.post(url, {"start": "nonsense"})
    response = client.post(url, {"start": "2026-03-06T15:00Z"})
    assert response.status_code == 429
    assert "Too many changes from your network" in response.content.decode()
    booking.refresh_from_db()
    assert booking.starts_at == datetime(2026, 3, 5, 15, 0, tzinfo=UTC)


def test_limits_count_per_address(client, booking):
    url = f"/book/manage/{manage_token(booking)}/"
    hammer(lambda: client.get(url), 61)
    assert client.get(url, REMOTE_ADDR="198.51.100.7").status_code == 200


def test_newsletter_subscribing_answers_429_with_a_page_and_with_json(client, rate_limit):
    rate_limit("newsletter:subscribe", 2)
    for _ in range(2):
        client.post("/newsletter/subscribe/", {"email": "a@example.com"})
    page = client.post("/newsletter/subscribe/", {"email": "a@example.com"})
    as_json = client.post("/newsletter/subscribe/", {"email": "a@example.com"}, HTTP_ACCEPT="application/json")
    assert (page.status_code, as_json.status_code) == (429, 429)
    assert "<h1" in page.content.decode() and as_json.json()["message"]
