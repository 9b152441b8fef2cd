"""Free start times for a service over a date range, in a constant number of queries.

Everything the answer depends on (therapists, rooms, hours, time off, closures, appointments in the
window and the policy) is loaded in bulk, then the slots are computed in Python on integer epoch
seconds. Working hours are wall-clock times in CLINIC_TIME_ZONE; each interval is converted to UTC
on its own date and slots step through *elapsed* time from its start. So on the spring-forward day
no slot falls in the missing hour, and on the fall-back day the repeated hour yields two distinct
instants (01:00 EDT and 01:00 EST), neither duplicated nor lost.
"""

from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property, partial
from math import gcd
from operator import itemgetter

from django.db import connection
from django.utils import timezone

from core.clinictime import clinic_tz
from core.epoch import epoch_sql

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


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


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
) -> Openings:
    """Every bookable start from ``start`` to ``end`` (clinic dates, inclusive), earliest first.

    With ``therapist=None`` ("any therapist") there is one time per start, assigned to the therapist
    with the fewest bookings that day (then the first in the team order); the others free then
    follow, in the same order.
    ``ignore_notice`` lets staff book inside the minimum notice and beyond the advance window,
    never in the past; ``allow_past`` (staff recording a walk-in or a session that happened) lifts
    that too. ``exclude_appointment_id`` ignores one booking, for moving it. ``others=False`` leaves
    the others out, for callers that name only the therapist a booking would go to (the API).
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

    therapists_qs = Therapist.objects.filter(is_active=True, services=service)
    if online_only:
        therapists_qs = therapists_qs.filter(is_bookable_online=True)
    if therapist is not None:
        therapists_qs = therapists_qs.filter(pk=therapist.pk)
    therapists = list(therapists_qs)
    room_ids = list(service.rooms.filter(is_active=True).values_list("pk", flat=True))
    if not therapists or not room_ids or not service.is_active:
        return nothing
    therapist_ids = [t.pk for t in therapists]

    hours: dict[tuple[int, int], list[tuple[time, time]]] = defaultdict(list)
    for therapist_id, weekday, start_time, end_time in (
        WorkingHours.objects.filter(therapist_id__in=therapist_ids)
        .order_by()
        .values_list("therapist_id", "weekday", "start_time", "end_time")
    ):
        hours[therapist_id, weekday].append((start_time, end_time))

    closed_days: set[date] = set()
    for starts_on, ends_on in (
        Closure.objects.filter(starts_on__lte=end, ends_on__gte=start).order_by().values_list("starts_on", "ends_on")
    ):
        day = max(starts_on, start)
        while day <= min(ends_on, end):
            closed_days.add(day)
            day += timedelta(days=1)

    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    duration = service.duration_minutes * 60
    blocked = duration + service.cleanup_minutes * 60
    step = policy.slot_step_minutes * 60
    schedule = _schedule(days, closed_days, therapist_ids, hours, tz=tz, duration=duration, step=step)
    if schedule is None:
        return Openings(therapists, duration, [])
    grid = schedule.grid
    first_allowed = _epoch(earliest if allow_past else max(earliest, now))
    last_allowed = _epoch(latest) if latest is not None else None
    allowed = grid.span(grid.index_at_or_after(first_allowed), grid.index_at_or_after(last_allowed))
    if not allowed:
        return Openings(therapists, duration, [])

    busy = _busy_masks(
        _busy_rows(
            now=now,
            therapist_ids=therapist_ids,
            room_ids=room_ids,
            window_start=window_start,
            window_end=window_end,
            exclude_appointment_id=exclude_appointment_id,
        ),
        grid=grid,
        blocked=blocked,
        day_firsts=_day_firsts(days, tz) if therapist is None else None,
    )
    # Each time goes to the first room (in ``room_ids`` order) free for the session and its cleanup.
    rooms: list[tuple[int, int]] = []
    bookable = 0
    for room_id in room_ids:
        mine = allowed & ~busy.rooms.get(room_id, 0) & ~bookable
        if mine:
            rooms.append((room_id, mine))
            bookable |= mine

    found = []
    therapist_busy, booked, unit = busy.therapists, busy.booked, grid.unit
    for day_index, day, low, working in schedule.days:
        if therapist is None:
            # "Any therapist": whoever has the fewest bookings that day goes first, then team order.
            working = sorted(working, key=lambda item: booked[therapist_ids[item[0]], day_index + 1])
        # The day's bits from ``low`` on: small integers, whatever the length of the range.
        open_then = bookable >> low
        owners: dict = {}  # bit → the fair therapist's index (or, with ``others``, every free one's, in order)
        taken = 0
        for index, mask in working:
            free = mask & open_then & ~(therapist_busy.get(therapist_ids[index], 0) >> low)
            if others:
                for bit in _bits(free):
                    owners.setdefault(bit, []).append(index)
            else:
                free &= ~taken
                for bit in _bits(free):
                    owners[bit] = index
            taken |= free
        if not taken:
            continue
        room_at: dict[int, int] = {}
        left = taken
        for room_id, mask in rooms:
            here = mask >> low & left
            for bit in _bits(here):
                room_at[bit] = room_id
            left ^= here
            if not left:
                break
        first = grid.moment(low)
        if others:
            times = [(first + bit * unit, owners[bit][0], room_at[bit], tuple(owners[bit][1:])) for bit in _bits(taken)]
        else:
            times = [(first + bit * unit, owners[bit], room_at[bit], ()) for bit in _bits(taken)]
        found.append((day, times))
    return Openings(therapists, duration, found)


@dataclass(frozen=True)
class _Grid:
    """Every candidate start as a bit: bit ``i`` is the moment ``base + i * unit`` (epoch seconds).

    ``unit`` divides the slot step and the distance between any two openings, so every working
    interval's times ``opens + k * step`` land on bits, ``step // unit`` apart; busy intervals then
    rule out runs of bits, and a whole range of days is a handful of integer operations per
    therapist, room and interval instead of a loop over each time.
    """

    base: int
    unit: int
    size: int  # bits: one past the last candidate

    def moment(self, bit: int) -> int:
        return self.base + bit * self.unit

    def index_at_or_after(self, moment: int | None) -> int:
        """The first bit whose moment is at or after ``moment`` (``size`` for None), within [0, size]."""
        if moment is None:
            return self.size
        return min(self.size, max(0, -((self.base - moment) // self.unit)))

    @staticmethod
    def span(low: int, high: int) -> int:
        """Bits ``low`` to ``high - 1``."""
        return (1 << high) - (1 << low) if high > low else 0


@dataclass(frozen=True)
class _Schedule:
    grid: _Grid
    #: Each day someone works: its index into the range, the date, its lowest bit, and (therapist index,
    #: its working times as bits from that lowest one) in team order.
    days: list[tuple[int, date, int, list[tuple[int, int]]]]


def _schedule(days, closed_days, therapist_ids, hours, *, tz, duration: int, step: int) -> _Schedule | None:
    """The working intervals of every open day as epoch seconds, on one grid (None when nobody works)."""
    team_on: dict[int, list[tuple[int, tuple[tuple[time, time], ...]]]] = defaultdict(list)  # weekday → who works
    for index, therapist_id in enumerate(therapist_ids):
        for weekday in range(7):
            intervals = hours.get((therapist_id, weekday))
            if intervals:
                team_on[weekday].append((index, tuple(sorted(intervals))))
    working_days = []  # (day index, day, therapist index → its pattern, pattern → its spans)
    opens_all: set[int] = set()
    last_close = None
    for day_index, day in enumerate(days):
        team = team_on.get(day.weekday())
        if not team or day in closed_days:
            continue
        # Most of a team shares a few patterns of hours: each pattern's times are worked out once a day.
        clock: dict[time, int] = {}  # wall-clock time → epoch on this day
        spans_of: dict[tuple[tuple[time, time], ...], list[tuple[int, int]]] = {}
        for _, pattern in team:
            if pattern in spans_of:
                continue
            spans = spans_of[pattern] = []
            for start_time, end_time in pattern:
                for wall in (start_time, end_time):
                    if wall not in clock:
                        clock[wall] = _epoch(datetime.combine(day, wall, tzinfo=tz))
                opens, closes = clock[start_time], clock[end_time]
                if closes - duration >= opens:  # at least one session fits
                    spans.append((opens, closes))
                    opens_all.add(opens)
                    last_close = closes if last_close is None else max(last_close, closes)
        if any(spans_of.values()):
            working_days.append((day_index, day, team, spans_of))
    if not opens_all:
        return None
    base = min(opens_all)
    unit = gcd(step, *(opens - base for opens in opens_all))
    grid = _Grid(base=base, unit=unit, size=(last_close - base) // unit + 1)
    stride = step // unit
    spread = (1 << stride) - 1  # bits 0, stride, 2 * stride, … of a run of times, by the geometric series
    found = []
    for day_index, day, team, spans_of in working_days:
        low = (min(opens for spans in spans_of.values() for opens, _ in spans) - base) // unit
        mask_of = {}
        for pattern, spans in spans_of.items():
            mask = 0
            for opens, closes in spans:
                count = (closes - duration - opens) // step + 1
                run = (1 << count) - 1 if stride == 1 else ((1 << (count * stride)) - 1) // spread
                mask |= run << ((opens - base) // unit - low)
            mask_of[pattern] = mask
        found.append((day_index, day, low, [(index, mask_of[pattern]) for index, pattern in team if mask_of[pattern]]))
    return _Schedule(grid, found)


def _busy_rows(*, now, therapist_ids, room_ids, window_start, window_end, exclude_appointment_id):
    """(therapist id, room id or None, start, end) of every appointment and time off that can block the window.

    Thousands of rows for a busy month: read as integers, which the driver loads far faster than
    datetimes, in one round trip (time off as rows without a room), straight from the cursor.
    Written as SQL because building and compiling this union with the ORM costs more than running
    it. The bookings that keep their time are ``Appointment.objects.active()``'s: not cancelled, and
    not a payment hold past its expiry.
    """
    epoch = partial(epoch_sql, vendor=connection.vendor)
    moment = connection.ops.adapt_datetimefield_value
    if connection.vendor == "postgresql":
        # One array parameter per list keeps the query under the driver's limit for caching its parsed form.
        therapists, rooms = "= ANY(%s)", "= ANY(%s)"
        therapist_params, room_params = [list(therapist_ids)], [list(room_ids)]
    else:
        therapists, rooms = (f"IN ({', '.join(['%s'] * len(ids))})" for ids in (therapist_ids, room_ids))
        therapist_params, room_params = therapist_ids, room_ids
    excluded = "" if exclude_appointment_id is None else "AND id <> %s"
    # Only table names, placeholders and the epoch expression are formatted in: every value is a parameter.
    sql = f"""
        SELECT therapist_id, room_id, {epoch("starts_at")}, {epoch("blocked_until")}
        FROM {Appointment._meta.db_table}
        WHERE status <> %s AND NOT (status = %s AND hold_expires_at IS NOT NULL AND hold_expires_at <= %s)
            AND (therapist_id {therapists} OR room_id {rooms})
            AND starts_at > %s AND starts_at < %s AND blocked_until > %s {excluded}
        UNION ALL
        SELECT therapist_id, NULL, {epoch("starts_at")}, {epoch("ends_at")}
        FROM {TimeOff._meta.db_table}
        WHERE therapist_id {therapists} AND starts_at < %s AND ends_at > %s
    """  # noqa: S608
    params = [
        Appointment.Status.CANCELLED.value,
        Appointment.Status.HELD.value,
        moment(now),
        *therapist_params,
        *room_params,
        # A lower bound on starts_at lets the index skip all of history: nothing that started more
        # than the longest possible session plus cleanup ago can still block the window.
        moment(window_start - LONGEST_BLOCK),
        moment(window_end + timedelta(days=1)),
        moment(window_start),
        *([] if exclude_appointment_id is None else [exclude_appointment_id]),
        *therapist_params,
        moment(window_end),
        moment(window_start),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@dataclass(frozen=True)
class _BusyMasks:
    therapists: dict[int, int]  # therapist id → the grid bits they cannot start at
    rooms: dict[int, int]  # room id → the same
    booked: Counter[tuple[int, int]]  # (therapist id, day index + 1) → appointments starting that clinic day


def _busy_masks(rows, *, grid: _Grid, blocked: int, day_firsts: list[int] | None) -> _BusyMasks:
    """A busy interval (s, e) rules out every start in (s - blocked, e): the session plus cleanup would overlap it.

    Rows of therapists or rooms the sweep does not use, and time off's missing room, get masks nobody reads.
    """
    therapists: dict[int, int] = defaultdict(int)
    rooms: dict[int, int] = defaultdict(int)
    size, unit = grid.size, grid.unit
    # The first bit after s - blocked is (s - blocked - base) // unit + 1; the first at or after e is
    # ceil((e - base) / unit). Both as one floor division of a shifted value.
    after, before = grid.base + blocked - unit, grid.base - unit + 1
    for therapist_id, room_id, starts_at, ends_at in rows:
        low = (starts_at - after) // unit
        high = (ends_at - before) // unit
        if low < 0:
            low = 0
        if high > size:
            high = size
        if low < high:
            mask = (1 << high) - (1 << low)
            therapists[therapist_id] |= mask
            rooms[room_id] |= mask
    booked: Counter[tuple[int, int]] = Counter()
    if day_firsts is not None:
        # A start belongs to the last day whose first instant is not after it; time off is no booking.
        appointments = [row for row in rows if row[1] is not None]
        booked.update(
            zip(
                map(itemgetter(0), appointments),
                map(partial(bisect_right, day_firsts), map(itemgetter(2), appointments)),
                strict=True,
            )
        )
    return _BusyMasks(therapists, rooms, booked)


def _day_firsts(days: list[date], tz) -> list[int]:
    """Each day's first instant and the next day's, as epoch seconds (``combine`` settles a midnight that is
    skipped or repeated as the window does)."""
    firsts = [_epoch(datetime.combine(day, time.min, tzinfo=tz)) for day in days]
    firsts.append(_epoch(datetime.combine(days[-1] + timedelta(days=1), time.min, tzinfo=tz)))
    return firsts


def _bits(mask: int) -> list[int]:
    """The set bits of ``mask``, lowest first."""
    found = []
    while mask:
        low = mask & -mask
        found.append(low.bit_length() - 1)
        mask ^= low
    return found


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
