from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bookings.params import format_start, parse_date, parse_month, parse_start


def test_a_start_written_for_a_url_reads_back_as_the_same_moment():
    moment = datetime(2026, 3, 5, 10, 0, tzinfo=ZoneInfo("America/New_York"))
    assert format_start(moment) == "2026-03-05T15:00Z"
    assert parse_start(format_start(moment)) == moment.astimezone(UTC)


@pytest.mark.parametrize(
    "value", ["", "2026-03-05T15:00", "nonsense", "0001-01-01T00:00Z", "2026-03-05T15:00Z" + " " * 30]
)
def test_a_naive_malformed_or_far_off_start_is_refused(value):
    assert parse_start(value) is None


def test_dates_and_months_outside_the_calendar_years_are_refused():
    assert (parse_date("2026-03-05"), parse_month("2026-03")) == (date(2026, 3, 5), date(2026, 3, 1))
    assert (parse_date("9999-12-31"), parse_month("1899-12"), parse_date("2026-3-5")) == (None, None, None)
