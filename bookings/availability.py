"""Free start times for a service over a date range, in a constant number of queries.

Everything the answer depends on (therapists, rooms, hours, time off, closures, appointments in the
window and the policy) is loaded in bulk, then the slots are computed in Python on integer epoch
seconds, as bits of one grid of candidate starts (``bookings.slotgrid``). Working hours are wall-clock times in CLINIC_TIME_ZONE; each interval is converted to UTC
on its own date and slots step through *elapsed* time from its start. So on the spring-forward day
no slot falls in the missing hour, and on the fall-back day the repeated hour yields two distinct
instants (01:00 EDT and 01:00 EST), neither duplicated nor lost.
"""

import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from itertools import repeat

import numpy as np
from django.utils import timezone

from core.clinictime import clinic_tz

from .models import BookingPolicy, Service, Therapist
from .slotgrid import Schedule, bit_rows, busy_masks, epoch, schedule_working
from .sweep_reads import LONGEST_BLOCK, Setting, Window, busy_read, sweep_rows, team_read

__all__ = ["LONGEST_BLOCK", "MAX_RANGE_DAYS", "Openings", "Setting", "Slot", "openings_available", "slots_available"]

MAX_RANGE_DAYS = 62


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


@dataclass(frozen=True)
class Openings:
    """A sweep's free times as integers, for a caller that writes out hundreds of them (the API) without a
    datetime or a ``Slot`` per time."""

    therapists: list[Therapist]
    duration: int  # seconds
    #: Each clinic date with a free time, and its times in order: (start in epoch seconds, index into
    #: ``therapists`` of the fair choice, room id, indexes of the others free then).
    days: list[tuple[date, list[tuple[int, int, int, tuple[int, ...]]]]]


def slots_available(**options) -> list[Slot]:
    """Every bookable start, earliest first, as ``Slot`` objects: ``openings_available()`` with the same options."""
    found = openings_available(**options)
    therapists, length = found.therapists, timedelta(seconds=found.duration)
    slots = []
    for _, times in found.days:
        for moment, index, room_id, others in times:
            starts = datetime.fromtimestamp(moment, UTC)
            also = tuple([therapists[i] for i in others]) if others else ()
            slots.append(Slot(starts, starts + length, therapists[index], room_id, also_free=also))
    return slots


def openings_available(
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
    with_rooms: bool = True,
    setting: Setting | None = None,
) -> Openings:
    """Every bookable start from ``start`` to ``end`` (clinic dates, inclusive), earliest first.

    With ``therapist=None`` ("any therapist") there is one time per start, assigned to the therapist
    with the fewest bookings that day (then the first in the team order); the others free then
    follow, in the same order.
    ``ignore_notice`` lets staff book inside the minimum notice and beyond the advance window,
    never in the past; ``allow_past`` (staff recording a walk-in or a session that happened) lifts
    that too. ``exclude_appointment_id`` ignores one booking, for moving it. ``others=False`` leaves
    the others out, for callers that name only the therapist a booking would go to (the API);
    ``with_rooms=False`` leaves out which room each time would take (room 0), for callers that book nothing.
    ``setting`` is ``service``'s, when the caller keeps one (``bookings.selectors.availability_kept``):
    then only the busy time is read. Online only, as the public pages that keep one are.
    """
    tz = clinic_tz()
    now = now or timezone.now()
    policy = policy or BookingPolicy.current()
    nothing = Openings([], service.duration_minutes * 60, [])
    window_start = datetime.combine(start, time.min, tzinfo=tz)
    window_end = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    earliest = now if ignore_notice else now + timedelta(minutes=policy.min_notice_minutes)
    if allow_past:
        earliest = window_start
    # The advance window counts whole clinic days: "60 days ahead" includes all of the 60th day.
    last_day = now.astimezone(tz).date() + timedelta(days=policy.max_advance_days + 1)
    latest = None if ignore_notice else datetime.combine(last_day, time.min, tzinfo=tz)
    if window_end <= earliest or (latest is not None and window_start >= latest) or end < start:
        return nothing

    window = Window(now, window_start, window_end, exclude_appointment_id)
    kept = setting is not None
    if setting is None:
        therapists = team_read(service=service, therapist=therapist, online_only=online_only)
        if not therapists or not service.is_active:
            return nothing
        setting, busy_rows = sweep_rows(service=service, team=therapists, window=window, days=(start, end))
    else:
        therapists = [t for t in setting.therapists if therapist is None or t.pk == therapist.pk]
        if not therapists or not service.is_active or not setting.room_ids:
            return nothing
        busy_rows = busy_read(therapist_ids=[t.pk for t in therapists], room_ids=setting.room_ids, window=window)
    therapist_ids = [t.pk for t in therapists]
    room_ids = setting.room_ids
    if not room_ids:
        return nothing

    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    duration = service.duration_minutes * 60
    blocked = duration + service.cleanup_minutes * 60
    step = policy.slot_step_minutes * 60
    if kept:
        schedule = _schedule_kept(setting, days, therapist_ids, tz=tz, duration=duration, step=step)
    else:
        closed = setting.closed_days(start, end)
        schedule = schedule_working(days, closed, therapist_ids, setting.hours, tz=tz, duration=duration, step=step)
    if schedule is None:
        return Openings(therapists, duration, [])
    grid = schedule.grid
    first_allowed = epoch(earliest if allow_past else max(earliest, now))
    last_allowed = epoch(latest) if latest is not None else None
    allowed = grid.span(grid.index_at_or_after(first_allowed), grid.index_at_or_after(last_allowed))
    if not allowed:
        return Openings(therapists, duration, [])

    busy = busy_masks(
        busy_rows,
        grid=grid,
        blocked=blocked,
        team_size=len(therapist_ids),
        room_count=len(room_ids),
        day_firsts=schedule.firsts if therapist is None else None,
    )
    # Each time goes to the first room (in ``room_ids`` order) free for the session and its cleanup.
    rooms: list[tuple[int, int]] = []
    bookable = 0
    for room_id, room_busy in zip(room_ids, busy.rooms, strict=True):
        mine = allowed & ~room_busy & ~bookable
        if mine:
            rooms.append((room_id, mine))
            bookable |= mine

    # Who is free when, over the whole range at once: a row per therapist, a column per time someone is.
    free = bit_rows(
        [
            working & bookable & ~therapist_busy
            for working, therapist_busy in zip(schedule.working, busy.therapists, strict=True)
        ],
        grid.size,
    )
    times = np.flatnonzero(free.any(axis=0))
    if not times.size:
        return Openings(therapists, duration, [])
    free = free[:, times]
    day_of = np.searchsorted(schedule.day_bits, times, side="right") - 1
    team = np.arange(len(therapist_ids))[:, None]
    if therapist is None:
        # "Any therapist": whoever has the fewest bookings that day goes first, then team order.
        order = busy.booked[:-1, day_of + 1] * len(therapist_ids) + team
    else:
        order = np.broadcast_to(team, free.shape)
    order = np.where(free, order, np.iinfo(np.int64).max)
    if others:
        ranked = np.argsort(order, axis=0, kind="stable")
        owners = ranked[0].tolist()
        also = [tuple(ranked[1:count, column].tolist()) for column, count in enumerate(free.sum(axis=0).tolist())]
    else:
        owners = order.argmin(axis=0).tolist()
        also = repeat(())
    if with_rooms:
        # The rooms' times are apart: the one that holds a time is the first (and only) set in its column.
        held = bit_rows([mine for _, mine in rooms], grid.size)[:, times].argmax(axis=0)
        room_at = np.array([room_id for room_id, _ in rooms])[held].tolist()
    else:
        room_at = repeat(0)
    moments = (grid.base + times * grid.unit).tolist()
    rows = list(zip(moments, owners, room_at, also, strict=False))  # strict=False: repeat() is endless
    found = []
    first = 0
    day_list = day_of.tolist()
    for last in [*(np.flatnonzero(np.diff(day_of)) + 1).tolist(), len(rows)]:
        found.append((days[day_list[first]], rows[first:last]))
        first = last
    return Openings(therapists, duration, found)


#: Working-time grids of kept settings, by reading, range, team, length and step: a few months of a few
#: services, each a few kilobytes. Oldest first, to drop when full.
_SCHEDULES: dict[tuple, Schedule | None] = {}
_SCHEDULES_WRITE = threading.Lock()
SCHEDULES_KEPT = 64


def _schedule_kept(setting: Setting, days: list[date], therapist_ids: list[int], **options) -> Schedule | None:
    """``schedule_working`` for a kept setting, worked out once per process for each reading of it.

    A grid depends only on the setting's hours and closures and on what it is asked for; the busy time,
    the notice and the advance window are applied to it afresh on every sweep. A setting read anew (any
    edit of hours, closures, rooms, the team or the policy forgets the kept one) has a new ``reading``.
    """
    key = (setting.reading, days[0], days[-1], tuple(therapist_ids), *sorted(options.items()))
    try:
        return _SCHEDULES[key]
    except KeyError:
        pass
    schedule = schedule_working(days, setting.closed_days(days[0], days[-1]), therapist_ids, setting.hours, **options)
    # Reads need no lock; a write does, as a worker's threads (gunicorn --threads) may drop and add at once.
    with _SCHEDULES_WRITE:
        while len(_SCHEDULES) >= SCHEDULES_KEPT:
            _SCHEDULES.pop(next(iter(_SCHEDULES)))
        _SCHEDULES[key] = schedule
    return schedule


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
