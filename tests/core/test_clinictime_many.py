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


def _rendered(source: str, moment: datetime) -> str:
    from django.template import Context, Template

    return Template("{% load clinic_time %}" + source).render(Context({"moment": moment}))


def test_the_clinic_date_filters_write_what_the_date_filter_writes_around_midnight_and_the_clock_changes():
    # 03:00-07:00 UTC is around midnight in New York: the clinic's date changes in the middle.
    firsts = (
        datetime(2026, 3, 8, 3, 0, tzinfo=UTC),
        datetime(2026, 11, 1, 3, 0, tzinfo=UTC),
        datetime(2026, 12, 31, 3, 30, tzinfo=UTC),
    )
    for first in firsts:
        for moment in (first + timedelta(minutes=20 * n) for n in range(12)):
            assert _rendered('{{ moment|clinic_date:"F jS, Y" }}', moment) == _rendered(
                '{{ moment|date:"F jS, Y" }}', moment
            )
            assert _rendered("{{ moment|clinic_iso }}", moment) == _rendered("{{ moment|date:'c' }}", moment)
    assert _rendered('{{ moment|clinic_date:"F jS, Y" }}', datetime(2026, 3, 8, 4, 30, tzinfo=UTC)) == "March 7th, 2026"


def test_the_clinic_date_follows_the_active_language_like_the_date_filter():
    moment = datetime(2026, 5, 1, 16, 0, tzinfo=UTC)
    with translation.override("de"):
        assert _rendered('{{ moment|clinic_date:"F Y" }}', moment) == _rendered('{{ moment|date:"F Y" }}', moment)
        assert _rendered('{{ moment|clinic_date:"F Y" }}', moment) == "Mai 2026"
    assert _rendered('{{ moment|clinic_date:"F Y" }}', moment) == "May 2026"


def test_the_clinic_date_filters_write_nothing_for_no_time():
    assert _rendered('{{ moment|clinic_date:"F jS, Y" }}|{{ moment|clinic_iso }}', None) == "|"
