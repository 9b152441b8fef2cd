"""Hostile input at every public bookings endpoint: never a 500, never a partial write, never script in the page."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import example, given
from hypothesis import strategies as st

from bookings.models import Appointment, BookingEvent
from bookings.services import ClientDetails, appointment_book
from bookings.tokens import feed_token, manage_token
from core.models import OutgoingEmail
from tests.factories import clinic_with_hours
from tests.fuzz import (
    CONTENT_TYPES,
    FUZZ,
    SCRIPT_PAYLOADS,
    TRIED,
    assert_safe,
    encoded,
    hostile_params,
    hostile_value,
    query,
    raw_get,
    raw_post,
    row_counts,
    texts_sent,
    token_variants,
)

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")
WRITES = (Appointment, BookingEvent, OutgoingEmail)
DETAIL_FIELDS = [
    "start",
    "name",
    "email",
    "phone",
    "notes",
    "areas_to_avoid",
    "pregnant",
    "injuries",
    "medications",
    "allergies",
    "consent",
    "newsletter",
]


@pytest.fixture
def scene():
    with time_machine.travel(datetime(2026, 3, 2, 7, 0, tzinfo=NEW_YORK), tick=False):
        service, (therapist,), _ = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60)
        booking = appointment_book(
            service=service,
            therapist=therapist,
            starts_at=datetime(2026, 3, 5, 15, 0, tzinfo=UTC),
            client=ClientDetails(name="Ana Silva", email="ana@example.com", phone="1", consent=True),
        )
        yield service, therapist, booking


def either_real_or_hostile(real: str):
    return st.one_of(st.just(real), hostile_value())


@FUZZ
@given(data=st.data())
def test_fuzz_the_booking_steps_never_fail(client, scene, data):
    service, therapist, _ = scene
    params = data.draw(hostile_params(["service", "therapist", "month", "date"]))
    params.setdefault("service", data.draw(either_real_or_hostile(service.slug)))
    params.setdefault("therapist", data.draw(either_real_or_hostile(therapist.slug)))
    TRIED["GET /book/"] += 1
    assert_safe(raw_get(client, "/book/", params), texts_sent(params))


@FUZZ
@given(data=st.data())
def test_fuzz_the_details_page_never_fails(client, scene, data):
    service, therapist, _ = scene
    params = {
        "service": data.draw(either_real_or_hostile(service.slug)),
        "therapist": data.draw(either_real_or_hostile(therapist.slug)),
        "start": data.draw(either_real_or_hostile("2026-03-05T18:00Z")),
    }
    TRIED["GET /book/details/"] += 1
    assert_safe(raw_get(client, "/book/details/", params), texts_sent(params))


VALID_DETAILS = {
    "start": "2026-03-06T15:00Z",
    "name": "Cleo Park",
    "email": "cleo@example.com",
    "phone": "617 555 0199",
    "consent": "on",
}


def details_form():
    hostile = hostile_params(DETAIL_FIELDS)
    return st.one_of(hostile, st.builds(lambda extra: {**VALID_DETAILS, **extra}, hostile))


@FUZZ
@given(form=details_form(), content_type=st.sampled_from(CONTENT_TYPES))
@example(form={**VALID_DETAILS, "medications": SCRIPT_PAYLOADS[0]}, content_type=CONTENT_TYPES[0])  # the "all" path
def test_fuzz_the_booking_form_never_fails_and_writes_all_or_nothing(client, scene, form, content_type):
    service, therapist, _ = scene
    before = row_counts(*WRITES)
    path = f"/book/details/?service={service.slug}&therapist={therapist.slug}&start=2026-03-06T15:00Z"
    response = raw_post(client, path, form, content_type=content_type)
    TRIED["POST /book/details/"] += 1
    assert_safe(response, texts_sent(form))
    after = row_counts(*WRITES)
    if response.status_code == 302:
        new = Appointment.objects.latest("pk")
        assert new.events.count() == 1 and after["OutgoingEmail"] > before["OutgoingEmail"]
        new.delete()  # free the time for the next input
    else:
        assert after == before


@FUZZ
@given(body=st.binary(max_size=2000), content_type=st.sampled_from(CONTENT_TYPES))
def test_fuzz_the_booking_form_survives_raw_garbage_bodies(client, scene, body, content_type):
    service, therapist, _ = scene
    before = row_counts(*WRITES)
    path = f"/book/details/?service={service.slug}&therapist={therapist.slug}&start=2026-03-06T15:00Z"
    TRIED["POST /book/details/ (raw body)"] += 1
    assert_safe(raw_post(client, path, {}, content_type=content_type, body=body))
    assert row_counts(*WRITES) == before


@FUZZ
@given(params=hostile_params(["service", "therapist", "start", "end"]), data=st.data())
def test_fuzz_the_availability_api_answers_json_and_never_fails(client, scene, params, data):
    service, therapist, _ = scene
    if data.draw(st.booleans()):
        params = {
            "service": service.slug,
            "therapist": therapist.slug,
            "start": "2026-03-03",
            "end": "2026-03-09",
            **{key: value for key, value in params.items() if key in ("start", "end")},
        }
    response = raw_get(client, "/api/availability/", params)
    TRIED["GET /api/availability/"] += 1
    assert_safe(response)
    assert response["Content-Type"] == "application/json"
    assert response.status_code in (200, 400, 429)


@FUZZ
@given(data=st.data(), action=st.sampled_from(["", "cancel/", "move/"]), method=st.sampled_from(["GET", "POST"]))
def test_fuzz_a_forged_manage_link_finds_nothing_and_changes_nothing(client, scene, data, action, method):
    _, _, booking = scene
    token = data.draw(token_variants(manage_token(booking)))
    before = row_counts(*WRITES)
    path = f"/book/manage/{encoded(token)}/{action}"
    form = {"start": "2026-03-06T15:00Z"}
    response = raw_post(client, path, form) if method == "POST" else raw_get(client, path, {})
    TRIED[f"{method} /book/manage/<forged token>/{action}"] += 1
    assert_safe(response, [token] if isinstance(token, str) else [])
    assert response.status_code in (400, 404, 405)
    assert row_counts(*WRITES) == before
    booking.refresh_from_db()
    assert (booking.status, booking.starts_at) == ("booked", datetime(2026, 3, 5, 15, 0, tzinfo=UTC))


@FUZZ
@given(body=hostile_params(["start"]), calendar=hostile_params(["month", "date"]))
def test_fuzz_moving_through_the_real_link_with_hostile_times_never_fails_or_half_moves(client, scene, body, calendar):
    _, _, booking = scene
    original = Appointment.objects.filter(pk=booking.pk).values("starts_at", "ends_at", "blocked_until").get()
    before = row_counts(*WRITES)
    path = f"/book/manage/{manage_token(booking)}/move/?{query(calendar)}"
    with time_machine.travel(datetime(2026, 3, 2, 12, 0, tzinfo=NEW_YORK), tick=False):
        response = raw_post(client, path, body)
    TRIED["POST /book/manage/<token>/move/"] += 1
    assert_safe(response, texts_sent(body) + texts_sent(calendar))
    booking.refresh_from_db()
    if booking.starts_at != original["starts_at"]:  # a hostile value that happened to name a free time
        assert response.status_code == 302
        assert row_counts(*WRITES)["BookingEvent"] == before["BookingEvent"] + 1
        Appointment.objects.filter(pk=booking.pk).update(**original)
    else:
        assert row_counts(*WRITES) == before


@FUZZ
@given(data=st.data())
def test_fuzz_a_forged_calendar_feed_address_is_a_404(client, scene, data):
    _, therapist, _ = scene
    token = data.draw(token_variants(feed_token(therapist)))
    response = raw_get(client, f"/calendar/{encoded(token)}.ics", {})
    TRIED["GET /calendar/<forged token>.ics"] += 1
    assert_safe(response)
    assert response.status_code in (400, 404)
