"""Which stretches of therapists' time a change to the schedule frees, announced through ``time_freed``.

Removing or shortening time off frees what it covered; removing or shortening a closure frees the
working hours of its days; new or changed working hours free their interval on each coming date.
The announcement may be generous (a stretch still taken by a booking): listeners re-check every
start with the availability code, so an announced stretch only says where to look.
"""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from core.clinictime import clinic_tz

from .models import BookingPolicy, WorkingHours
from .signals import time_freed_announce


def _moment(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=clinic_tz())


def _coming_days(first: date, last: date, *, now: datetime) -> list[date]:
    """The days from ``first`` to ``last`` that clients can still book (today up to the advance window)."""
    today = now.astimezone(clinic_tz()).date()
    first = max(first, today)
    last = min(last, today + timedelta(days=BookingPolicy.current().max_advance_days))
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def time_off_removed_announce(*, therapist_id: int, starts_at: datetime, ends_at: datetime) -> None:
    """Time off was removed or shortened: what it covered may be bookable again."""
    time_freed_announce(therapist_id=therapist_id, starts_at=starts_at, ends_at=ends_at, reason="time_off_removed")


def closure_removed_announce(*, starts_on: date, ends_on: date, now: datetime | None = None) -> int:
    """A closure was removed or shortened: every therapist's working hours on its coming days. Returns how many."""
    days = _coming_days(starts_on, ends_on, now=now or timezone.now())
    weekdays = {day.weekday() for day in days}
    hours = WorkingHours.objects.filter(weekday__in=weekdays, therapist__is_active=True).values_list(
        "therapist_id", "weekday", "start_time", "end_time"
    )
    count = 0
    for therapist_id, weekday, start_time, end_time in hours:
        for day in days:
            if day.weekday() == weekday:
                time_freed_announce(
                    therapist_id=therapist_id,
                    starts_at=_moment(day, start_time),
                    ends_at=_moment(day, end_time),
                    reason="closure_removed",
                )
                count += 1
    return count


def working_hours_announce(*, hours: WorkingHours, now: datetime | None = None) -> int:
    """Working hours were added or changed: their interval on each coming date of that weekday. Returns how many."""
    now = now or timezone.now()
    today = now.astimezone(clinic_tz()).date()
    days = _coming_days(today, today + timedelta(days=366), now=now)
    count = 0
    for day in days:
        if day.weekday() == hours.weekday:
            time_freed_announce(
                therapist_id=hours.therapist_id,
                starts_at=_moment(day, hours.start_time),
                ends_at=_moment(day, hours.end_time),
                reason="hours_added",
            )
            count += 1
    return count
