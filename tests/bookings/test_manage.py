from datetime import UTC

import pytest
from django.core import mail

from bookings.models import Appointment
from bookings.services import ClientDetails, appointment_book
from bookings.tokens import manage_token

from .conftest import local

pytestmark = pytest.mark.django_db


def url(appointment, suffix=""):
    return f"/book/manage/{manage_token(appointment)}/{suffix}"


def test_the_manage_page_shows_the_booking_and_its_actions(client, booking):
    html = client.get(url(booking)).content.decode()
    assert "Thursday 5 March 2026, 10:00 AM" in html
    assert "Cancel this booking" in html and "Move to another time" in html


@pytest.mark.parametrize("token", ["nonsense", "abc:def", "x" * 500])
def test_a_tampered_or_unknown_token_gets_a_friendly_404(client, booking, token):
    response = client.get(f"/book/manage/{token}/")
    assert response.status_code == 404
    assert "couldn't find that booking" in response.content.decode()


def test_a_token_whose_key_was_replaced_no_longer_works(client, booking):
    stale = url(booking)
    Appointment.objects.filter(pk=booking.pk).update(manage_key="replaced-key")
    assert client.get(stale).status_code == 404


def test_cancelling_keeps_the_record_and_emails_a_calendar_cancel(client, booking, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(booking, "cancel/"))
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    client_mail = mail.outbox[0]
    ics = client_mail.attachments[0][1]
    ics = ics.decode() if isinstance(ics, bytes) else ics
    assert "METHOD:CANCEL" in ics and f"UID:{booking.uid}@clinic.test" in ics
    assert "This booking is cancelled" in client.get(url(booking)).content.decode()


def test_moving_shows_a_calendar_of_free_times(client, booking):
    html = client.get(url(booking, "move/") + "?date=2026-03-06").content.decode()
    assert 'type="radio" name="start"' in html


def test_moving_keeps_the_uid_and_emails_the_new_time(client, booking, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(booking, "move/"), {"start": "2026-03-06T19:00Z"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.starts_at == local(2026, 3, 6, 14)
    ics = mail.outbox[0].attachments[0][1]
    ics = ics.decode() if isinstance(ics, bytes) else ics
    assert f"UID:{booking.uid}@clinic.test" in ics and "SEQUENCE:1" in ics and "METHOD:REQUEST" in ics
    assert mail.outbox[0].subject.startswith("Your booking has moved")


def test_moving_onto_a_taken_time_answers_just_taken(client, booking):
    other = ClientDetails(name="Bo", email="bo@example.com", phone="1", consent=True)
    appointment_book(
        service=booking.service,
        therapist=booking.therapist,
        starts_at=local(2026, 3, 6, 14).astimezone(UTC),
        client=other,
    )
    response = client.post(url(booking, "move/"), {"start": "2026-03-06T19:00Z"})
    assert response.status_code == 409
    assert "That time was just taken" in response.content.decode()


def test_after_the_cutoff_the_page_shows_the_policy_and_phone_instead(client, booking, monday_morning):
    monday_morning.move_to(local(2026, 3, 4, 12))
    html = client.get(url(booking)).content.decode()
    assert "Cancel this booking" not in html
    assert "24 hours before" in html and "(617) 555-0142" in html


def test_cancelling_after_the_cutoff_is_refused(client, booking, monday_morning):
    monday_morning.move_to(local(2026, 3, 4, 12))
    response = client.post(url(booking, "cancel/"), follow=True)
    booking.refresh_from_db()
    assert booking.status == "booked"
    assert "Please call us instead" in response.content.decode()


def test_a_move_refused_for_too_many_changes_keeps_the_chosen_day_and_time(client, booking, rate_limit):
    rate_limit("bookings:manage", 1)
    assert client.post(url(booking, "move/"), {"start": "not a time"}).status_code == 400
    response = client.post(url(booking, "move/"), {"start": "2026-03-06T19:00Z"})
    html = response.content.decode()
    assert response.status_code == 429
    assert "Too many changes from your network" in html
    assert 'value="2026-03-06T19:00Z" required checked' in html
    booking.refresh_from_db()
    assert booking.starts_at == local(2026, 3, 5, 10)
