import re
from datetime import time

import pytest
from django.core import mail
from django.test import Client

from bookings.models import Appointment
from bookings.params import format_start
from tests.factories import AppointmentFactory, clinic_with_hours

from .conftest import local

pytestmark = pytest.mark.django_db
DETAILS = {
    "name": "Ana Silva",
    "email": "ana@example.com",
    "phone": "617 555 0199",
    "notes": "First visit",
    "areas_to_avoid": "Left knee",
    "consent": "on",
}


@pytest.fixture
def scene(monday_morning):
    return clinic_with_hours(start=time(9), end=time(11), duration_minutes=60)


def details_url(service, therapist="any", start="2026-03-03T14:00Z"):
    return f"/book/details/?service={service.slug}&therapist={therapist}&start={start}"


def test_the_first_step_lists_the_services(client, scene):
    service, _, _ = scene
    response = client.get("/book/")
    assert f'href="?service={service.slug}"' in response.content.decode()


def test_choosing_a_service_offers_its_therapists_and_first_available(client, scene):
    service, (therapist,), _ = scene
    html = client.get(f"/book/?service={service.slug}").content.decode()
    assert "First available" in html
    assert f"therapist={therapist.slug}" in html


def test_a_therapist_deep_link_lists_only_their_services(client, scene):
    service, (therapist,), _ = scene
    other = clinic_with_hours()[0]
    html = client.get(f"/book/?therapist={therapist.slug}").content.decode()
    assert service.name in html
    assert other.name not in html


def test_the_month_calendar_labels_days_with_their_number_of_times(client, scene):
    service, (therapist,), _ = scene
    html = client.get(f"/book/?service={service.slug}&therapist={therapist.slug}").content.decode()
    assert "<table" in html
    assert 'aria-label="Tuesday 3 March, 5 times available"' in html


def test_choosing_a_day_lists_its_times_as_links_to_the_details_step(client, scene):
    service, _, _ = scene
    html = client.get(f"/book/?service={service.slug}&therapist=any&date=2026-03-03").content.decode()
    assert "9:00 AM" in html
    assert "start=2026-03-03T14%3A00Z" in html


def test_the_calendar_page_takes_a_constant_number_of_queries(client, scene, django_assert_max_num_queries):
    service, (therapist,), _ = scene
    for day in range(3, 20):
        AppointmentFactory(service=service, therapist=therapist, starts_at=local(2026, 3, day, 9))
    with django_assert_max_num_queries(12):
        assert client.get(f"/book/?service={service.slug}&therapist=any").status_code == 200


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("service=nope", 404, "couldn&#x27;t find that service"),
        ("service={service}&therapist=nobody", 404, "couldn&#x27;t find that therapist"),
        ("service={service}&therapist=any&month=2026-13", 400, "That date doesn"),
        ("service={service}&therapist=any&date=03/03/2026", 400, "That date doesn"),
    ],
)
def test_bad_choices_get_a_clear_message(client, scene, query, status, message):
    service, _, _ = scene
    response = client.get("/book/?" + query.format(service=service.slug))
    assert response.status_code == status
    assert message in response.content.decode()


def test_details_page_shows_the_chosen_time(client, scene):
    service, _, _ = scene
    html = client.get(details_url(service)).content.decode()
    # An ordinary day: the time alone, and the zone named once as people say it.
    assert "Tuesday 3 March 2026, 9:00 AM</p>" in html
    assert "Times are in the clinic's time, Eastern Time — New York<span data-zone-elsewhere></span>." in html


def test_details_page_with_a_malformed_time_answers_400(client, scene):
    service, _, _ = scene
    assert client.get(details_url(service, start="yesterday")).status_code == 400


def test_booking_confirms_and_emails_the_client_a_manage_link(client, scene, django_capture_on_commit_callbacks):
    service, _, _ = scene
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(details_url(service), {**DETAILS, "start": "2026-03-03T14:00Z"})
    assert response.status_code == 302
    assert "You're booked" in client.get(response["Location"]).content.decode()
    appointment = Appointment.objects.get()
    assert appointment.intake_areas_to_avoid == "Left knee"
    manage_link = re.search(r"https://clinic.test(/book/manage/\S+/)", mail.outbox[0].body).group(1)
    token = manage_link.split("/")[3]
    assert len(token) >= 40
    assert appointment.client_email not in token and str(appointment.uid) not in token
    assert client.get(manage_link).status_code == 200


def test_a_slot_taken_meanwhile_says_so_offers_alternatives_and_keeps_the_input(client, scene):
    service, (therapist,), _ = scene
    AppointmentFactory(service=service, therapist=therapist, starts_at=local(2026, 3, 3, 9))
    response = client.post(details_url(service), {**DETAILS, "start": "2026-03-03T14:00Z"})
    html = response.content.decode()
    assert response.status_code == 409
    assert "That time was just taken" in html
    assert 'value="Ana Silva"' in html and "Left knee" in html
    assert 'type="radio" name="start"' in html


def test_consent_is_required_and_nothing_typed_is_lost(client, scene):
    service, _, _ = scene
    response = client.post(details_url(service), {**DETAILS, "consent": "", "start": "2026-03-03T14:00Z"})
    assert response.status_code == 400
    assert "Please confirm your consent" in response.content.decode()
    assert 'value="ana@example.com"' in response.content.decode()
    assert not Appointment.objects.exists()


def test_oversized_fields_get_a_message_not_an_error(client, scene):
    service, _, _ = scene
    response = client.post(details_url(service), {**DETAILS, "name": "x" * 500, "start": "2026-03-03T14:00Z"})
    assert response.status_code == 400
    assert "Ensure this value has at most 120 characters" in response.content.decode()


def test_a_past_time_is_refused(client, scene):
    service, _, _ = scene
    response = client.post(details_url(service), {**DETAILS, "start": "2026-03-01T14:00Z"})
    assert response.status_code == 422
    assert "That time has already passed" in response.content.decode()
    assert not Appointment.objects.exists()


def test_a_time_off_the_grid_is_refused(client, scene):
    service, _, _ = scene
    response = client.post(details_url(service), {**DETAILS, "start": "2026-03-03T14:07Z"})
    assert response.status_code == 422
    assert "Sessions start every 15 minutes" in response.content.decode()


def test_booking_is_rate_limited(client, scene, rate_limit):
    rate_limit("bookings:book", 10)
    service, _, _ = scene
    for _ in range(10):
        client.post(details_url(service), {**DETAILS, "consent": "", "start": "2026-03-03T14:00Z"})
    response = client.post(details_url(service), {**DETAILS, "start": "2026-03-03T14:00Z"})
    assert response.status_code == 429
    assert 'value="Ana Silva"' in response.content.decode()


def test_fifty_clients_behind_one_office_address_all_book_within_a_minute(monday_morning):
    service, _, _ = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60, cleanup_minutes=0)
    starts = [local(2026, 3, day, hour) for day in range(3, 10) for hour in range(9, 17)][:50]
    statuses = []
    for n, starts_at in enumerate(starts):
        person = Client(REMOTE_ADDR="203.0.113.10")  # every client's requests leave the office through one NAT
        for day in range(3, 8):  # the calendar's JavaScript asks for each day the client looks at
            person.get(f"/api/availability/?service={service.slug}&start=2026-03-0{day}&end=2026-03-0{day}")
        url = details_url(service, start=format_start(starts_at))
        details = {**DETAILS, "email": f"client{n}@example.com", "start": format_start(starts_at)}
        first_try = person.post(url, {**details, "consent": ""})
        statuses.append((first_try.status_code, person.post(url, details).status_code))
    assert statuses == [(400, 302)] * 50
    assert Appointment.objects.count() == 50
    late = Client(REMOTE_ADDR="203.0.113.10").post(
        details_url(service, start=format_start(starts[0])), {**DETAILS, "start": format_start(starts[0])}
    )
    assert late.status_code == 409  # a contested time is decided by "just taken", not by the rate limit


def test_one_address_hammering_the_booking_form_is_still_stopped(client, scene, settings):
    service, _, _ = scene
    limit, _ = settings.RATE_LIMITS["bookings:book"]
    statuses = {client.post(details_url(service), {**DETAILS, "consent": ""}).status_code for _ in range(limit)}
    assert statuses == {400}
    assert client.post(details_url(service), DETAILS).status_code == 429
    assert not Appointment.objects.exists()


def test_a_refused_attempt_costs_the_client_half_of_what_a_booking_costs(client, scene, rate_limit):
    rate_limit("bookings:book", 10)
    service, _, _ = scene
    starts = [f"2026-03-0{day}T14:00Z" for day in range(3, 9)]  # 9 a.m. on six days
    for start in starts[:5]:  # five bookings use up the budget of ten
        assert client.post(details_url(service, start=start), {**DETAILS, "start": start}).status_code == 302
    assert client.post(details_url(service, start=starts[5]), {**DETAILS, "start": starts[5]}).status_code == 429

    client.cookies.clear()
    other = Client(REMOTE_ADDR="198.51.100.9")
    for _ in range(9):  # nine refusals leave room for a booking
        assert other.post(details_url(service), {**DETAILS, "consent": ""}).status_code == 400
    assert other.post(details_url(service, start=starts[5]), {**DETAILS, "start": starts[5]}).status_code == 302
