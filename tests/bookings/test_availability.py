from datetime import UTC, date, time, timedelta

import pytest

from bookings.availability import slot_find, slots_available
from bookings.models import Appointment, BookingPolicy, Closure, TimeOff
from tests.factories import AppointmentFactory, WorkingHoursFactory, clinic_with_hours

from .conftest import local

pytestmark = pytest.mark.django_db
TUESDAY = date(2026, 3, 3)


def starts(slots):
    return [slot.local_start.strftime("%H:%M") for slot in slots]


def test_slots_step_through_working_hours_and_end_inside_them(monday_morning):
    service, _, _ = clinic_with_hours(start=time(9), end=time(12), duration_minutes=60)
    slots = slots_available(service=service, start=TUESDAY, end=TUESDAY)
    assert starts(slots) == ["09:00", "09:15", "09:30", "09:45", "10:00", "10:15", "10:30", "10:45", "11:00"]


def test_a_day_can_have_several_working_intervals(monday_morning):
    service, (therapist,), _ = clinic_with_hours(weekdays=[], duration_minutes=60)
    BookingPolicy.objects.create(slot_step_minutes=60)
    WorkingHoursFactory(therapist=therapist, weekday=1, start_time=time(9), end_time=time(11))
    WorkingHoursFactory(therapist=therapist, weekday=1, start_time=time(13), end_time=time(15))
    assert starts(slots_available(service=service, start=TUESDAY, end=TUESDAY)) == ["09:00", "10:00", "13:00", "14:00"]


def test_an_appointment_blocks_its_session_and_cleanup_and_the_new_sessions_cleanup(monday_morning):
    service, (therapist,), (room,) = clinic_with_hours(
        start=time(9), end=time(13), duration_minutes=60, cleanup_minutes=15
    )
    AppointmentFactory(service=service, therapist=therapist, room=room, starts_at=local(2026, 3, 3, 10, 30))
    slots = starts(slots_available(service=service, start=TUESDAY, end=TUESDAY))
    # 09:15 would end at 10:15 plus 15 minutes' cleanup, just touching 10:30; 11:45 is the first after 11:30 + 15.
    assert slots == ["09:00", "09:15", "11:45", "12:00"]


def test_a_cancelled_appointment_frees_its_time(monday_morning):
    service, (therapist,), (room,) = clinic_with_hours(start=time(9), end=time(10), duration_minutes=60)
    AppointmentFactory(
        service=service,
        therapist=therapist,
        room=room,
        starts_at=local(2026, 3, 3, 9),
        status=Appointment.Status.CANCELLED,
    )
    assert starts(slots_available(service=service, start=TUESDAY, end=TUESDAY)) == ["09:00"]


def test_time_off_removes_the_slots_it_overlaps(monday_morning):
    service, (therapist,), _ = clinic_with_hours(start=time(9), end=time(12), duration_minutes=60)
    BookingPolicy.objects.create(slot_step_minutes=60)
    TimeOff.objects.create(therapist=therapist, starts_at=local(2026, 3, 3, 10), ends_at=local(2026, 3, 3, 11))
    assert starts(slots_available(service=service, start=TUESDAY, end=TUESDAY)) == ["11:00"]


def test_a_clinic_closure_leaves_the_whole_day_empty(monday_morning):
    service, _, _ = clinic_with_hours()
    Closure.objects.create(starts_on=TUESDAY, ends_on=TUESDAY, reason="Staff training")
    slots = slots_available(service=service, start=TUESDAY, end=TUESDAY + timedelta(days=1))
    assert {slot.local_start.date() for slot in slots} == {TUESDAY + timedelta(days=1)}


def test_a_session_needs_a_free_suitable_room(monday_morning):
    service, _, (room,) = clinic_with_hours(start=time(9), end=time(10), duration_minutes=60, therapists=2)
    AppointmentFactory(room=room, starts_at=local(2026, 3, 3, 9))  # another service, another therapist
    assert slots_available(service=service, start=TUESDAY, end=TUESDAY) == []


def test_minimum_notice_hides_times_too_soon(monday_morning):
    service, _, _ = clinic_with_hours(start=time(8), end=time(12), duration_minutes=60)
    BookingPolicy.objects.create(min_notice_minutes=180, slot_step_minutes=60)
    assert starts(slots_available(service=service, start=date(2026, 3, 2), end=date(2026, 3, 2))) == ["10:00", "11:00"]


def test_staff_may_ignore_the_notice_but_never_book_the_past(monday_morning):
    service, _, _ = clinic_with_hours(start=time(6), end=time(10), duration_minutes=60)
    BookingPolicy.objects.create(min_notice_minutes=180, slot_step_minutes=60)
    slots = slots_available(service=service, start=date(2026, 3, 2), end=date(2026, 3, 2), ignore_notice=True)
    assert starts(slots) == ["07:00", "08:00", "09:00"]


def test_a_booking_just_after_the_asked_days_still_blocks_a_late_time_on_the_last_of_them(monday_morning):
    # Two therapists share one room; the night shift's last time would run past midnight into a booking of
    # the next day, which lies outside the days asked for.
    service, (late, early), (room,) = clinic_with_hours(
        weekdays=[], therapists=2, duration_minutes=30, cleanup_minutes=30
    )
    WorkingHoursFactory(therapist=late, weekday=1, start_time=time(23), end_time=time(23, 45))
    AppointmentFactory(service=service, therapist=early, room=room, starts_at=local(2026, 3, 4, 0, 0))
    slots = starts(slots_available(service=service, start=TUESDAY, end=TUESDAY))
    # 23:15 would end at 23:45 and be cleaned by 00:15, into the booking at midnight.
    assert slots == ["23:00"]


def test_nothing_is_offered_beyond_the_advance_window(monday_morning):
    service, _, _ = clinic_with_hours()
    BookingPolicy.objects.create(max_advance_days=10)
    slots = slots_available(service=service, start=date(2026, 3, 2), end=date(2026, 3, 31))
    assert max(slot.local_start.date() for slot in slots) == date(2026, 3, 12)


def test_any_therapist_gives_one_slot_per_time_to_the_least_booked_that_day(monday_morning):
    service, (busy, free), _ = clinic_with_hours(start=time(9), end=time(17), therapists=2, rooms=2)
    AppointmentFactory(service=service, therapist=busy, starts_at=local(2026, 3, 3, 9))
    slots = slots_available(service=service, start=TUESDAY, end=TUESDAY)
    assert len({slot.start for slot in slots}) == len(slots)
    assert {slot.therapist for slot in slots if slot.local_start.hour >= 12} == {free}


def test_any_therapist_slots_name_everyone_else_free_at_that_time(monday_morning):
    service, (busy, free), _ = clinic_with_hours(start=time(9), end=time(12), therapists=2, rooms=2)
    AppointmentFactory(service=service, therapist=busy, starts_at=local(2026, 3, 3, 9))
    by_time = {
        slot.local_start.strftime("%H:%M"): slot
        for slot in slots_available(service=service, start=TUESDAY, end=TUESDAY)
    }
    assert by_time["09:00"].therapists_free == (free,)
    assert by_time["11:00"].therapists_free == (free, busy)


def test_one_therapist_only_gets_their_own_times(monday_morning):
    service, (first, second), _ = clinic_with_hours(start=time(9), end=time(10), therapists=2, rooms=2)
    AppointmentFactory(service=service, therapist=first, starts_at=local(2026, 3, 3, 9))
    assert slots_available(service=service, therapist=first, start=TUESDAY, end=TUESDAY) == []
    assert len(slots_available(service=service, therapist=second, start=TUESDAY, end=TUESDAY)) == 1


def test_therapists_not_bookable_online_are_only_offered_to_staff(monday_morning):
    service, (therapist,), _ = clinic_with_hours()
    therapist.is_bookable_online = False
    therapist.save()
    assert slots_available(service=service, start=TUESDAY, end=TUESDAY) == []
    assert slots_available(service=service, start=TUESDAY, end=TUESDAY, online_only=False)


def test_slot_find_answers_the_exact_start_only(monday_morning):
    service, _, _ = clinic_with_hours(start=time(9), end=time(12))
    assert slot_find(service=service, therapist=None, starts_at=local(2026, 3, 3, 9, 15).astimezone(UTC))
    assert slot_find(service=service, therapist=None, starts_at=local(2026, 3, 3, 9, 7).astimezone(UTC)) is None


def test_working_hours_to_the_second_and_microsecond_keep_their_times(monday_morning):
    service, _, _ = clinic_with_hours(start=time(9, 0, 30, 250000), end=time(10, 30, 45), duration_minutes=30)
    slots = slots_available(service=service, start=TUESDAY, end=TUESDAY)
    assert [slot.local_start.time() for slot in slots][:2] == [time(9, 0, 30), time(9, 15, 30)]
    assert slots[-1].local_end.time() <= time(10, 30, 45)


def test_a_month_of_any_therapist_availability_takes_a_constant_number_of_queries(
    monday_morning, django_assert_max_num_queries
):
    service, therapists, rooms = clinic_with_hours(therapists=6, rooms=3)
    for day in range(1, 28):
        for index, therapist in enumerate(therapists):
            AppointmentFactory(
                service=service, therapist=therapist, room=rooms[index % 3], starts_at=local(2026, 3, day, 9 + index)
            )
    with django_assert_max_num_queries(3):
        slots = slots_available(service=service, start=date(2026, 3, 2), end=date(2026, 3, 31))
    assert slots


class TestDaylightSaving:
    """America/New_York: 8 March 2026 02:00 EST jumps to 03:00 EDT; 1 November 2026 02:00 EDT falls back to 01:00 EST."""

    def _night_shift(self, weekday):
        service, (therapist,), _ = clinic_with_hours(weekdays=[], duration_minutes=60, cleanup_minutes=0)
        BookingPolicy.objects.create(slot_step_minutes=60, max_advance_days=365)
        WorkingHoursFactory(therapist=therapist, weekday=weekday, start_time=time(0), end_time=time(4))
        return service

    def test_spring_forward_offers_no_slot_in_the_missing_hour(self, monday_morning):
        service = self._night_shift(weekday=6)
        slots = slots_available(service=service, start=date(2026, 3, 8), end=date(2026, 3, 8))
        assert [slot.local_start.isoformat() for slot in slots] == [
            "2026-03-08T00:00:00-05:00",
            "2026-03-08T01:00:00-05:00",
            "2026-03-08T03:00:00-04:00",
        ]

    def test_fall_back_offers_both_one_oclocks_once_each(self, monday_morning):
        service = self._night_shift(weekday=6)
        slots = slots_available(service=service, start=date(2026, 11, 1), end=date(2026, 11, 1))
        assert [slot.start.astimezone(UTC).strftime("%H:%M") for slot in slots] == [
            "04:00",
            "05:00",
            "06:00",
            "07:00",
            "08:00",
        ]
        assert [slot.local_start.strftime("%H:%M %Z") for slot in slots] == [
            "00:00 EDT",
            "01:00 EDT",
            "01:00 EST",
            "02:00 EST",
            "03:00 EST",
        ]

    def test_daytime_hours_keep_their_wall_clock_across_the_change(self, monday_morning):
        service, _, _ = clinic_with_hours(start=time(9), end=time(10), duration_minutes=60)
        before = slots_available(service=service, start=date(2026, 3, 7), end=date(2026, 3, 7))
        after = slots_available(service=service, start=date(2026, 3, 9), end=date(2026, 3, 9))
        assert before[0].local_start.time() == after[0].local_start.time() == time(9)
        assert after[0].start - before[0].start == timedelta(days=2, hours=-1)
