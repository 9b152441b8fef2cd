from datetime import UTC, date, datetime

import pytest
from django.template import Context, Template

from core.clinictime import clinic_time, clinic_time_range, clinic_zone_name, clocks_change_on


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "changes"),
    [
        (date(2026, 3, 8), True),
        (date(2026, 11, 1), True),
        (date(2027, 3, 14), True),
        (date(2027, 11, 7), True),
        (date(2026, 3, 7), False),
        (date(2026, 3, 9), False),
        (date(2026, 7, 1), False),
        (date(2027, 10, 31), False),
    ],
)
def test_the_new_york_clock_change_days_are_known(day, changes):
    assert clocks_change_on(day) is changes


def test_both_one_oclocks_of_the_fall_back_day_say_which_they_are():
    assert clinic_time(utc(2027, 11, 7, 5, 0)) == "1:00 AM EDT"
    assert clinic_time(utc(2027, 11, 7, 6, 0)) == "1:00 AM EST"
    assert clinic_time(utc(2026, 11, 1, 5, 45)) == "1:45 AM EDT"
    assert clinic_time(utc(2026, 11, 1, 6, 45)) == "1:45 AM EST"


def test_every_time_of_a_change_day_carries_its_abbreviation():
    assert clinic_time(utc(2027, 11, 7, 15, 0)) == "10:00 AM EST"
    assert clinic_time(utc(2026, 3, 8, 6, 30)) == "1:30 AM EST"
    assert clinic_time(utc(2026, 3, 8, 7, 0)) == "3:00 AM EDT"
    assert clinic_time(utc(2027, 3, 14, 18, 0)) == "2:00 PM EDT"


def test_an_ordinary_day_shows_the_plain_time():
    assert clinic_time(utc(2026, 3, 9, 14, 0)) == "10:00 AM"
    assert clinic_time(utc(2026, 7, 1, 16, 30)) == "12:30 PM"


def test_a_session_across_the_fall_back_reads_from_edt_to_est():
    assert clinic_time_range(utc(2027, 11, 7, 5, 0), utc(2027, 11, 7, 6, 0)) == "1:00 AM EDT – 1:00 AM EST"


def test_other_zones_change_on_their_own_days(settings):
    settings.CLINIC_TIME_ZONE = "Europe/London"
    assert clocks_change_on(date(2026, 10, 25)) and not clocks_change_on(date(2026, 11, 1))
    assert clinic_time(utc(2026, 10, 25, 0, 30)) == "1:30 AM BST"
    assert clinic_time(utc(2026, 10, 25, 1, 30)) == "1:30 AM GMT"


def test_a_zone_that_changes_at_midnight_marks_the_day_that_changes():
    # Santiago: clocks go back from 00:00 to 23:00 on Saturday 4 April 2026, forward from 00:00 to 01:00
    # on Sunday 6 September 2026.
    from core.clinictime import _clocks_change_on

    assert _clocks_change_on(date(2026, 4, 4), "America/Santiago")
    assert not _clocks_change_on(date(2026, 4, 5), "America/Santiago")
    assert _clocks_change_on(date(2026, 9, 6), "America/Santiago")
    assert not _clocks_change_on(date(2026, 9, 5), "America/Santiago")


def test_the_zone_is_named_as_people_say_it(settings):
    assert clinic_zone_name() == "Eastern Time — New York"
    settings.CLINIC_TIME_ZONE = "America/Los_Angeles"
    assert clinic_zone_name() == "Pacific Time — Los Angeles"
    settings.CLINIC_TIME_ZONE = "UTC"
    assert "Unknown" not in clinic_zone_name()


def test_a_setting_can_name_the_zone(settings):
    settings.CLINIC_TIME_ZONE_NAME = "Boston time"
    assert clinic_zone_name() == "Boston time"


def test_the_template_filters_use_the_same_labels():
    template = Template(
        "{% load clinic_time %}{{ start|clinic_time }} | {{ start|clinic_time_range:end }} | {{ none|clinic_time }}."
    )
    rendered = template.render(Context({"start": utc(2027, 11, 7, 5, 0), "end": utc(2027, 11, 7, 6, 0)}))
    assert rendered == "1:00 AM EDT | 1:00 AM EDT – 1:00 AM EST | ."
