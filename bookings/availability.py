"""Free start times for a service over a date range, in a constant number of queries.

Everything the answer depends on (therapists, rooms, hours, time off, closures, appointments in the
window and the policy) is loaded in bulk, then the slots are computed in Python on integer epoch
seconds. Working hours are wall-clock times in CLINIC_TIME_ZONE; each interval is converted to UTC
on its own date and slots step through *elapsed* time from its start. So on the spring-forward day
no slot falls in the missing hour, and on the fall-back day the repeated hour yields two distinct
instants (01:00 EDT and 01:00 EST), neither duplicated nor lost.
"""

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property

from django.db.models import Q
from django.utils import timezone

from core.clinictime import clinic_tz

from .models import Appointment, BookingPolicy, Closure, Service, Therapist, TimeOff, WorkingHours

MAX_RANGE_DAYS = 62


# Service.duration_minutes ≤ 480 and cleanup_minutes ≤ 120 (model validators).
LONGEST_BLOCK = timedelta(minutes=480 + 120)


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    therapist: Therapist
    room_id: int
    # With "any therapist", the others who are free at this time too (the booking itself goes to
    # ``therapist``, the fair choice), so a page can say "with Maya or Daniel".
    also_free: tuple[Therapist, ...] = field(default=(), compare=False)

    @property
    def therapists_free(self) -> tuple[Therapist, ...]:
        return (self.therapist, *self.also_free)

    @cached_property
    def local_start(self) -> datetime:
        return self.start.astimezone(clinic_tz())

    @cached_property
    def local_end(self) -> datetime:
        return self.end.astimezone(clinic_tz())

    @property
    def param(self) -> str:
        """The start as it travels in URLs and forms: UTC, to the minute."""
        return self.start.strftime("%Y-%m-%dT%H:%MZ")


class _Busy:
    """Disjoint, sorted busy intervals (epoch seconds) with an O(log n) overlap test."""

    def __init__(self, intervals: list[tuple[int, int]]):
        merged: list[list[int]] = []
        for start, end in sorted(intervals):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [start for start, _ in merged]
        self.ends = [end for _, end in merged]

    def is_free(self, start: int, end: int) -> bool:
        index = bisect_left(self.starts, end) - 1
        return index < 0 or self.ends[index] <= start


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def slots_available(
    *,
    service: Service,
    therapist: Therapist | None = None,
    start: date,
    end: date,
    now: datetime | None = None,
    policy: BookingPolicy | None = None,
    ignore_notice: bool = False,
    online_only: bool = True,
    exclude_appointment_id: int | None = None,
) -> list[Slot]:
    """Every bookable start from ``start`` to ``end`` (clinic dates, inclusive), earliest first.

    With ``therapist=None`` ("any therapist") there is one slot per start time, assigned to the
    therapist with the fewest bookings that day (then the first in the team order); the others free
    then are its ``also_free``, in the same order.
    ``ignore_notice`` lets staff book inside the minimum notice and beyond the advance window,
    never in the past. ``exclude_appointment_id`` ignores one booking, for moving it.
    """
    tz = clinic_tz()
    now = now or timezone.now()
    policy = policy or BookingPolicy.current()
    window_start = datetime.combine(start, time.min, tzinfo=tz)
    window_end = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    earliest = now if ignore_notice else now + timedelta(minutes=policy.min_notice_minutes)
    # The advance window counts whole clinic days: "60 days ahead" includes all of the 60th day.
    last_day = now.astimezone(tz).date() + timedelta(days=policy.max_advance_days + 1)
    latest = None if ignore_notice else datetime.combine(last_day, time.min, tzinfo=tz)
    if window_end <= earliest or (latest is not None and window_start >= latest) or end < start:
        return []

    therapists_qs = Therapist.objects.filter(is_active=True, services=service)
    if online_only:
        therapists_qs = therapists_qs.filter(is_bookable_online=True)
    if therapist is not None:
        therapists_qs = therapists_qs.filter(pk=therapist.pk)
    therapists = list(therapists_qs)
    room_ids = list(service.rooms.filter(is_active=True).values_list("pk", flat=True))
    if not therapists or not room_ids or not service.is_active:
        return []
    therapist_ids = [t.pk for t in therapists]

    hours: dict[tuple[int, int], list[tuple[time, time]]] = defaultdict(list)
    for therapist_id, weekday, start_time, end_time in WorkingHours.objects.filter(
        therapist_id__in=therapist_ids
    ).values_list("therapist_id", "weekday", "start_time", "end_time"):
        hours[therapist_id, weekday].append((start_time, end_time))

    closed_days: set[date] = set()
    for starts_on, ends_on in Closure.objects.filter(starts_on__lte=end, ends_on__gte=start).values_list(
        "starts_on", "ends_on"
    ):
        day = max(starts_on, start)
        while day <= min(ends_on, end):
            closed_days.add(day)
            day += timedelta(days=1)

    therapist_busy: dict[int, list[tuple[int, int]]] = defaultdict(list)
    room_busy: dict[int, list[tuple[int, int]]] = defaultdict(list)
    booked_per_day: dict[tuple[int, date], int] = defaultdict(int)
    for therapist_id, starts_at, ends_at in TimeOff.objects.filter(
        therapist_id__in=therapist_ids, starts_at__lt=window_end, ends_at__gt=window_start
    ).values_list("therapist_id", "starts_at", "ends_at"):
        therapist_busy[therapist_id].append((_epoch(starts_at), _epoch(ends_at)))

    appointments = Appointment.objects.active().filter(
        Q(therapist_id__in=therapist_ids) | Q(room_id__in=room_ids),
        starts_at__lt=window_end + timedelta(days=1),
        # A lower bound on starts_at lets the index skip all of history: nothing that started more
        # than the longest possible session plus cleanup ago can still block the window.
        starts_at__gt=window_start - LONGEST_BLOCK,
        blocked_until__gt=window_start,
    )
    if exclude_appointment_id is not None:
        appointments = appointments.exclude(pk=exclude_appointment_id)
    for therapist_id, room_id, starts_at, blocked_until in appointments.values_list(
        "therapist_id", "room_id", "starts_at", "blocked_until"
    ):
        interval = (_epoch(starts_at), _epoch(blocked_until))
        therapist_busy[therapist_id].append(interval)
        room_busy[room_id].append(interval)
        booked_per_day[therapist_id, starts_at.astimezone(tz).date()] += 1

    busy_by_therapist = {pk: _Busy(therapist_busy[pk]) for pk in therapist_ids}
    busy_by_room = [(pk, _Busy(room_busy[pk])) for pk in room_ids]
    duration = service.duration_minutes * 60
    blocked = duration + service.cleanup_minutes * 60
    step = policy.slot_step_minutes * 60
    first_allowed = _epoch(max(earliest, now))
    last_allowed = _epoch(latest) if latest is not None else None

    busy_list = [busy_by_therapist[t.pk] for t in therapists]
    slots = []
    day = start
    while day <= end:
        if day not in closed_days:
            order = range(len(therapists))
            if therapist is None:
                # "Any therapist": whoever has the fewest bookings that day goes first, then team order.
                order = sorted(order, key=lambda i: booked_per_day[therapists[i].pk, day])
            # Start times on each therapist's grid for this day (in fairness order), then one pass over the
            # distinct times: the room check is shared by every therapist at that time.
            candidates: dict[int, list[int]] = defaultdict(list)
            for index in order:
                for start_time, end_time in hours.get((therapists[index].pk, day.weekday()), ()):
                    moment = _epoch(datetime.combine(day, start_time, tzinfo=tz))
                    closes = _epoch(datetime.combine(day, end_time, tzinfo=tz))
                    while moment + duration <= closes:
                        if moment >= first_allowed and (last_allowed is None or moment < last_allowed):
                            candidates[moment].append(index)
                        moment += step
            for moment in sorted(candidates):
                until = moment + blocked
                room_id = next((pk for pk, room in busy_by_room if room.is_free(moment, until)), None)
                if room_id is None:
                    continue
                free = [therapists[index] for index in candidates[moment] if busy_list[index].is_free(moment, until)]
                if free:
                    starts = datetime.fromtimestamp(moment, UTC)
                    ends = starts + timedelta(seconds=duration)
                    slots.append(Slot(starts, ends, free[0], room_id, also_free=tuple(free[1:])))
        day += timedelta(days=1)
    return slots


def slot_find(*, service: Service, therapist: Therapist | None, starts_at: datetime, **options) -> Slot | None:
    """The slot starting exactly at ``starts_at`` (with the fair therapist choice for "any"), or None."""
    day = starts_at.astimezone(clinic_tz()).date()
    for slot in slots_available(service=service, therapist=therapist, start=day, end=day, **options):
        if slot.start == starts_at:
            return slot
    return None


def slots_nearest(
    *, service: Service, therapist: Therapist | None, around: datetime, count: int = 3, **options
) -> list[Slot]:
    """The free slots closest to ``around`` (within three days either side), in time order."""
    day = around.astimezone(clinic_tz()).date()
    slots = slots_available(
        service=service, therapist=therapist, start=day - timedelta(days=3), end=day + timedelta(days=3), **options
    )
    nearest = sorted(slots, key=lambda slot: abs((slot.start - around).total_seconds()))[:count]
    return sorted(nearest, key=lambda slot: slot.start)
