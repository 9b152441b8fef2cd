from datetime import UTC, datetime, timedelta

from django.utils import translation

from core.clinictime import clinic_time, clinic_times


def test_many_times_read_exactly_as_each_one_alone_across_both_clock_changes():
    for first in (datetime(2026, 3, 7, 5, 0, tzinfo=UTC), datetime(2026, 10, 31, 4, 0, tzinfo=UTC)):
        moments = [first + timedelta(minutes=25 * n) for n in range(3 * 24 * 60 // 25)]
        assert clinic_times(moments) == [clinic_time(moment) for moment in moments]


def test_the_fall_back_days_two_one_oclocks_keep_their_zone_in_a_list():
    labels = clinic_times([datetime(2026, 11, 1, 5, 0, tzinfo=UTC), datetime(2026, 11, 1, 6, 0, tzinfo=UTC)])
    assert labels == ["1:00 AM EDT", "1:00 AM EST"]


def test_many_times_follow_the_active_language_like_one_does():
    moment = datetime(2026, 7, 1, 16, 0, tzinfo=UTC)
    with translation.override("de"):
        assert clinic_times([moment]) == [clinic_time(moment)]
