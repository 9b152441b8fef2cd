import calendar as pycalendar
from datetime import UTC, date, datetime

from django.db.models import QuerySet

from .availability import LONGEST_BLOCK
from .models import Appointment, Service, Therapist


def services_active() -> QuerySet[Service]:
    return Service.objects.filter(is_active=True)


def therapists_public() -> QuerySet[Therapist]:
    return Therapist.objects.filter(is_active=True)


def therapists_bookable(*, service: Service | None = None) -> QuerySet[Therapist]:
    therapists = therapists_public().filter(is_bookable_online=True)
    if service is not None:
        therapists = therapists.filter(services=service)
    return therapists


def appointments_for_schedule(*, start: datetime, end: datetime, therapist=None, room=None) -> QuerySet[Appointment]:
    appointments = Appointment.objects.filter(
        starts_at__lt=end, starts_at__gt=start - LONGEST_BLOCK, ends_at__gt=start
    ).select_related("service", "therapist", "room")
    if therapist is not None:
        appointments = appointments.filter(therapist=therapist)
    if room is not None:
        appointments = appointments.filter(room=room)
    return appointments.order_by("starts_at", "therapist__position")


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
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def month_weeks(first_of_month: date) -> list[list[date | None]]:
    """The month as weeks from Monday to Sunday; days of the neighbouring months are None."""
    weeks = pycalendar.Calendar(firstweekday=0).monthdatescalendar(first_of_month.year, first_of_month.month)
    return [[day if day.month == first_of_month.month else None for day in week] for week in weeks]
