"""Free start times for a service over a date range, in a constant number of queries.

Everything the answer depends on (therapists, rooms, hours, time off, closures, appointments in the
window and the policy) is loaded in bulk, then the slots are computed in Python on integer epoch
seconds. Working hours are wall-clock times in CLINIC_TIME_ZONE; each interval is converted to UTC
on its own date and slots step through *elapsed* time from its start. So on the spring-forward day
no slot falls in the missing hour, and on the fall-back day the repeated hour yields two distinct
instants (01:00 EDT and 01:00 EST), neither duplicated nor lost.
"""

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property

from django.db.models import BigIntegerField, Q, Value
from django.utils import timezone

from core.clinictime import clinic_tz
from core.epoch import EpochSeconds

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
    """Disjoint busy intervals (epoch seconds), sorted: their starts and their ends, both ascending."""

    def __init__(self, intervals: list[tuple[int, int]]):
        starts: list[int] = []
        ends: list[int] = []
        last_end = None
        for start, end in sorted(intervals):
            if last_end is not None and start <= last_end:  # touches or overlaps the one before: one interval
                if end > last_end:
                    ends[-1] = last_end = end
            else:
                starts.append(start)
                ends.append(end)
                last_end = end
        self.starts, self.ends = starts, ends


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
    allow_past: bool = False,
    others: bool = True,
) -> list[Slot]:
    """Every bookable start from ``start`` to ``end`` (clinic dates, inclusive), earliest first.

    With ``therapist=None`` ("any therapist") there is one slot per start time, assigned to the
    therapist with the fewest bookings that day (then the first in the team order); the others free
    then are its ``also_free``, in the same order.
    ``ignore_notice`` lets staff book inside the minimum notice and beyond the advance window,
    never in the past; ``allow_past`` (staff recording a walk-in or a session that happened) lifts
    that too. ``exclude_appointment_id`` ignores one booking, for moving it. ``others=False`` leaves
    ``also_free`` empty, for callers that name only the therapist a booking would go to (the API).
    """
    tz = clinic_tz()
    now = now or timezone.now()
    policy = policy or BookingPolicy.current()
    window_start = datetime.combine(start, time.min, tzinfo=tz)
    window_end = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    earliest = now if ignore_notice else now + timedelta(minutes=policy.min_notice_minutes)
    if allow_past:
        earliest = window_start
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

    appointments = Appointment.objects.active(now=now).filter(
        Q(therapist_id__in=therapist_ids) | Q(room_id__in=room_ids),
        starts_at__lt=window_end + timedelta(days=1),
        # A lower bound on starts_at lets the index skip all of history: nothing that started more
        # than the longest possible session plus cleanup ago can still block the window.
        starts_at__gt=window_start - LONGEST_BLOCK,
        blocked_until__gt=window_start,
    )
    if exclude_appointment_id is not None:
        appointments = appointments.exclude(pk=exclude_appointment_id)
    # Thousands of rows for a busy month: read as integers, which the driver loads far faster than
    # datetimes. Time off comes in the same round trip, as rows without a room.
    time_off = TimeOff.objects.filter(
        therapist_id__in=therapist_ids, starts_at__lt=window_end, ends_at__gt=window_start
    ).values_list(
        "therapist_id", Value(None, output_field=BigIntegerField()), EpochSeconds("starts_at"), EpochSeconds("ends_at")
    )
    busy_rows = (
        appointments.order_by()
        .values_list("therapist_id", "room_id", EpochSeconds("starts_at"), EpochSeconds("blocked_until"))
        .union(time_off.order_by(), all=True)
    )
    therapist_busy: dict[int, list[tuple[int, int]]] = defaultdict(list)
    room_busy: dict[int, list[tuple[int, int]]] = defaultdict(list)
    booked_starts: dict[int, list[int]] = defaultdict(list)
    for therapist_id, room_id, starts_at, ends_at in busy_rows:
        interval = (starts_at, ends_at)
        therapist_busy[therapist_id].append(interval)
        if room_id is not None:  # an appointment (it keeps its room busy, and counts for fairness), not time off
            room_busy[room_id].append(interval)
            booked_starts[therapist_id].append(starts_at)

    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    booked_per_day = _booked_per_day(booked_starts, days, tz) if therapist is None else {}
    busy_list = [_Busy(therapist_busy[t.pk]) for t in therapists]
    busy_by_room = [(pk, _Busy(room_busy[pk])) for pk in room_ids]
    duration = service.duration_minutes * 60
    blocked = duration + service.cleanup_minutes * 60
    step = policy.slot_step_minutes * 60
    first_allowed = _epoch(earliest if allow_past else max(earliest, now))
    last_allowed = _epoch(latest) if latest is not None else None

    length = timedelta(seconds=duration)
    slots = []
    for day_index, day in enumerate(days):
        if day in closed_days:
            continue
        order = range(len(therapists))
        if therapist is None:
            # "Any therapist": whoever has the fewest bookings that day goes first, then team order.
            order = sorted(order, key=lambda i: booked_per_day.get((therapist_ids[i], day_index), 0))
        # One pass per therapist-day over its working intervals and sorted busy intervals gives its free
        # start times; then one pass over the distinct times, where the room check is shared by everyone.
        free_at: dict[int, list[int]] = defaultdict(list)
        first_free: dict[int, int] = {}  # without ``others``: time → the first free therapist in ``order``
        opening: dict[time, int] = {}  # wall-clock time → epoch on this day, shared by the team
        weekday = day.weekday()
        for index in order:
            intervals = hours.get((therapist_ids[index], weekday))
            if not intervals:
                continue
            moments = []
            for start_time, end_time in intervals:
                if start_time not in opening:
                    opening[start_time] = _epoch(datetime.combine(day, start_time, tzinfo=tz))
                if end_time not in opening:
                    opening[end_time] = _epoch(datetime.combine(day, end_time, tzinfo=tz))
                moments += _free_starts(
                    opens=opening[start_time],
                    closes=opening[end_time],
                    step=step,
                    duration=duration,
                    blocked=blocked,
                    first=first_allowed,
                    last=last_allowed,
                    busy=busy_list[index],
                )
            if not others:
                if moments:
                    # Whoever came earlier in ``order`` keeps a time: their entries overwrite this one's.
                    later = dict.fromkeys(moments, index)
                    later.update(first_free)
                    first_free = later
                continue
            if len(intervals) > 1:
                moments = sorted(set(moments))  # overlapping intervals must not offer a time twice
            for moment in moments:
                free_at[moment].append(index)
        moments = sorted(free_at if others else first_free)
        room_of = _first_free_rooms(moments, blocked=blocked, rooms=busy_by_room)
        for moment in moments:
            room_id = room_of.get(moment)
            if room_id is None:
                continue
            starts = datetime.fromtimestamp(moment, UTC)
            if not others:
                slots.append(Slot(starts, starts + length, therapists[first_free[moment]], room_id))
                continue
            free = free_at[moment]
            also = tuple([therapists[i] for i in free[1:]]) if len(free) > 1 else ()
            slots.append(Slot(starts, starts + length, therapists[free[0]], room_id, also_free=also))
    return slots


def _free_starts(
    *, opens: int, closes: int, step: int, duration: int, blocked: int, first: int, last: int | None, busy: _Busy
) -> list[int]:
    """Start times on the grid ``opens + k * step`` whose session fits before ``closes``, that lie in
    [first, last) and whose session plus cleanup, [start, start + blocked), overlaps no busy interval.

    Works on grid indexes: each busy interval (s, e) rules out the starts in (s - blocked, e), a run
    of consecutive indexes, so the free starts are the runs between them, one ``range`` each.
    """
    high = (closes - duration - opens) // step  # the last index whose session ends by closing time
    low = 0
    if first > opens:
        low = -((opens - first) // step)  # ceil: the first index at or after ``first``
    if last is not None:
        high = min(high, -((opens - last) // step) - 1)  # the last index before ``last``
    if low > high:
        return []
    starts, ends = busy.starts, busy.ends
    free: list[int] = []
    index = bisect_right(ends, opens + low * step)  # busy intervals ending by the first start cannot block
    while index < len(starts) and low <= high:
        blocked_from = (starts[index] - blocked - opens) // step + 1
        if blocked_from > high:
            break
        blocked_to = -((opens - ends[index]) // step) - 1
        if blocked_from > low:
            free += range(opens + low * step, opens + min(blocked_from, high + 1) * step, step)
        low = max(low, blocked_to + 1)
        index += 1
    if low <= high:
        free += range(opens + low * step, opens + (high + 1) * step, step)
    return free


def _first_free_rooms(moments: list[int], *, blocked: int, rooms: list[tuple[int, _Busy]]) -> dict[int, int]:
    """For each of the ascending start times, the first room (in ``rooms`` order) free from it for ``blocked``
    seconds; times with no free room are left out. One pass over each room's busy intervals."""
    room_of: dict[int, int] = {}
    if not moments:
        return room_of
    waiting = moments
    for room_id, busy in rooms:
        starts, ends = busy.starts, busy.ends
        still = []
        index, count = bisect_right(ends, waiting[0]), len(ends)
        for moment in waiting:
            while index < count and ends[index] <= moment:  # over before this start, so before every later one
                index += 1
            if index < count and starts[index] < moment + blocked:
                still.append(moment)
            else:
                room_of[moment] = room_id
        if not still:
            break
        waiting = still
    return room_of


def _booked_per_day(booked_starts: dict[int, list[int]], days: list[date], tz) -> dict[tuple[int, int], int]:
    """Appointments per (therapist, index into ``days``) by the clinic date they start on."""
    # Each day's first instant as epoch seconds (``combine`` settles a midnight that is skipped or
    # repeated as the window does); a start belongs to the last day whose first instant is not after it.
    firsts = [_epoch(datetime.combine(day, time.min, tzinfo=tz)) for day in days]
    firsts.append(_epoch(datetime.combine(days[-1] + timedelta(days=1), time.min, tzinfo=tz)))
    last = len(days)
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for therapist_id, moments in booked_starts.items():
        for moment in moments:
            index = bisect_right(firsts, moment) - 1
            if 0 <= index < last:
                counts[therapist_id, index] += 1
    return counts


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
