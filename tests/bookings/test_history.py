import json
from datetime import UTC, time

import pytest
from django.contrib.auth.models import Group

from bookings.models import Appointment, BookingEvent
from bookings.moves import appointment_reschedule
from bookings.refusals import SlotTaken
from bookings.services import ClientDetails, appointment_book, appointment_details_update
from bookings.status_changes import appointment_cancel
from bookings.tokens import manage_token
from tests.factories import AppointmentFactory, StaffUserFactory, UserFactory, clinic_with_hours

from .conftest import local

pytestmark = pytest.mark.django_db
CLIENT = ClientDetails(name="Ana Silva", email="ana@example.com", phone="1", consent=True, medications="Warfarin")


@pytest.fixture
def scene(monday_morning):
    service, (therapist,), _ = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60)
    return service, therapist


@pytest.fixture
def booking(scene):
    service, therapist = scene
    return appointment_book(
        service=service, therapist=therapist, starts_at=local(2026, 3, 5, 10).astimezone(UTC), client=CLIENT
    )


def test_an_online_booking_is_recorded_as_booked_by_the_client(booking):
    event = booking.events.get()
    assert (event.action, event.actor_kind, event.actor) == ("booked", "client", None)
    assert event.changes["time"] == [None, "2026-03-05 10:00 EST"]
    assert event.changes["intake"] == "provided"


def test_a_phone_booking_is_recorded_with_the_staff_user_who_made_it(scene):
    service, therapist = scene
    desk = StaffUserFactory(username="desk")
    appointment = appointment_book(
        service=service,
        therapist=therapist,
        starts_at=local(2026, 3, 5, 10).astimezone(UTC),
        client=CLIENT,
        source=Appointment.Source.STAFF,
        booked_by=desk,
    )
    event = appointment.events.get()
    assert (event.actor_kind, event.actor, event.actor_name, event.who) == ("staff", desk, "desk", "desk")


def test_a_move_through_the_manage_link_records_the_client_and_the_old_and_new_time(client, booking):
    response = client.post(f"/book/manage/{manage_token(booking)}/move/", {"start": "2026-03-06T15:00Z"})
    assert response.status_code == 302
    moved = booking.events.get(action="moved")
    assert moved.actor_kind == "client"
    assert moved.changes == {"time": ["2026-03-05 10:00 EST", "2026-03-06 10:00 EST"]}


def test_a_cancellation_through_the_manage_link_records_the_client(client, booking):
    client.post(f"/book/manage/{manage_token(booking)}/cancel/")
    cancelled = booking.events.get(action="cancelled")
    assert (cancelled.actor_kind, cancelled.changes) == ("client", {"status": ["Booked", "Cancelled"]})


def test_a_move_on_the_staff_page_records_the_staff_user(client, booking):
    desk = StaffUserFactory(username="desk")
    desk.groups.add(Group.objects.get_or_create(name="Front desk")[0])
    client.force_login(desk)
    response = client.post(
        f"/staff/appointments/{booking.pk}/move/", {"date": "2026-03-05", "time": "14:00", "override_notice": "on"}
    )
    assert response.status_code == 302
    moved = booking.events.get(action="moved")
    assert (moved.actor_kind, moved.actor_name) == ("staff", "desk")


def test_a_refused_move_leaves_no_history_entry(scene, booking):
    service, therapist = scene
    AppointmentFactory(service=service, therapist=therapist, room=booking.room, starts_at=local(2026, 3, 6, 10))
    with pytest.raises(SlotTaken):
        appointment_reschedule(appointment=booking, starts_at=local(2026, 3, 6, 10).astimezone(UTC), by_client=True)
    assert list(booking.events.values_list("action", flat=True)) == ["booked"]


def test_a_change_with_no_user_is_recorded_as_the_system(booking):
    appointment_cancel(appointment=booking, by_client=False)
    assert booking.events.get(action="cancelled").who == "system"


def test_intake_changes_are_recorded_without_the_answers(booking):
    desk = StaffUserFactory(username="desk")
    appointment_details_update(
        appointment=booking, changed_by=desk, details={"intake_medications": "Ibuprofen", "client_phone": "2"}
    )
    event = booking.events.get(action="details_changed")
    assert event.changes == {"phone": ["1", "2"], "intake": "updated"}
    every_entry = json.dumps(list(BookingEvent.objects.values("changes")))
    assert "Warfarin" not in every_entry and "Ibuprofen" not in every_entry


def test_notes_changes_are_recorded_without_the_text(scene):
    service, therapist = scene
    with_notes = ClientDetails(name="Ana Silva", email="ana@example.com", phone="1", consent=True, notes="Sore hip")
    booking = appointment_book(
        service=service, therapist=therapist, starts_at=local(2026, 3, 5, 11).astimezone(UTC), client=with_notes
    )
    appointment_details_update(appointment=booking, changed_by=None, details={"notes": "Sore knee"})
    assert [event.changes["notes"] for event in booking.events.order_by("pk")] == ["provided", "updated"]
    every_entry = json.dumps(list(BookingEvent.objects.values("changes")))
    assert "Sore hip" not in every_entry and "Sore knee" not in every_entry


def test_saving_details_unchanged_writes_no_history_entry(booking):
    appointment_details_update(appointment=booking, changed_by=None, details={"client_name": "Ana Silva"})
    assert booking.events.count() == 1


def test_staff_see_the_history_read_only_in_the_appointment_admin(client, booking):
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    client.post(f"/book/manage/{manage_token(booking)}/cancel/")
    html = client.get(f"/admin/bookings/appointment/{booking.pk}/change/").content.decode()
    assert "Who changed this booking, when, and what changed" in html
    assert "<td>client</td><td>Cancelled</td><td>status: Booked → Cancelled</td>" in html


def test_an_admin_edit_records_the_staff_user_and_what_changed(client, booking):
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    data = {
        "service": booking.service.pk,
        "therapist": booking.therapist.pk,
        "starts_at_0": "2026-03-05",
        "starts_at_1": "10:00:00",
        "status": "booked",
        "client_name": "Ana Silva-Reis",
        "client_email": "ana@example.com",
        "client_phone": "1",
        "intake_medications": "Warfarin",
    }
    response = client.post(f"/admin/bookings/appointment/{booking.pk}/change/", data)
    assert response.status_code == 302
    event = booking.events.get(action="details_changed")
    assert (event.actor_name, event.changes) == ("boss", {"name": ["Ana Silva", "Ana Silva-Reis"]})
