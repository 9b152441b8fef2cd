from datetime import time

import pytest
from django.utils.html import escape

from bookings.models import Appointment, Therapist
from bookings.tokens import feed_token, therapist_from_feed_token
from tests.factories import AppointmentFactory, UserFactory, clinic_with_hours

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, monday_morning):
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def scene(monday_morning):
    return clinic_with_hours(start=time(9), end=time(17), duration_minutes=60)


def form_data(service, therapist, day="2026-03-03", clock="10:00:00", **extra):
    return {
        "service": service.pk,
        "therapist": therapist.pk,
        "starts_at_0": day,
        "starts_at_1": clock,
        "override_notice": "on",
        "status": "booked",
        "client_name": "Phone Client",
        "client_email": "phone@example.com",
        "client_phone": "617 555 0123",
        **extra,
    }


def test_the_admin_books_through_the_service(admin_client, scene):
    service, (therapist,), (room,) = scene
    response = admin_client.post("/admin/bookings/appointment/add/", form_data(service, therapist))
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert (appointment.room, appointment.source, appointment.starts_at) == (room, "admin", local(2026, 3, 3, 10))


@pytest.mark.parametrize(("day", "message"), [("9999-12-31", "years ahead"), ("0001-01-01", "a year ago")])
def test_the_admin_explains_a_mistyped_year_and_saves_nothing(admin_client, scene, day, message):
    service, (therapist,), _ = scene
    response = admin_client.post("/admin/bookings/appointment/add/", form_data(service, therapist, day=day))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Appointment.objects.exists()


def test_the_admin_cannot_double_book(admin_client, scene):
    service, (therapist,), (room,) = scene
    AppointmentFactory(service=service, therapist=therapist, room=room, starts_at=local(2026, 3, 3, 10, 30))
    response = admin_client.post("/admin/bookings/appointment/add/", form_data(service, therapist))
    assert response.status_code == 200
    assert "That time was just taken. Please pick another time." in response.content.decode()
    assert Appointment.objects.count() == 1


def test_the_admin_says_why_a_time_outside_working_hours_is_refused(admin_client, scene):
    service, (therapist,), _ = scene
    response = admin_client.post("/admin/bookings/appointment/add/", form_data(service, therapist, clock="18:00:00"))
    html = response.content.decode()
    assert f"{escape(therapist.name)} doesn&#x27;t work at that time" in html and "just taken" not in html
    assert not Appointment.objects.exists()


def test_the_admin_moves_a_booking_only_onto_a_free_time(admin_client, scene):
    service, (therapist,), (room,) = scene
    moving = AppointmentFactory(service=service, therapist=therapist, room=room, starts_at=local(2026, 3, 3, 10))
    AppointmentFactory(service=service, therapist=therapist, room=room, starts_at=local(2026, 3, 3, 14))
    url = f"/admin/bookings/appointment/{moving.pk}/change/"
    data = form_data(service, therapist, clock="14:30:00", client_name=moving.client_name)
    assert "That time was just taken. Please pick another time." in admin_client.post(url, data).content.decode()
    assert admin_client.post(url, {**data, "starts_at_1": "12:00:00"}).status_code == 302
    moving.refresh_from_db()
    assert (moving.starts_at, moving.sequence) == (local(2026, 3, 3, 12), 1)


def test_setting_status_cancelled_in_the_admin_cancels_through_the_service(admin_client, scene):
    service, (therapist,), (room,) = scene
    appointment = AppointmentFactory(service=service, therapist=therapist, room=room, starts_at=local(2026, 3, 3, 10))
    url = f"/admin/bookings/appointment/{appointment.pk}/change/"
    response = admin_client.post(url, form_data(service, therapist, status="cancelled", client_name="X"))
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancelled_at is not None, appointment.client_name) == (
        "cancelled",
        True,
        "X",
    )


def test_every_bookings_admin_page_loads(admin_client, scene):
    for model in ["room", "service", "therapist", "closure", "bookingpolicy", "appointment"]:
        assert admin_client.get(f"/admin/bookings/{model}/").status_code == 200
        assert admin_client.get(f"/admin/bookings/{model}/add/").status_code in (200, 403)


def test_the_admin_action_gives_the_selected_therapists_new_feed_addresses(admin_client, scene):
    _, (therapist,), _ = scene
    old_token = feed_token(therapist)
    data = {"action": "revoke_calendar_feed", "_selected_action": [therapist.pk]}
    assert admin_client.post("/admin/bookings/therapist/", data).status_code == 302
    assert therapist_from_feed_token(old_token) is None
    assert therapist_from_feed_token(feed_token(Therapist.objects.get())) is not None


def test_the_admin_cannot_set_a_cancelled_booking_back_to_booked(admin_client, scene):
    service, (therapist,), (room,) = scene
    appointment = AppointmentFactory(
        service=service, therapist=therapist, room=room, starts_at=local(2026, 3, 3, 10), status="cancelled"
    )
    url = f"/admin/bookings/appointment/{appointment.pk}/change/"
    response = admin_client.post(url, form_data(service, therapist, status="booked"), follow=True)
    assert "cannot be set back to booked" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
