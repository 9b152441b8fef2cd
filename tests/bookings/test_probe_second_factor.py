"""A therapist's schedule shows intake answers, so a session signed in without the second factor the
admin asks for (OTP_REQUIRED_FOR_HEALTH_DATA) is sent to sign in with one, as on the desk and in the admin."""

from datetime import UTC

import pytest

from bookings.services import ClientDetails, appointment_book
from tests.bookings.conftest import local
from tests.factories import StaffUserFactory, clinic_with_hours

pytestmark = pytest.mark.django_db


@pytest.fixture
def therapist_login(monday_morning, client):
    service, (therapist,), _ = clinic_with_hours(duration_minutes=60)
    therapist.user = StaffUserFactory(username="maya")
    therapist.save()
    details = ClientDetails(name="Ana Silva", email="ana@example.com", phone="1", medications="Warfarin", consent=True)
    appointment = appointment_book(
        service=service, therapist=therapist, starts_at=local(2026, 3, 5, 10).astimezone(UTC), client=details
    )
    client.force_login(therapist.user)
    return client, appointment


def test_a_therapist_without_a_second_factor_is_sent_to_sign_in_before_reading_intake(therapist_login, settings):
    settings.OTP_REQUIRED_FOR_HEALTH_DATA = True
    client, _ = therapist_login
    response = client.get("/staff/schedule/", {"date": "2026-03-05"})
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert "Warfarin" not in response.content.decode()


def test_a_therapist_without_a_second_factor_cannot_mark_a_session(therapist_login, settings):
    settings.OTP_REQUIRED_FOR_HEALTH_DATA = True
    client, appointment = therapist_login
    response = client.post(f"/staff/appointments/{appointment.pk}/mark/", {"status": "no_show"})
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    appointment.refresh_from_db()
    assert appointment.status == "booked"


def test_without_the_rule_the_therapist_reads_their_own_schedule(therapist_login, settings):
    settings.OTP_REQUIRED_FOR_HEALTH_DATA = False
    client, _ = therapist_login
    response = client.get("/staff/schedule/", {"date": "2026-03-05"})
    assert response.status_code == 200
    assert "Ana Silva" in response.content.decode()
