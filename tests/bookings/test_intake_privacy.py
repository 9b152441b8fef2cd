"""Intake answers are read only by the session's therapist, the front desk and superusers; never
in emails, calendar feeds, URLs, history or logs."""

import logging
from datetime import UTC, time

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail

from bookings.models import Appointment
from bookings.services import ClientDetails, appointment_book
from bookings.tokens import feed_token, manage_token
from tests.factories import AppointmentFactory, StaffUserFactory, UserFactory, clinic_with_hours

from .conftest import local

pytestmark = pytest.mark.django_db
SECRET = "Warfarin 5mg"
SCHEDULE = "/staff/schedule/?date=2026-03-05"


@pytest.fixture
def scene(monday_morning):
    service, (maya, tom), (room, second_room) = clinic_with_hours(
        start=time(9), end=time(17), duration_minutes=60, therapists=2, rooms=2
    )
    maya.user = StaffUserFactory(username="maya")
    maya.save()
    tom.user = StaffUserFactory(username="tom")
    tom.save()
    mayas = AppointmentFactory(
        service=service,
        therapist=maya,
        room=room,
        starts_at=local(2026, 3, 5, 10),
        client_name="Ana Silva",
        intake_medications=SECRET,
    )
    toms = AppointmentFactory(
        service=service,
        therapist=tom,
        room=second_room,
        starts_at=local(2026, 3, 5, 10),
        client_name="Ben Okoro",
        intake_allergies="Almond oil",
    )
    return mayas, toms


def login(client, user):
    client.force_login(user)
    return client


def with_appointment_permissions(user):
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_appointment", "change_appointment", "add_appointment"])
    )
    return user


def front_desk_user():
    user = StaffUserFactory(username="desk")
    user.groups.add(Group.objects.get_or_create(name="Front desk")[0])
    return with_appointment_permissions(user)


def test_the_therapist_reads_the_intake_of_their_own_session_on_the_schedule(client, scene):
    mayas, _ = scene
    html = login(client, mayas.therapist.user).get(SCHEDULE).content.decode()
    assert SECRET in html


def test_another_therapist_never_reads_it_even_asking_for_the_colleagues_schedule(client, scene):
    mayas, _ = scene
    html = login(client, StaffUserFactory(username="tom")).get(SCHEDULE + "&therapist=" + mayas.therapist.slug)
    html = html.content.decode()
    assert SECRET not in html and "Ana Silva" not in html
    assert "Almond oil" in html


def test_the_front_desk_reads_every_intake_at_the_desk(client, scene):
    login(client, front_desk_user())
    html = "".join(client.get(f"/staff/sessions/{appointment.pk}/").content.decode() for appointment in scene)
    assert SECRET in html and "Almond oil" in html


def test_a_superuser_reads_every_intake_in_the_admin(client, scene):
    mayas, _ = scene
    login(client, UserFactory(username="boss", is_staff=True, is_superuser=True))
    assert SECRET in client.get(f"/admin/bookings/appointment/{mayas.pk}/change/").content.decode()


def test_staff_with_admin_access_but_no_need_see_only_that_intake_was_provided(client, scene):
    mayas, _ = scene
    bookkeeper = with_appointment_permissions(StaffUserFactory(username="books"))
    html = login(client, bookkeeper).get(f"/admin/bookings/appointment/{mayas.pk}/change/").content.decode()
    assert SECRET not in html
    assert 'name="intake_medications"' not in html
    assert "Intake provided" in html


def test_staff_without_the_need_cannot_overwrite_the_intake_through_the_admin(client, scene):
    mayas, _ = scene
    login(client, with_appointment_permissions(StaffUserFactory(username="books")))
    data = {
        "service": mayas.service.pk,
        "therapist": mayas.therapist.pk,
        "starts_at_0": "2026-03-05",
        "starts_at_1": "10:00:00",
        "status": "booked",
        "client_name": "Ana Silva",
        "client_email": mayas.client_email,
        "client_phone": mayas.client_phone,
        "intake_medications": "",
    }
    assert client.post(f"/admin/bookings/appointment/{mayas.pk}/change/", data).status_code == 302
    mayas.refresh_from_db()
    assert mayas.intake_medications == SECRET


def test_a_therapist_with_admin_access_reads_only_their_own_sessions_intake(client, scene):
    mayas, toms = scene
    login(client, with_appointment_permissions(mayas.therapist.user))
    assert SECRET in client.get(f"/admin/bookings/appointment/{mayas.pk}/change/").content.decode()
    assert "Almond oil" not in client.get(f"/admin/bookings/appointment/{toms.pk}/change/").content.decode()


def test_the_front_desk_reads_intake_in_the_admin(client, scene):
    mayas, toms = scene
    login(client, front_desk_user())
    assert SECRET in client.get(f"/admin/bookings/appointment/{mayas.pk}/change/").content.decode()


def test_the_admin_list_and_search_never_show_intake(client, scene):
    login(client, UserFactory(username="boss", is_staff=True, is_superuser=True))
    html = client.get("/admin/bookings/appointment/").content.decode()
    assert "Ana Silva" in html and SECRET not in html
    assert "Ana Silva" not in client.get("/admin/bookings/appointment/?q=Warfarin").content.decode()


def test_the_therapists_calendar_feed_says_only_whether_intake_was_provided(client, scene):
    mayas, _ = scene
    body = client.get(f"/calendar/{feed_token(mayas.therapist)}.ics").content.decode()
    assert "Intake provided: yes" in body and "Warfarin" not in body


def test_booking_with_intake_keeps_it_out_of_urls_emails_and_logs(
    client, scene, caplog, django_capture_on_commit_callbacks
):
    mayas, _ = scene
    caplog.set_level(logging.DEBUG)
    service, therapist = mayas.service, mayas.therapist
    details = f"/book/details/?service={service.slug}&therapist={therapist.slug}&start=2026-03-05T19:00Z"
    form_page = client.get(details).content.decode()
    assert 'method="post"' in form_page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            details,
            {
                "start": "2026-03-05T19:00Z",
                "name": "Cleo Park",
                "email": "cleo@example.com",
                "phone": "617 555 0199",
                "medications": "Lisinopril daily",
                "consent": "on",
            },
        )
    assert response.status_code == 302 and "Lisinopril" not in response["Location"]
    confirmed = client.get(response["Location"])
    assert "Lisinopril" not in confirmed.content.decode()
    booking = Appointment.objects.get(client_email="cleo@example.com")
    assert booking.intake_medications == "Lisinopril daily"
    assert "Lisinopril" not in manage_token(booking)
    assert mail.outbox and all("Lisinopril" not in str(message.message()) for message in mail.outbox)
    assert caplog.records and all("Lisinopril" not in record.getMessage() for record in caplog.records)


def test_a_refused_booking_logs_no_intake_either(client, scene, caplog):
    mayas, _ = scene
    caplog.set_level(logging.DEBUG)
    client_details = ClientDetails(name="X", email="x@example.com", phone="1", medications="Metformin", consent=True)
    appointment_book(
        service=mayas.service,
        therapist=mayas.therapist,
        starts_at=local(2026, 3, 5, 14).astimezone(UTC),
        client=client_details,
    )
    details = f"/book/details/?service={mayas.service.slug}&therapist={mayas.therapist.slug}&start=2026-03-05T19:00Z"
    response = client.post(
        details,
        {
            "start": "2026-03-05T19:00Z",
            "name": "Dee",
            "email": "dee@example.com",
            "phone": "1",
            "medications": "Metformin twice",
            "consent": "on",
        },
    )
    assert response.status_code == 409
    assert caplog.records and all("Metformin" not in record.getMessage() for record in caplog.records)
