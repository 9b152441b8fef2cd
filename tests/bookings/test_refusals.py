"""Every reason a start is refused, on each path a start can take: the client's booking, the client's
move through the manage link, and the front desk's phone bookings and moves.

The scene: Monday 2 March 2026, 07:00 in New York; one therapist and one room, 9 AM to 5 PM every
day; 60-minute sessions with 15 minutes' cleanup; four hours' notice, 60 days ahead, a 15-minute grid.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from html import unescape

import pytest

from bookings.availability import slot_find
from bookings.models import Appointment, BookingPolicy, Closure, Room, TimeOff
from bookings.params import format_start
from bookings.refusals import Reason, start_refusal
from bookings.tokens import manage_token
from tests.factories import AppointmentFactory, WorkingHoursFactory, clinic_with_hours

from .conftest import NEW_YORK, local

pytestmark = pytest.mark.django_db

CLIENT = {"name": "Ana Silva", "email": "ana@example.com", "phone": "617 555 0199", "consent": "on"}
PHONE_CLIENT = {"name": "Phone Client", "email": "phone@example.com", "phone": "617 555 0123"}
# Where Ana's booking is before a move, and what every refused move must leave alone.
BOOKED_AT = local(2026, 3, 5, 10)


@dataclass(frozen=True)
class Case:
    reason: Reason
    starts_at: datetime
    status: int
    says: str
    # The nearest free times offered (UTC, as the forms carry them); None: only that some are.
    nearest: tuple[str, ...] | None


def _utc(moment: datetime) -> str:
    return format_start(moment)


CASES = [
    Case(
        Reason.PAST,
        local(2026, 3, 1, 10),
        422,
        "That time has already passed.",
        ("2026-03-02T16:00Z", "2026-03-02T16:15Z", "2026-03-02T16:30Z"),
    ),
    Case(
        Reason.TOO_SOON,
        local(2026, 3, 2, 10),
        422,
        "We need at least 4 hours' notice for a booking.",
        ("2026-03-02T16:00Z", "2026-03-02T16:15Z", "2026-03-02T16:30Z"),
    ),
    Case(
        Reason.TOO_FAR,
        local(2026, 5, 10, 10),
        422,
        "Bookings open 60 days ahead, so the last day you can book now is Friday 1 May 2026.",
        ("2026-05-01T15:45Z", "2026-05-01T16:00Z", "2026-05-01T16:15Z"),
    ),
    Case(Reason.CLOSED, local(2026, 3, 10, 10), 422, "The clinic is closed on Tuesday 10 March.", None),
    Case(
        Reason.OUTSIDE_HOURS,
        local(2026, 3, 3, 16, 30),
        422,
        "doesn't work at that time: a 60-minute session has to start and end within",
        ("2026-03-03T20:30Z", "2026-03-03T20:45Z", "2026-03-03T21:00Z"),
    ),
    Case(
        Reason.OFF_GRID,
        local(2026, 3, 3, 10, 7),
        422,
        "Sessions start every 15 minutes from the start of working hours, and that time falls between two of them.",
        ("2026-03-03T15:00Z", "2026-03-03T15:15Z", "2026-03-03T14:45Z"),
    ),
    Case(
        Reason.TIME_OFF,
        local(2026, 3, 3, 12),
        422,
        "is away at that time.",
        ("2026-03-03T15:15Z", "2026-03-03T15:30Z", "2026-03-03T15:45Z"),
    ),
    Case(
        Reason.TAKEN,
        local(2026, 3, 4, 15),
        409,
        "That time was just taken.",
        ("2026-03-04T18:15Z", "2026-03-04T18:30Z", "2026-03-04T18:45Z"),
    ),
    Case(Reason.UNAVAILABLE, local(2026, 3, 3, 10), 422, "can't be booked at the moment. Please call us", ()),
]
IDS = [case.reason.value for case in CASES]


@pytest.fixture
def scene(monday_morning):
    service, (therapist,), (room,) = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60)
    BookingPolicy.objects.create(min_notice_minutes=240, max_advance_days=60, slot_step_minutes=15)
    Closure.objects.create(starts_on=date(2026, 3, 10), ends_on=date(2026, 3, 10), reason="Renovation")
    TimeOff.objects.create(therapist=therapist, starts_at=local(2026, 3, 3, 12), ends_at=local(2026, 3, 3, 14))
    AppointmentFactory(service=service, therapist=therapist, room=room, starts_at=local(2026, 3, 4, 15))
    return service, therapist, room


@pytest.fixture
def ana(scene):
    service, therapist, room = scene
    return AppointmentFactory(
        service=service, therapist=therapist, room=room, starts_at=BOOKED_AT, client_name="Ana Silva"
    )


def _set_the_scene_for(case: Case, room: Room) -> None:
    if case.reason == Reason.UNAVAILABLE:
        Room.objects.filter(pk=room.pk).update(is_active=False)


def _offered(html: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}"[^>]*value="([^"|]+)', html)


def _assert_answer(response, case: Case, *, name: str) -> str:
    html = response.content.decode()
    assert response.status_code == case.status
    assert case.says in unescape(html)
    if case.reason != Reason.TAKEN:
        assert "just taken" not in html
    offered = _offered(html, name)
    if case.nearest is None:
        assert offered
    else:
        assert sorted(offered) == sorted(case.nearest)
    if offered:
        assert "Here are the nearest free times." in html
    return html


def _details_url(service, therapist, starts_at) -> str:
    return f"/book/details/?service={service.slug}&therapist={therapist.slug}&start={_utc(starts_at)}"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_client_booking_is_refused_with_its_reason_and_keeps_what_they_typed(client, scene, case):
    service, therapist, room = scene
    _set_the_scene_for(case, room)
    response = client.post(_details_url(service, therapist, case.starts_at), {**CLIENT, "start": _utc(case.starts_at)})
    html = _assert_answer(response, case, name="start")
    assert 'value="Ana Silva"' in html
    assert Appointment.objects.filter(client_email="ana@example.com").count() == 0


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_client_following_a_link_to_a_time_they_cannot_book_is_told_why(client, scene, case):
    service, therapist, room = scene
    _set_the_scene_for(case, room)
    _assert_answer(client.get(_details_url(service, therapist, case.starts_at)), case, name="start")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_client_move_is_refused_with_its_reason_and_the_booking_stays(client, scene, ana, case):
    _set_the_scene_for(case, scene[2])
    response = client.post(f"/book/manage/{manage_token(ana)}/move/", {"start": _utc(case.starts_at)})
    _assert_answer(response, case, name="start")
    ana.refresh_from_db()
    assert (ana.starts_at, ana.sequence) == (BOOKED_AT, 0)


def _staff_time(case: Case) -> dict:
    moment = case.starts_at.astimezone(NEW_YORK)
    return {"date": moment.date().isoformat(), "time": f"{moment:%H:%M}"}


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_phone_booking_is_refused_with_its_reason(front_desk, scene, case):
    service, therapist, room = scene
    _set_the_scene_for(case, room)
    form = {"service": service.pk, "therapist": therapist.pk, **_staff_time(case), **PHONE_CLIENT}
    response = front_desk.post("/staff/appointments/new/", form)
    html = _assert_answer(response, case, name="pick")
    assert 'value="Phone Client"' in html
    assert not Appointment.objects.filter(client_email="phone@example.com").exists()


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_front_desk_move_is_refused_with_its_reason(front_desk, scene, ana, case):
    _set_the_scene_for(case, scene[2])
    response = front_desk.post(f"/staff/appointments/{ana.pk}/move/", _staff_time(case))
    _assert_answer(response, case, name="pick")
    ana.refresh_from_db()
    assert ana.starts_at == BOOKED_AT


def test_the_front_desk_is_told_how_to_override_the_notice_and_clients_are_not(client, front_desk, scene):
    service, therapist, _ = scene
    too_soon = CASES[1]
    form = {"service": service.pk, "therapist": therapist.pk, **_staff_time(too_soon), **PHONE_CLIENT}
    staff_html = unescape(front_desk.post("/staff/appointments/new/", form).content.decode())
    assert "Tick “Override the notice and advance window” to book it anyway." in staff_html
    client_html = client.get(_details_url(service, therapist, too_soon.starts_at)).content.decode()
    assert "Override" not in client_html


def test_picking_one_of_the_nearest_times_books_it_with_what_was_typed(front_desk, scene):
    service, therapist, _ = scene
    form = {"service": service.pk, "therapist": "", **_staff_time(CASES[-2]), **PHONE_CLIENT}
    refused = front_desk.post("/staff/appointments/new/", form).content.decode()
    assert f'name="pick" value="2026-03-04T18:45Z|{therapist.pk}">Book Wed 4 Mar, 1:45 PM with ' in refused
    response = front_desk.post("/staff/appointments/new/", {**form, "pick": f"2026-03-04T18:45Z|{therapist.pk}"})
    assert response.status_code == 302
    booked = Appointment.objects.get(client_email="phone@example.com")
    assert (booked.starts_at, booked.therapist, booked.client_name) == (
        local(2026, 3, 4, 13, 45),
        therapist,
        "Phone Client",
    )


def test_a_malformed_start_is_a_bad_request_not_a_refusal(client, scene, ana):
    service, therapist, _ = scene
    url = f"/book/details/?service={service.slug}&therapist={therapist.slug}&start=tomorrow"
    assert client.get(url).status_code == 400
    assert client.post(url, {**CLIENT, "start": "tomorrow"}).status_code == 400
    assert client.post(f"/book/manage/{manage_token(ana)}/move/", {"start": "tomorrow"}).status_code == 400


def _refusal(service, therapist, starts_at, **options):
    return start_refusal(service=service, therapist=therapist, starts_at=starts_at.astimezone(UTC), **options)


def test_with_first_available_the_therapist_who_got_furthest_decides_the_reason(scene):
    service, maya, room = scene
    tom = clinic_with_hours(start=time(13), end=time(14), therapists=1)[1][0]
    tom.services.add(service)
    # 12:00: Maya is away, Tom has not started work yet — the answer is Maya's.
    assert _refusal(service, None, local(2026, 3, 3, 12)).reason == Reason.TIME_OFF
    # Wednesday 15:00: Maya is booked, Tom has gone home — the time is taken.
    assert _refusal(service, None, local(2026, 3, 4, 15)).reason == Reason.TAKEN
    # 20:00: nobody works.
    refusal = _refusal(service, None, local(2026, 3, 3, 20))
    assert refusal.reason == Reason.OUTSIDE_HOURS
    assert (
        refusal.message == f"None of our therapists who give {service.name} work at that time for a 60-minute session."
    )


def test_the_grid_steps_from_the_start_of_each_working_interval(scene):
    service, therapist, _ = scene
    WorkingHoursFactory(therapist=therapist, weekday=1, start_time=time(17, 10), end_time=time(19))
    assert slot_find(service=service, therapist=therapist, starts_at=local(2026, 3, 3, 17, 25).astimezone(UTC))
    assert _refusal(service, therapist, local(2026, 3, 3, 17, 20)).reason == Reason.OFF_GRID


def test_staff_overriding_the_notice_are_still_refused_the_past(scene):
    service, therapist, _ = scene
    assert _refusal(service, therapist, local(2026, 3, 2, 8), ignore_notice=True).reason == Reason.OUTSIDE_HOURS
    assert _refusal(service, therapist, local(2026, 3, 1, 10), ignore_notice=True).reason == Reason.PAST


def test_the_fall_back_hour_is_judged_on_elapsed_time(scene):
    service, therapist, _ = scene
    WorkingHoursFactory(therapist=therapist, weekday=6, start_time=time(0), end_time=time(8))
    BookingPolicy.objects.update(max_advance_days=400)
    # On Sunday 1 November 2026 the hours run nine elapsed hours: both 1:30s are on the grid…
    for fold in (0, 1):
        starts_at = local(2026, 11, 1, 1, 30, fold=fold).astimezone(UTC)
        assert slot_find(service=service, therapist=therapist, starts_at=starts_at)
    # …and 1:37 EST is between two starts, not outside the hours.
    assert _refusal(service, therapist, local(2026, 11, 1, 1, 37, fold=1)).reason == Reason.OFF_GRID
