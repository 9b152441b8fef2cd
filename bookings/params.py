"""Query values of the booking pages: dates, months and start times, read from URLs and forms and written back.

Every value a visitor can type into a URL is refused here (None) when malformed or out of range,
so the pages answer 400 instead of overflowing date arithmetic.
"""

from datetime import UTC, date, datetime

# Dates from URLs and forms must fall in these years: no calendar reaches further, and date
# arithmetic near year 1 or 9999 (the month after, the week around) would overflow.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)


def _in_range(day: date) -> date | None:
    return day if EARLIEST_DATE <= day <= LATEST_DATE else None


def parse_date(value: str) -> date | None:
    """A YYYY-MM-DD date; None when malformed or outside EARLIEST_DATE..LATEST_DATE."""
    try:
        return _in_range(date.fromisoformat(value)) if len(value) == 10 else None
    except ValueError:
        return None


def parse_month(value: str) -> date | None:
    """The first day of a YYYY-MM month; None when malformed or out of range."""
    try:
        return _in_range(datetime.strptime(value, "%Y-%m").date()) if len(value) == 7 else None
    except ValueError:
        return None


def parse_start(value: str) -> datetime | None:
    """An aware ISO 8601 moment from a URL or form, in UTC; None when malformed or naive."""
    if not value or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None or _in_range(moment.date()) is None:
        return None
    return moment.astimezone(UTC)


def format_start(moment: datetime) -> str:
    """The ``start`` value for a URL, read back by ``parse_start``: UTC to the minute, e.g. 2026-03-05T15:00Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
