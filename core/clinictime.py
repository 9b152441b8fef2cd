"""The clinic's wall-clock times as people read them: one label for every page, email, feed and script.

On an ordinary day "10:00 AM" is all a person needs; the page or email names the zone once
("Eastern Time — New York"). On a day the clocks change, every time carries its abbreviation:
on the fall-back day 1:00 AM happens twice (EDT, then EST), and on the spring-forward day
"1:30 AM EST" next to "3:00 AM EDT" shows why the list skips an hour.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import get_timezone_location, get_timezone_name
from django.conf import settings
from django.utils.dateformat import format as date_format
from django.utils.translation import get_language


def clinic_tz() -> ZoneInfo:
    return ZoneInfo(settings.CLINIC_TIME_ZONE)


@lru_cache(maxsize=512)
def _clocks_change_on(day: date, zone: str) -> bool:
    tz = ZoneInfo(zone)
    # The day runs from its first instant to just before the next day's first instant. Going
    # through UTC settles a midnight that happens twice or not at all (zones that change at 00:00):
    # the offsets compared are those really in force at the two ends of the day, and a day whose
    # midnight was skipped changed its clocks at its very start.
    first = datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC).astimezone(tz)
    after = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz).replace(fold=1).astimezone(UTC)
    last = (after - timedelta(seconds=1)).astimezone(tz)
    return first.time() != time.min or first.utcoffset() != last.utcoffset()


def clocks_change_on(day: date, tz: ZoneInfo | None = None) -> bool:
    """Whether the clinic's clocks (or ``tz``'s) go forward or back during ``day`` (a date there)."""
    return _clocks_change_on(day, settings.CLINIC_TIME_ZONE if tz is None else tz.key)


@lru_cache(maxsize=4096)
def _wall_clock(hour: int, minute: int, language: str | None) -> str:
    return date_format(datetime(2000, 1, 1, hour, minute), "g:i A")


def wall_clock_label(hour: int, minute: int, language: str | None = None) -> str:
    """A wall-clock hour and minute as ``clinic_time()`` writes them on a day the clocks keep still: "10:00 AM"
    (in ``language``, the active one by default)."""
    return _wall_clock(hour, minute, get_language() if language is None else language)


def clinic_time(moment: datetime) -> str:
    """``moment`` as the clinic's wall-clock time: "10:00 AM", or "1:00 AM EDT" on a day the clocks change."""
    local = moment.astimezone(clinic_tz())
    # A month of availability labels hundreds of times: each hour and minute is formatted once per language.
    label = _wall_clock(local.hour, local.minute, get_language())
    if clocks_change_on(local.date()):
        label = f"{label} {local.tzname()}"
    return label


def clinic_times(moments: Iterable[datetime]) -> list[str]:
    """``clinic_time()`` of each moment, for long lists (a month of availability): the zone, the language
    and each day's clock change are looked up once, not once per time."""
    return [label for _, label in clinic_times_iso(moments)]


def clinic_times_iso(moments: Iterable[datetime]) -> list[tuple[str, str]]:
    """Each moment in the clinic's zone as ISO 8601 with its offset (``clinic_isoformat()``) and its
    ``clinic_time()`` label, converting each moment to the zone once."""
    tz, language = clinic_tz(), get_language()
    changes: dict[date, bool] = {}
    pairs = []
    for moment in moments:
        local = moment.astimezone(tz)
        label = _wall_clock(local.hour, local.minute, language)
        day = local.date()
        change = changes.get(day)
        if change is None:
            change = changes[day] = clocks_change_on(day)
        pairs.append((local.isoformat(), f"{label} {local.tzname()}" if change else label))
    return pairs


@lru_cache(maxsize=4096)
def _day_label(day: date, format_string: str, language: str | None) -> str:
    return date_format(day, format_string)


def clinic_date(moment: datetime, format_string: str) -> str:
    """``moment``'s clinic date in a date-only format ("F jS, Y"), as the ``date`` filter writes it.

    Lists date every card: each date is formatted once per format and language (the ``date`` filter
    takes about 30 µs a call).
    """
    return _day_label(moment.astimezone(clinic_tz()).date(), format_string, get_language())


def clinic_isoformat(moment: datetime) -> str:
    """``moment`` in the clinic's zone as ISO 8601 with its offset, as ``|date:'c'`` writes it."""
    return moment.astimezone(clinic_tz()).isoformat()


def clinic_time_range(start: datetime, end: datetime) -> str:
    """A session's times, "10:00 AM – 11:00 AM"; on the fall-back day "1:00 AM EDT – 1:00 AM EST"."""
    return f"{clinic_time(start)} – {clinic_time(end)}"


def clinic_when(start: datetime, end: datetime | None = None, *, day_format: str = "l j F Y") -> str:
    """The clinic's day and time(s) in one phrase, "Sunday 7 November 2027, 1:00 AM EDT – 1:00 AM EST", for text
    built in Python (subjects, calendar files); templates compose the same from ``date`` and ``clinic_time``."""
    day = date_format(start.astimezone(clinic_tz()), day_format)
    return f"{day}, {clinic_time_range(start, end) if end is not None else clinic_time(start)}"


@lru_cache(maxsize=16)
def _zone_name(zone: str) -> str:
    tz = ZoneInfo(zone)
    generic = get_timezone_name(tz, "long", "generic", locale="en_US")
    city = get_timezone_location(tz, locale="en_US", return_city=True).replace("_", " ")
    if "Unknown" in generic:
        return city
    return generic if city in generic else f"{generic} — {city}"


def clinic_zone_name() -> str:
    """The clinic's zone as people say it: "Eastern Time — New York" for America/New_York.

    The generic name (the same all year, unlike "EST") and the city come from CLDR through Babel;
    ``CLINIC_TIME_ZONE_NAME`` replaces them for a zone whose CLDR wording reads poorly.
    """
    return settings.CLINIC_TIME_ZONE_NAME or _zone_name(settings.CLINIC_TIME_ZONE)
