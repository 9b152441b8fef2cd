from datetime import time

import pytest
from django.utils.html import escape

from bookings.models import Appointment, Therapist
from bookings.tokens import feed_token
from tests.factories import AppointmentFactory, StaffUserFactory, UserFactory, clinic_with_hours

from .conftest import local

pytestmark = pytest.mark.django_db
SCHEDULE = "/staff/schedule/"


@pytest.fixture
def scene(monday_morning):
    service, (maya, tom), (room,) = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60, therapists=2)
    maya.user = StaffUserFactory(username="maya")
    maya.save()
    return service, maya, tom, room


def test_the_schedule_needs_a_staff_login(client, scene):
    response = client.get(SCHEDULE)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_who_are_neither_front_desk_nor_therapists_are_turned_away(client, scene):
    client.force_login(StaffUserFactory())
    assert client.get(SCHEDULE).status_code == 403


def test_the_front_desk_sees_everyones_day_with_intake_flags(front_desk, scene, django_assert_max_num_queries):
    service, maya, tom, room = scene
    AppointmentFactory(
        service=service,
        therapist=maya,
        room=room,
        starts_at=local(2026, 3, 3, 10),
        client_name="Ana Silva",
        intake_pregnant=True,
    )
    AppointmentFactory(service=service, therapist=tom, starts_at=local(2026, 3, 3, 12), client_name="Bo Chen")
    response = front_desk.get(SCHEDULE + "?date=2026-03-03")
    assert response["Location"] == "/staff/?date=2026-03-03"  # the front desk's day grid
    with django_assert_max_num_queries(16):
        html = front_desk.get(response["Location"]).content.decode()
    assert "Ana Silva" in html and "Bo Chen" in html
    assert "Intake: pregnant" in html


def test_the_week_view_filters_by_room(front_desk, scene):
    service, maya, tom, room = scene
    AppointmentFactory(
        service=service, therapist=maya, room=room, starts_at=local(2026, 3, 5, 10), client_name="Ana Silva"
    )
    AppointmentFactory(service=service, therapist=tom, starts_at=local(2026, 3, 4, 12), client_name="Bo Chen")
    response = front_desk.get(SCHEDULE + f"?date=2026-03-05&view=week&room={room.slug}")
    assert response["Location"] == "/staff/week/?date=2026-03-05&by=room"
    html = front_desk.get("/staff/?date=2026-03-05&by=room").content.decode()
    assert f">{room.name}</h2>" in html and "Ana Silva" in html


def test_a_therapist_sees_only_their_own_schedule(client, scene):
    service, maya, tom, room = scene
    AppointmentFactory(
        service=service, therapist=maya, room=room, starts_at=local(2026, 3, 3, 10), client_name="Ana Silva"
    )
    AppointmentFactory(service=service, therapist=tom, starts_at=local(2026, 3, 3, 12), client_name="Bo Chen")
    client.force_login(maya.user)
    html = client.get(SCHEDULE + f"?date=2026-03-03&therapist={tom.slug}").content.decode()
    assert "Ana Silva" in html and "Bo Chen" not in html


def test_marking_a_started_session_completed(front_desk, scene, monday_morning):
    service, maya, _, room = scene
    appointment = AppointmentFactory(service=service, therapist=maya, room=room, starts_at=local(2026, 3, 2, 6))
    front_desk.post(f"/staff/appointments/{appointment.pk}/mark/", {"status": "completed"})
    appointment.refresh_from_db()
    assert appointment.status == "completed"


def test_the_schedule_offers_exactly_the_outcomes_the_service_accepts(front_desk, scene, monday_morning):
    service, maya, tom, room = scene
    started = AppointmentFactory(service=service, therapist=maya, room=room, starts_at=local(2026, 3, 2, 6))
    ahead = AppointmentFactory(service=service, therapist=maya, room=room, starts_at=local(2026, 3, 2, 10))
    cancelled = AppointmentFactory(service=service, therapist=tom, starts_at=local(2026, 3, 2, 5), status="cancelled")
    completed = AppointmentFactory(service=service, therapist=tom, starts_at=local(2026, 3, 2, 3), status="completed")
    pages = {
        a.pk: front_desk.get(f"/staff/sessions/{a.pk}/").content.decode()
        for a in (started, ahead, cancelled, completed)
    }
    offered = [
        {name for name, button in (("completed", "Completed…"), ("no_show", "No-show…")) if button in pages[a.pk]}
        for a in (started, ahead, cancelled, completed)
    ]
    assert offered == [{"completed", "no_show"}, set(), set(), {"no_show"}]
    front_desk.post(f"/staff/appointments/{completed.pk}/mark/", {"status": "no_show"})
    completed.refresh_from_db()
    assert completed.status == "no_show"


def test_a_therapist_cannot_mark_someone_elses_session(client, scene):
    service, maya, tom, _ = scene
    appointment = AppointmentFactory(service=service, therapist=tom, starts_at=local(2026, 3, 2, 6))
    client.force_login(maya.user)
    assert client.post(f"/staff/appointments/{appointment.pk}/mark/", {"status": "no_show"}).status_code == 403


def phone_booking(service, therapist, **extra):
    return {
        "service": service.pk,
        "therapist": therapist.pk,
        "date": "2026-03-02",
        "time": "08:00",
        "name": "Phone Client",
        "email": "phone@example.com",
        "phone": "617 555 0123",
        **extra,
    }


def test_the_front_desk_books_a_phone_client_inside_the_notice_window_with_override(front_desk, scene):
    service, maya, _, _ = scene
    Therapist.objects.filter(pk=maya.pk).update(is_bookable_online=False)
    monday_hours = maya.working_hours.get(weekday=0)
    monday_hours.start_time = time(8)
    monday_hours.save()
    refused = front_desk.post("/staff/appointments/new/", phone_booking(service, maya))
    assert refused.status_code == 422
    assert "We need at least 2 hours&#x27; notice for a booking. Tick “Override the notice" in refused.content.decode()
    response = front_desk.post("/staff/appointments/new/", phone_booking(service, maya, override_notice="on"))
    assert response.status_code == 302
    assert Appointment.objects.get().source == "staff"


def test_the_front_desk_cannot_double_book_even_with_override(front_desk, scene):
    service, maya, _, room = scene
    AppointmentFactory(service=service, therapist=maya, room=room, starts_at=local(2026, 3, 3, 10))
    response = front_desk.post(
        "/staff/appointments/new/", phone_booking(service, maya, date="2026-03-03", time="10:00", override_notice="on")
    )
    assert "That time was just taken" in response.content.decode()
    assert Appointment.objects.count() == 1


def test_a_time_in_the_spring_forward_gap_is_explained(front_desk, scene):
    service, maya, _, _ = scene
    response = front_desk.post(
        "/staff/appointments/new/", phone_booking(service, maya, date="2026-03-08", time="02:30")
    )
    assert "does not exist on this day" in response.content.decode()


def test_the_front_desk_moves_a_booking(front_desk, scene):
    service, maya, _, room = scene
    appointment = AppointmentFactory(service=service, therapist=maya, room=room, starts_at=local(2026, 3, 3, 10))
    response = front_desk.post(f"/staff/appointments/{appointment.pk}/move/", {"date": "2026-03-04", "time": "15:00"})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.starts_at == local(2026, 3, 4, 15)


def test_moving_onto_a_taken_time_lists_the_nearest_free_ones(front_desk, scene):
    service, maya, _, room = scene
    AppointmentFactory(service=service, therapist=maya, room=room, starts_at=local(2026, 3, 3, 10))
    moving = AppointmentFactory(service=service, therapist=maya, room=room, starts_at=local(2026, 3, 4, 10))
    response = front_desk.post(f"/staff/appointments/{moving.pk}/move/", {"date": "2026-03-03", "time": "10:00"})
    html = response.content.decode()
    assert response.status_code == 409
    assert "That time was just taken" in html
    assert (
        f'name="pick" value="2026-03-03T16:15Z|{maya.pk}">Move to Tue 3 Mar, 11:15 AM with {escape(maya.name)}' in html
    )


def test_booking_or_moving_to_a_therapist_who_does_not_give_the_service_says_why(front_desk, scene):
    service, maya, tom, room = scene
    tom.services.remove(service)
    expected = f"{tom.name} doesn&#x27;t offer {service.name}. Choose another therapist."
    booked = front_desk.post(
        "/staff/appointments/new/", phone_booking(service, tom, date="2026-03-03", time="10:00", override_notice="on")
    )
    assert expected in booked.content.decode()
    assert not Appointment.objects.filter(therapist=tom).exists()

    appointment = AppointmentFactory(service=service, therapist=maya, room=room, starts_at=local(2026, 3, 3, 10))
    moved = front_desk.post(
        f"/staff/appointments/{appointment.pk}/move/", {"therapist": tom.pk, "date": "2026-03-04", "time": "15:00"}
    )
    assert expected in moved.content.decode()
    appointment.refresh_from_db()
    assert (appointment.therapist, appointment.starts_at) == (maya, local(2026, 3, 3, 10))


def test_the_therapist_feed_lists_their_active_sessions(client, scene):
    service, maya, tom, room = scene
    AppointmentFactory(
        service=service, therapist=maya, room=room, starts_at=local(2026, 3, 3, 10), client_name="Ana Silva"
    )
    AppointmentFactory(
        service=service, therapist=maya, starts_at=local(2026, 3, 3, 14), status="cancelled", client_name="Gone"
    )
    AppointmentFactory(service=service, therapist=tom, starts_at=local(2026, 3, 3, 12), client_name="Bo Chen")
    response = client.get(f"/calendar/{feed_token(maya)}.ics")
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert "Ana Silva" in body and "Gone" not in body and "Bo Chen" not in body


def test_revoking_the_feed_retires_the_old_address(client, scene):
    _, maya, _, _ = scene
    old = f"/calendar/{feed_token(maya)}.ics"
    client.force_login(maya.user)
    client.post("/staff/feed/revoke/")
    maya.refresh_from_db()
    assert client.get(old).status_code == 404
    assert client.get(f"/calendar/{feed_token(maya)}.ics").status_code == 200


def test_a_tampered_feed_token_is_a_404(client, scene):
    assert client.get("/calendar/forged:token.ics").status_code == 404


def test_non_staff_users_are_sent_to_log_in(client, scene):
    client.force_login(UserFactory())
    assert client.get(SCHEDULE).status_code == 302
