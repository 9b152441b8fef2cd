"""The subscribe form's fill-time stamp, which every page carries in its footer."""

from datetime import UTC, datetime, timedelta

import time_machine

from newsletter.tokens import form_stamp_age_seconds, form_stamp_make

NOON = datetime(2026, 12, 1, 12, 0, 0, 400_000, tzinfo=UTC)


def test_pages_rendered_within_one_second_share_a_stamp_and_the_next_second_gets_a_new_one():
    with time_machine.travel(NOON, tick=False) as clock:
        first = form_stamp_make()
        clock.shift(timedelta(milliseconds=500))
        assert form_stamp_make() == first
        clock.shift(timedelta(milliseconds=200))
        assert form_stamp_make() != first


def test_a_stamp_reads_its_age_from_the_start_of_its_second_never_younger_than_it_is():
    with time_machine.travel(NOON, tick=False) as clock:
        stamp = form_stamp_make()
        clock.shift(timedelta(seconds=3))
        assert abs(form_stamp_age_seconds(stamp) - 3.4) < 0.001
