"""Booking from an empty slot: phone clients found by their record, walk-ins, past sessions, clashes."""

import pytest
from django.core import mail

from bookings.models import Appointment
from clients.models import Client, ClientIntake

pytestmark = pytest.mark.django_db


@pytest.fixture
def regular(busy_day):
    """Ana, who came before: her record has a phone, no email, notes and an intake."""
    ana = Client.objects.create(name="Ana Silva", phone="(617) 555-0142", notes="Prefers light pressure")
    from django.utils import timezone

    ClientIntake.objects.create(client=ana, taken_at=timezone.now(), medications="Warfarin", consent_at=timezone.now())
    return ana


def form_data(busy_day, **changes):
    therapist = busy_day["therapists"][4]
    data = {
        "service": busy_day["services"][1].pk,
        "therapist": therapist.pk,
        "date": "2026-03-05",
        "time": "16:00",
        "name": "Ben Okoro",
        "phone": "617 555 0199",
        "email": "",
        "consent": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_form_from_an_empty_slot_has_the_therapist_time_and_a_service_that_fits(desk, busy_day):
    therapist = busy_day["therapists"][4]
    html = desk.get(f"/staff/book/?start=2026-03-05T16:15-05:00&therapist={therapist.slug}").content.decode()
    assert f'<option value="{therapist.pk}" selected>' in html
    assert 'value="16:15"' in html and 'value="2026-03-05"' in html
    # An hour's classic massage does not fit before five o'clock: the express does.
    assert f'<option value="{busy_day["services"][1].pk}" selected>' in html


def test_searching_by_phone_finds_the_client_and_shows_her_notes_and_intake(desk, regular, busy_day):
    html = desk.post("/staff/book/", {"q": "555-0142"}).content.decode()
    assert f"client={regular.pk}" in html
    html = desk.get(f"/staff/book/?client={regular.pk}").content.decode()
    assert "Prefers light pressure" in html and "Warfarin" in html
    assert 'value="Ana Silva"' in html


def test_the_as_you_type_search_answers_in_json(desk, regular):
    data = desk.post("/staff/clients/search.json", {"q": "ana"}).json()
    assert data["clients"][0]["name"] == "Ana Silva"


def test_booking_an_existing_client_attaches_the_session_to_her_record_without_an_email(desk, regular, busy_day):
    mail.outbox.clear()
    response = desk.post("/staff/book/", form_data(busy_day, client=regular.pk, name="Ana Silva", phone=regular.phone))
    assert response.status_code == 302
    appointment = Appointment.objects.get(client=regular)
    assert appointment.booked_by.username == "desk" and appointment.client_email == ""
    from core.models import OutgoingEmail

    sent_to = [
        email.recipients for email in OutgoingEmail.objects.filter(reference=f"appointment {appointment.pk}: booked")
    ]
    assert all("" not in recipients for recipients in sent_to)


def test_a_client_with_an_email_is_sent_the_confirmation(desk, busy_day):
    from core.models import OutgoingEmail

    desk.post("/staff/book/", form_data(busy_day, email="ben@example.com"))
    appointment = Appointment.objects.get(client_name="Ben Okoro")
    assert OutgoingEmail.objects.filter(recipients=["ben@example.com"]).exists()
    assert appointment.client.email_verified


def test_a_new_client_needs_a_phone_or_an_email(desk, busy_day):
    response = desk.post("/staff/book/", form_data(busy_day, phone="", email=""))
    assert "Give a phone number or an email" in response.content.decode()
    assert 'value="Ben Okoro"' in response.content.decode()  # nothing typed is lost


def test_a_clash_offers_the_nearest_free_times_as_buttons_that_keep_what_was_typed(desk, busy_day):
    busy = busy_day["therapists"][4]  # an express at 3:15, free from 4:00
    response = desk.post(
        "/staff/book/",
        form_data(busy_day, therapist=busy.pk, time="15:15", override_notice="on", medications="Aspirin"),
    )
    html = response.content.decode()
    assert "Someone is already booked then" in html
    assert 'name="pick" value="2026-03-05T' in html
    assert "Aspirin" in html
    pick = html.split('name="pick" value="')[1].split('"')[0]
    data = form_data(busy_day, therapist=busy.pk, time="15:15", override_notice="on")
    response = desk.post("/staff/book/", {**data, "pick": pick})
    assert response.status_code == 302
    assert Appointment.objects.get(client_name="Ben Okoro").therapist == busy


def test_a_past_time_says_so_and_is_booked_when_recorded_as_a_past_session(desk, busy_day, at_nine):
    at_nine.shift(8 * 3600)  # 5 PM
    response = desk.post("/staff/book/", form_data(busy_day))
    assert "That time has already passed" in response.content.decode()
    response = desk.post("/staff/book/", form_data(busy_day, record_past="on"))
    assert response.status_code == 302
    assert Appointment.objects.filter(client_name="Ben Okoro").exists()


def test_a_walk_in_opens_at_the_current_time_step_recorded_as_happening_now(desk, busy_day, at_nine):
    at_nine.shift(7 * 60 * 60 + 7 * 60)  # 4:07 PM
    html = desk.get("/staff/book/?walk_in=1").content.decode()
    assert 'value="16:00"' in html
    assert 'name="record_past" class="form-check-input" id="id_record_past" checked' in html


def test_the_notice_window_can_be_overridden_but_never_into_a_double_booking(desk, busy_day, at_nine):
    from bookings.models import BookingPolicy

    BookingPolicy.objects.create(min_notice_minutes=24 * 60)
    response = desk.post("/staff/book/", form_data(busy_day))
    assert "notice for a booking" in response.content.decode()
    assert desk.post("/staff/book/", form_data(busy_day, override_notice="on")).status_code == 302
    again = desk.post("/staff/book/", form_data(busy_day, override_notice="on", name="Cleo", phone="1234"))
    assert "Someone is already booked then" in again.content.decode()
    assert list(
        Appointment.objects.filter(client_name__in=["Ben Okoro", "Cleo"]).values_list("client_name", flat=True)
    ) == ["Ben Okoro"]
