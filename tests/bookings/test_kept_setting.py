"""The availability API keeps each service's setting (team, rooms, hours, closures) and the policy in the
cache: every change to them shows in the very next answer, however it was written."""

from datetime import date, time

import pytest
from django.core.cache import cache

from bookings import availability
from bookings.availability import slots_available
from bookings.models import BookingPolicy, Closure, WorkingHours
from bookings.sweep_reads import setting_read
from core.generations import generation_current
from core.httpcache import pages_generation
from tests.factories import RoomFactory, TherapistFactory, clinic_with_hours

pytestmark = pytest.mark.django_db
URL = "/api/availability/"


@pytest.fixture
def scene(monday_morning, settings):
    # Every answer runs the view, so what it shows is what the kept setting says.
    settings.PUBLIC_PAGE_CACHE = False
    BookingPolicy.objects.create(slot_step_minutes=60)
    return clinic_with_hours(start=time(9), end=time(12), duration_minutes=60, therapists=2, rooms=1)


def times(client, service, day: int, therapist: str = "any") -> list[tuple[str, str]]:
    """The (start, therapist) of each time on 2026-03-<day>."""
    on = f"2026-03-{day:02d}"
    response = client.get(URL, {"service": service.slug, "therapist": therapist, "start": on, "end": on})
    assert response.status_code == 200, response.content
    return [(slot["start"][11:16], slot["therapist"]) for slot in response.json()["slots"]]


def test_working_hours_changed_show_in_the_next_answer(client, scene, django_assert_num_queries):
    service, (first, second), _ = scene
    assert times(client, service, 4, first.slug) == [
        ("09:00", first.slug),
        ("10:00", first.slug),
        ("11:00", first.slug),
    ]
    with django_assert_num_queries(1):
        times(client, service, 5, first.slug)  # kept: only the busy time is read
    hours = WorkingHours.objects.get(therapist=first, weekday=date(2026, 3, 4).weekday())
    hours.end_time = time(11)
    hours.save()
    assert times(client, service, 4, first.slug) == [("09:00", first.slug), ("10:00", first.slug)]
    hours.delete()
    assert times(client, service, 4, first.slug) == []
    assert times(client, service, 4) == [("09:00", second.slug), ("10:00", second.slug), ("11:00", second.slug)]


def test_a_room_taken_out_of_use_shows_in_the_next_answer(client, scene):
    service, _, (room,) = scene
    assert times(client, service, 4)
    room.is_active = False
    room.save()
    assert times(client, service, 4) == []
    other = RoomFactory()
    service.rooms.add(other)
    assert [start for start, _ in times(client, service, 4)] == ["09:00", "10:00", "11:00"]


def test_a_closure_shows_in_the_next_answer_and_its_removal_too(client, scene):
    service, _, _ = scene
    assert times(client, service, 4)
    closure = Closure.objects.create(starts_on=date(2026, 3, 4), ends_on=date(2026, 3, 5), reason="Renovation")
    assert times(client, service, 4) == []
    assert times(client, service, 5) == []
    assert times(client, service, 6)
    closure.delete()
    assert times(client, service, 4)


def test_a_new_policy_shows_in_the_next_answer(client, scene):
    service, (first, _), _ = scene
    assert times(client, service, 4, first.slug) == [
        ("09:00", first.slug),
        ("10:00", first.slug),
        ("11:00", first.slug),
    ]
    policy = BookingPolicy.current()
    policy.slot_step_minutes = 30
    policy.save()
    assert [start for start, _ in times(client, service, 4, first.slug)] == [
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
    ]


def test_a_therapist_joining_or_leaving_a_service_shows_in_the_next_answer(client, scene):
    service, (first, second), _ = scene
    assert times(client, service, 4)
    first.services.remove(service)
    second.is_bookable_online = False
    second.save()
    assert times(client, service, 4) == []
    response = client.get(
        URL, {"service": service.slug, "therapist": first.slug, "start": "2026-03-04", "end": "2026-03-04"}
    )
    assert response.status_code == 400
    assert response.json() == {"error": f"Unknown therapist '{first.slug}' for this service."}
    newcomer = TherapistFactory(services=[service])
    WorkingHours.objects.create(therapist=newcomer, weekday=2, start_time=time(9), end_time=time(10))
    assert times(client, service, 4) == [("09:00", newcomer.slug)]


def test_a_service_switched_off_is_unknown_in_the_next_answer(client, scene):
    service, _, _ = scene
    assert times(client, service, 4)
    service.is_active = False
    service.save()
    response = client.get(URL, {"service": service.slug, "start": "2026-03-04", "end": "2026-03-04"})
    assert response.status_code == 400
    assert response.json() == {"error": f"Unknown service '{service.slug}'."}


@pytest.mark.parametrize("slug", ["massage 60", "x" * 121, "ma\u00dfage", "a\nb", "%00", "-" * 120 + "z"])
def test_a_service_slug_that_names_nothing_is_answered_plainly(client, scene, slug):
    response = client.get(URL, {"service": slug, "start": "2026-03-04", "end": "2026-03-04"})
    assert response.status_code == 400
    assert response.json() == {"error": f"Unknown service '{slug[:120]}'."}


def test_a_setting_kept_by_the_previous_release_is_not_read_during_a_deploy(client, scene):
    """The previous release kept a ``Setting`` without ``reading`` under ``bookings:setting:<slug>``; while old
    and new processes share one cache, the new ones must neither crash on it nor trust it."""
    service, _, _ = scene
    times(client, service, 4)  # the token now exists
    old = setting_read(service=service, online_only=True, since=date(2026, 3, 1), until=date.max)
    del old.__dict__["reading"]
    token = generation_current(pages_generation("bookings"))
    cache.set(f"bookings:setting:{service.slug}", (token, old), 300)
    assert [start for start, _ in times(client, service, 5)] == ["09:00", "10:00", "11:00"]


def test_a_full_store_of_working_time_grids_drops_the_oldest_and_every_answer_stays_right(client, scene, monkeypatch):
    """Each process keeps the grids it works out from a kept setting, a few at most: asking for more ranges than
    it keeps drops the oldest, and every answer is still the sweep's own."""
    service, (first, second), _ = scene
    monkeypatch.setattr(availability, "SCHEDULES_KEPT", 2)
    monkeypatch.setattr(availability, "_SCHEDULES", {})
    for day in (4, 5, 6, 9, 4, 5):
        expected = [
            (slot.local_start.strftime("%H:%M"), slot.therapist.slug)
            for slot in slots_available(service=service, start=date(2026, 3, day), end=date(2026, 3, day), others=False)
        ]
        assert expected
        assert times(client, service, day) == expected
        assert len(availability._SCHEDULES) <= 2
