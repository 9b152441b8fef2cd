import random
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import translation

from bookings.availability import slots_available
from bookings.models import BookingPolicy
from core.clinictime import clinic_isoformat, clinic_time
from tests.factories import AppointmentFactory, clinic_with_hours

from .conftest import local
from .test_availability_reference import random_clinic

pytestmark = pytest.mark.django_db
URL = "/api/availability/"


@pytest.fixture
def scene(monday_morning):
    return clinic_with_hours(start=time(9), end=time(11), duration_minutes=60, therapists=2, rooms=2)


def test_availability_lists_slots_with_offsets_and_therapist(client, scene):
    service, (first, _), _ = scene
    response = client.get(
        URL, {"service": service.slug, "therapist": first.slug, "start": "2026-03-03", "end": "2026-03-03"}
    )
    assert response.status_code == 200
    data = response.json()
    assert data["timezone"] == "America/New_York"
    assert data["slots"][0] == {
        "start": "2026-03-03T09:00:00-05:00",
        "end": "2026-03-03T10:00:00-05:00",
        "label": "9:00 AM",
        "therapist": first.slug,
    }
    assert len(data["slots"]) == 5


def test_labels_on_the_fall_back_day_tell_the_two_one_oclocks_apart(client, monday_morning):
    service, _, _ = clinic_with_hours(
        weekdays=[6], start=time(0, 30), end=time(2, 30), duration_minutes=60, cleanup_minutes=0
    )
    BookingPolicy.objects.create(slot_step_minutes=30, max_advance_days=800)
    data = client.get(URL, {"service": service.slug, "start": "2027-11-07", "end": "2027-11-07"}).json()
    assert [(slot["start"], slot["label"]) for slot in data["slots"]] == [
        ("2027-11-07T00:30:00-04:00", "12:30 AM EDT"),
        ("2027-11-07T01:00:00-04:00", "1:00 AM EDT"),
        ("2027-11-07T01:30:00-04:00", "1:30 AM EDT"),
        ("2027-11-07T01:00:00-05:00", "1:00 AM EST"),
        ("2027-11-07T01:30:00-05:00", "1:30 AM EST"),
    ]


def test_availability_without_therapist_means_any(client, scene):
    service, (first, second), _ = scene
    AppointmentFactory(service=service, therapist=first, starts_at=local(2026, 3, 3, 9))
    data = client.get(URL, {"service": service.slug, "start": "2026-03-03", "end": "2026-03-03"}).json()
    assert [slot["therapist"] for slot in data["slots"]] == [second.slug] * 5


def test_availability_is_cacheable_briefly(client, scene):
    service, _, _ = scene
    response = client.get(URL, {"service": service.slug, "start": "2026-03-03", "end": "2026-03-03"})
    # 30 seconds in all: in the browser, fresh in a shared cache, and stale while it refreshes.
    assert response["Cache-Control"] == "public, max-age=3, s-maxage=21, stale-while-revalidate=6"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2026-03-03", "end": "2026-03-04"}, "'service' parameter is required"),
        ({"service": "nope", "start": "2026-03-03", "end": "2026-03-04"}, "Unknown service"),
        (
            {"service": "<service>", "therapist": "nobody", "start": "2026-03-03", "end": "2026-03-04"},
            "Unknown therapist",
        ),
        ({"service": "<service>", "start": "2026-3-3", "end": "2026-03-04"}, "YYYY-MM-DD"),
        ({"service": "<service>", "start": "2026-02-30", "end": "2026-03-04"}, "YYYY-MM-DD"),
        ({"service": "<service>", "start": "2026-03-04", "end": "2026-03-03"}, "must not be before"),
        ({"service": "<service>", "start": "2026-03-01", "end": "2026-05-02"}, "at most 62 days"),
    ],
)
def test_bad_parameters_get_a_400_with_a_json_message(client, scene, params, message):
    service, _, _ = scene
    params = {key: service.slug if value == "<service>" else value for key, value in params.items()}
    response = client.get(URL, params)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_sixty_two_days_is_allowed(client, scene):
    service, _, _ = scene
    response = client.get(URL, {"service": service.slug, "start": "2026-03-01", "end": "2026-05-01"})
    assert response.status_code == 200


def test_the_labels_follow_the_active_language_from_one_request_to_the_next(client, scene):
    service, _, _ = scene
    asked = {"service": service.slug, "start": "2026-03-03", "end": "2026-03-03"}
    for language in ("de", "en-us", "de"):
        with translation.override(language):
            slots = client.get(URL, asked).json()["slots"]
            assert [slot["label"] for slot in slots] == [
                clinic_time(datetime.fromisoformat(slot["start"])) for slot in slots
            ]
    with translation.override("de"), translation.override("en-us"):
        assert client.get(URL, asked).json()["slots"][0]["label"] == "9:00 AM"


def test_a_month_of_any_therapist_takes_a_constant_number_of_queries(
    client, scene, django_assert_max_num_queries, django_assert_num_queries
):
    service, therapists, rooms = scene
    for day in range(3, 28):
        AppointmentFactory(service=service, therapist=therapists[0], room=rooms[0], starts_at=local(2026, 3, day, 9))
    # The first reads the policy, the service, its team and its setting, and keeps them; then the busy time.
    with django_assert_max_num_queries(5):
        response = client.get(URL, {"service": service.slug, "start": "2026-03-01", "end": "2026-03-31"})
    assert response.status_code == 200
    assert response.json()["slots"]
    # Every month after that reads only its busy time.
    for therapist in ("any", therapists[1].slug):
        with django_assert_num_queries(1):
            response = client.get(
                URL, {"service": service.slug, "therapist": therapist, "start": "2026-03-02", "end": "2026-04-01"}
            )
        assert response.status_code == 200
        assert response.json()["slots"]


@pytest.mark.skipif(
    connection.vendor != "postgresql" or "prepare_threshold" not in settings.DATABASES["default"].get("OPTIONS", {}),
    reason="prepared statements are PostgreSQL's, and on only with DATABASE_PREPARED_STATEMENTS=true",
)
def test_postgresql_prepares_the_months_busy_time_once_and_runs_it_again_for_every_month(client, scene):
    service, therapists, rooms = scene
    AppointmentFactory(service=service, therapist=therapists[0], room=rooms[0], starts_at=local(2026, 3, 3, 9))
    for therapist in ("any", therapists[1].slug, "any"):
        response = client.get(
            URL, {"service": service.slug, "therapist": therapist, "start": "2026-03-02", "end": "2026-04-01"}
        )
        assert response.status_code == 200
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans + custom_plans FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%FROM bookings_appointment%"],
        )
        assert cursor.fetchall() == [(3,)]


@pytest.mark.parametrize(
    ("seed", "first", "change"),
    [(seed, date(2026, 3, 4), date(2026, 3, 8)) for seed in (0, 3)]
    + [(seed, date(2026, 10, 29), date(2026, 11, 1)) for seed in (7, 10)],
)
def test_each_time_reads_as_its_slot_converted_on_its_own_across_a_clock_change(client, seed, first, change):
    """The API writes a day's times from epoch seconds and one offset; the sweep's own slots, each converted
    alone, must read the same, on the day the clocks change and the days around it."""
    now = datetime(2026, 3, 2, 12, tzinfo=UTC) if first.month == 3 else datetime(2026, 10, 28, 12, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        service, therapists, _ = random_clinic(random.Random(seed), first=first, days=7)
        last = first + timedelta(days=7)
        for therapist in [None, *therapists]:
            params = {"service": service.slug, "start": first.isoformat(), "end": last.isoformat()}
            if therapist is not None:
                params["therapist"] = therapist.slug
            slots = slots_available(service=service, therapist=therapist, start=first, end=last, others=False)
            if therapist is None:
                assert any(slot.local_start.date() == change for slot in slots)
            assert client.get(URL, params).json()["slots"] == [
                {
                    "start": clinic_isoformat(slot.start),
                    "end": clinic_isoformat(slot.end),
                    "label": clinic_time(slot.start),
                    "therapist": slot.therapist.slug,
                }
                for slot in slots
            ]
