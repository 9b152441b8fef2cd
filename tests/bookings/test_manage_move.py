"""Moving a booking from the manage link: the booking calendar, another therapist if the client likes, the price."""

import re
from datetime import UTC, time

import pytest

from bookings.models import Appointment
from bookings.services import ClientDetails, appointment_book
from bookings.tokens import manage_token
from tests.factories import TherapistFactory, WorkingHoursFactory

from .conftest import local

pytestmark = pytest.mark.django_db


def move_url(appointment, query=""):
    return f"/book/manage/{manage_token(appointment)}/move/{query}"


@pytest.fixture
def daniel(booking):
    """A second therapist who gives the same service, free every day from 1 to 5 PM."""
    therapist = TherapistFactory(name="Daniel Reyes", slug="daniel", services=[booking.service])
    for weekday in range(7):
        WorkingHoursFactory(therapist=therapist, weekday=weekday, start_time=time(13), end_time=time(17))
    return therapist


def test_the_move_page_opens_on_the_first_free_day_with_no_time_chosen(client, booking):
    html = client.get(move_url(booking)).content.decode()
    assert "Times on Monday 2 March" in html
    assert 'type="radio" name="start"' in html
    assert " checked" not in html


def test_the_day_is_said_once_not_on_every_time(client, booking):
    html = client.get(move_url(booking, "?date=2026-03-06")).content.decode()
    labels = re.findall(r'<label class="booking-time-choice">(.*?)</label>', html, re.S)
    assert len(labels) > 20
    assert all("March" not in label and "Friday" not in label for label in labels)
    assert re.sub(r"<[^>]+>", "", labels[0]).strip() == "9:00 AM"
    times = html.split('id="booking-times"', 1)[1].split('id="booking-month"', 1)[0]
    assert times.count("Friday 6 March") == 2  # the heading, and the legend of the group of times
    assert "<legend" in html and ">Morning</legend>" in html and ">Afternoon</legend>" in html


def test_the_move_page_shows_the_price_and_length(client, booking):
    html = client.get(move_url(booking)).content.decode()
    assert f"60 minutes · ${booking.service.price}" in html


def test_the_first_free_time_link_picks_that_time(client, booking):
    html = client.get(move_url(booking)).content.decode()
    link = re.search(r'First free time: <a href="([^"]+)">Monday 2 March at 9:00 AM</a>', html).group(1)
    picked = client.get(move_url(booking, link.replace("&amp;", "&"))).content.decode()
    assert re.search(r'value="2026-03-02T14:00Z" required checked', picked)
    assert picked.count(" checked") == 1


def test_the_client_can_choose_another_therapist_for_the_same_service(client, booking, daniel):
    TherapistFactory(name="Sam Lee", slug="sam")  # gives other sessions only
    html = client.get(move_url(booking)).content.decode()
    assert '<option value="daniel">Daniel Reyes</option>' in html
    assert f"{booking.therapist.name} (now)</option>" in html and "Sam Lee" not in html
    theirs = client.get(move_url(booking, "?therapist=daniel")).content.decode()
    assert "First free time with Daniel Reyes: " in theirs
    assert 'name="therapist" value="daniel"' in theirs
    assert "9:00 AM" not in theirs.split("Times on", 1)[1].split("</form>")[0]  # Daniel starts at 1 PM
    assert "?therapist=daniel&amp;date=" in theirs  # the month's days keep the choice


def test_moving_to_another_therapist_books_them_and_frees_the_old_time(client, booking, daniel):
    response = client.post(move_url(booking), {"start": "2026-03-05T18:00Z", "therapist": "daniel"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.therapist, booking.starts_at) == (daniel, local(2026, 3, 5, 13))
    other = ClientDetails(name="Bo", email="bo@example.com", phone="1", consent=True)
    rebooked = appointment_book(
        service=booking.service,
        therapist=booking.service.therapists.exclude(pk=daniel.pk).get(),
        starts_at=local(2026, 3, 5, 10).astimezone(UTC),
        client=other,
    )
    assert rebooked.pk != booking.pk


def test_an_unknown_therapist_for_a_move_gets_a_clear_message(client, booking):
    response = client.get(move_url(booking, "?therapist=nobody"))
    assert response.status_code == 400
    assert "couldn&#x27;t find that therapist" in response.content.decode()
    posted = client.post(move_url(booking), {"start": "2026-03-05T18:00Z", "therapist": "nobody"})
    assert posted.status_code == 400
    booking.refresh_from_db()
    assert booking.starts_at == local(2026, 3, 5, 10)


def test_the_times_fragment_of_the_move_page_is_the_days_form(client, booking):
    html = client.get(move_url(booking, "?date=2026-03-06&fragment=times")).content.decode()
    assert "<html" not in html and "<table" not in html
    assert "Times on Friday 6 March" in html and 'name="csrfmiddlewaretoken"' in html
    assert "Move to this time" in html


def test_a_move_with_no_time_chosen_is_refused_and_nothing_changes(client, booking):
    response = client.post(move_url(booking), {"therapist": booking.therapist.slug})
    assert response.status_code == 400
    assert Appointment.objects.get().starts_at == local(2026, 3, 5, 10)
