"""The matching rules: which waiting person can take which freed start, and which start they get."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone

from bookings.status_changes import appointment_cancel
from tests.factories import RoomFactory, ServiceFactory, clinic_with_hours
from waitlist.entries import Window, move_earlier_request
from waitlist.matching import opening_matches
from waitlist.models import Offer, WaitlistPolicy

from .conftest import NEW_YORK, THURSDAY, book, join, local, opening_for

pytestmark = pytest.mark.django_db


def datetime_local(day, at):
    return datetime.combine(day, at, tzinfo=NEW_YORK).astimezone(UTC)


def matched(opening, **options):
    return [
        (match.entry.name, match.slot.start)
        for match in opening_matches(opening=opening, now=timezone.now(), **options)
    ]


def cancel_at_10_15(full_thursday):
    service, therapist, room, booked = full_thursday
    freed = booked[1]
    appointment_cancel(appointment=freed, by_client=False)
    return opening_for(therapist, freed.starts_at, source=freed)


def test_the_freed_start_goes_to_a_person_waiting_for_that_day(full_thursday):
    service, therapist, _, _ = full_thursday
    join(service, name="Bea Park")
    opening = cancel_at_10_15(full_thursday)
    assert matched(opening) == [("Bea Park", local(2026, 3, 5, 10, 15).astimezone(UTC))]


def test_nobody_is_offered_a_time_that_is_still_booked(full_thursday):
    service, therapist, _, booked = full_thursday
    join(service)
    assert matched(opening_for(therapist, booked[1].starts_at)) == []


def test_a_service_whose_cleanup_does_not_fit_the_gap_is_not_offered(full_thursday):
    service, therapist, room, _ = full_thursday
    longer_cleanup = ServiceFactory(duration_minutes=60, cleanup_minutes=30, rooms=[room])
    therapist.services.add(longer_cleanup)
    join(longer_cleanup, name="Cy Long")
    join(service, name="Di Short")
    opening = cancel_at_10_15(full_thursday)
    assert [name for name, _ in matched(opening)] == ["Di Short"]


def test_a_longer_session_that_runs_into_the_next_booking_is_not_offered(full_thursday):
    service, therapist, room, _ = full_thursday
    longer = ServiceFactory(duration_minutes=75, cleanup_minutes=15, rooms=[room])
    therapist.services.add(longer)
    join(longer, name="Cy Long")
    assert matched(cancel_at_10_15(full_thursday)) == []


def test_a_time_whose_rooms_are_all_busy_is_not_offered(monday_morning):
    service, (maya, daniel), (room,) = clinic_with_hours(start=time(9), end=time(17), therapists=2, rooms=1)
    other_room = RoomFactory()
    other = ServiceFactory(rooms=[other_room])
    maya.services.add(other)
    daniel.services.add(other)
    ten = local(2026, 3, 5, 10).astimezone(UTC)
    mayas = book(other, maya, ten, name="Ana Silva")  # Maya in the other room
    book(service, daniel, ten, name="Eli Daniels")  # Daniel holds the only room of ``service``
    join(service, therapist=maya, name="Fay Room")
    appointment_cancel(appointment=mayas, by_client=False)
    starts = [start for _, start in matched(opening_for(maya, ten))]
    assert ten not in starts
    assert all(start >= local(2026, 3, 5, 11, 15).astimezone(UTC) or start < ten for start in starts)


def test_a_person_needing_more_notice_than_is_left_is_skipped(full_thursday):
    service, _, _, _ = full_thursday
    join(service, name="Gil Notice", notice_minutes=4 * 24 * 60)  # four days; the time is in three
    join(service, name="Hal Ready", notice_minutes=3 * 60)
    assert [name for name, _ in matched(cancel_at_10_15(full_thursday))] == ["Hal Ready"]


def test_parts_of_the_day_are_read_on_the_clinic_clock(full_thursday):
    service, _, _, _ = full_thursday
    join(service, name="Ivy Afternoon", parts_of_day=["afternoon"])
    join(service, name="Jo Morning", parts_of_day=["morning", "evening"])
    assert [name for name, _ in matched(cancel_at_10_15(full_thursday))] == ["Jo Morning"]


def test_an_explicit_window_must_hold_the_whole_session(full_thursday):
    service, _, _, _ = full_thursday
    join(service, name="Kim Tight", windows=[Window(starts=time(10), ends=time(11))])  # 10:15–11:15 overflows
    join(service, name="Lou Wide", windows=[Window(starts=time(10), ends=time(11, 15))])
    assert [name for name, _ in matched(cancel_at_10_15(full_thursday))] == ["Lou Wide"]


def test_a_window_on_another_weekday_does_not_match(full_thursday):
    service, _, _, _ = full_thursday
    join(service, name="Max Friday", windows=[Window(starts=time(9), ends=time(17), weekday=4)])
    join(service, name="Ned Thursday", windows=[Window(starts=time(9), ends=time(17), weekday=3)])
    assert [name for name, _ in matched(cancel_at_10_15(full_thursday))] == ["Ned Thursday"]


def test_a_person_whose_dates_do_not_include_the_day_is_skipped(full_thursday):
    service, _, _, _ = full_thursday
    join(service, name="Oli Later", days=(date(2026, 3, 6), date(2026, 3, 9)))
    join(service, name="Pat Span", days=(date(2026, 3, 3), date(2026, 3, 9)))
    assert [name for name, _ in matched(cancel_at_10_15(full_thursday))] == ["Pat Span"]


def test_matches_come_in_joining_order(full_thursday):
    service, _, _, _ = full_thursday
    with time_machine.travel(local(2026, 3, 2, 7, 0), tick=False):
        join(service, name="Quin First")
    with time_machine.travel(local(2026, 3, 2, 6, 0), tick=False):
        join(service, name="Rae Earlier")  # joined an hour before Quin
    with time_machine.travel(local(2026, 3, 2, 7, 0), tick=False):
        assert [name for name, _ in matched(cancel_at_10_15(full_thursday))] == ["Rae Earlier", "Quin First"]


def test_a_named_therapist_is_matched_only_to_their_own_time(monday_morning):
    service, (maya, daniel), _ = clinic_with_hours(start=time(9), end=time(10, 15), therapists=2, rooms=2)
    ten = local(2026, 3, 5, 9).astimezone(UTC)
    mayas = book(service, maya, ten, name="Ana Silva")
    book(service, daniel, ten, name="Eli Daniels")
    join(service, therapist=daniel, name="Sam Daniel")
    join(service, therapist=None, name="Tess Anyone")
    appointment_cancel(appointment=mayas, by_client=False)
    assert matched(opening_for(maya, ten)) == [("Tess Anyone", ten)]


def test_nobody_is_offered_the_same_time_twice(full_thursday):
    service, therapist, _, booked = full_thursday
    entry = join(service, name="Uma Again")
    first = cancel_at_10_15(full_thursday)
    Offer.objects.create(
        opening=first,
        entry=entry,
        therapist=therapist,
        starts_at=booked[1].starts_at,
        offered_at=first.opened_at,
        expires_at=first.opened_at + timedelta(minutes=15),
        state=Offer.State.LAPSED,
    )
    second = opening_for(therapist, booked[1].starts_at)  # the same time, announced again
    assert matched(second) == []
    assert matched(first) == []  # and never twice from one opening either


def test_a_person_who_had_the_days_offers_gets_no_more_today(full_thursday):
    service, therapist, _, booked = full_thursday
    WaitlistPolicy.objects.create(max_offers_per_day=1)
    earlier = join(service, name="Vic Busy", days=(date(2026, 3, 3), THURSDAY))
    join(service, name="Wes Free")
    elsewhere = opening_for(therapist, local(2026, 3, 3, 9).astimezone(UTC))
    Offer.objects.create(
        opening=elsewhere,
        entry=earlier,
        therapist=therapist,
        starts_at=elsewhere.starts_at,
        offered_at=elsewhere.opened_at,
        expires_at=elsewhere.opened_at + timedelta(minutes=15),
    )
    assert [name for name, _ in matched(cancel_at_10_15(full_thursday))] == ["Wes Free"]


def test_the_start_at_the_opening_is_preferred_over_an_earlier_one(monday_morning):
    service, (therapist,), _ = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60)
    noon = local(2026, 3, 5, 12).astimezone(UTC)
    join(service, name="Xan Fit")
    # The whole day is free: many starts overlap the stretch; the one at its start leaves no gap.
    assert matched(opening_for(therapist, noon)) == [("Xan Fit", noon)]


def test_on_the_spring_forward_day_windows_keep_their_wall_clock_meaning(monday_morning):
    sunday = date(2026, 3, 8)  # New York springs forward at 2 AM
    service, (therapist,), _ = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60)
    ten = datetime_local(sunday, time(10))
    first = book(service, therapist, ten, name="Ana Silva")
    for hour, minute in [(11, 15), (12, 30), (13, 45), (15, 0)]:
        book(service, therapist, datetime_local(sunday, time(hour, minute)), name=f"C {hour}")
    join(service, name="Zed Late", days=(sunday, sunday), windows=[Window(starts=time(10, 30), ends=time(11, 30))])
    join(service, name="Yul Ten", days=(sunday, sunday), windows=[Window(starts=time(10), ends=time(11, 15))])
    appointment_cancel(appointment=first, by_client=False)
    result = matched(opening_for(therapist, ten))
    assert result == [("Yul Ten", ten)]
    assert ten.astimezone(NEW_YORK).utcoffset() == timedelta(hours=-4)  # EDT: 14:00 UTC is 10 AM there


def test_move_earlier_matches_only_times_before_the_booking(full_thursday):
    service, therapist, _, booked = full_thursday
    friday = book(service, therapist, local(2026, 3, 6, 14).astimezone(UTC), name="Ann Mover")
    move_earlier_request(appointment=friday)
    assert [name for name, _ in matched(cancel_at_10_15(full_thursday))] == ["Ann Mover"]
    later = opening_for(therapist, local(2026, 3, 6, 16).astimezone(UTC))
    assert matched(later) == []


def test_on_the_fall_back_day_the_repeated_hour_matches_a_window_by_its_wall_clock(db):
    sunday = date(2026, 11, 1)  # New York falls back at 2 AM: 1:00–1:59 happens twice
    with time_machine.travel(datetime(2026, 10, 28, 7, tzinfo=NEW_YORK), tick=False):
        service, (therapist,), _ = clinic_with_hours(start=time(0), end=time(4), duration_minutes=30, cleanup_minutes=0)
        first = datetime.combine(sunday, time(0), tzinfo=NEW_YORK).astimezone(UTC)
        sessions = [book(service, therapist, first + timedelta(minutes=30 * n), name=f"C {n}") for n in range(10)]
        second_one_am = datetime(2026, 11, 1, 1, 0, tzinfo=NEW_YORK, fold=1).astimezone(UTC)
        freed = next(session for session in sessions if session.starts_at == second_one_am)
        join(service, name="Ann Window", days=(sunday, sunday), windows=[Window(starts=time(1), ends=time(1, 30))])
        join(service, name="Bo Later", days=(sunday, sunday), windows=[Window(starts=time(2), ends=time(3))])
        appointment_cancel(appointment=freed, by_client=False)
        assert matched(opening_for(therapist, second_one_am, minutes=30)) == [("Ann Window", second_one_am)]
