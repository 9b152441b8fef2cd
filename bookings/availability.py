"""Free start times for a service over a date range, in a constant number of queries.

Everything the answer depends on (therapists, rooms, hours, time off, closures, appointments in the
window and the policy) is loaded in bulk, then the slots are computed in Python on integer epoch
seconds, as bits of one grid of candidate starts (``bookings.slotgrid``). Working hours are wall-clock times in CLINIC_TIME_ZONE; each interval is converted to UTC
on its own date and slots step through *elapsed* time from its start. So on the spring-forward day
no slot falls in the missing hour, and on the fall-back day the repeated hour yields two distinct
instants (01:00 EDT and 01:00 EST), neither duplicated nor lost.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property, partial
from operator import itemgetter

from django.db import connection
from django.utils import timezone

from core.clinictime import clinic_tz
from core.epoch import clock_sql, epoch_sql, ordinal_sql

from .models import Appointment, BookingPolicy, Closure, Room, Service, Therapist, TimeOff, WorkingHours
from .slotgrid import bits, busy_masks, day_firsts, epoch, schedule_working

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

    therapists = _team(service=service, therapist=therapist, online_only=online_only)
    if not therapists or not service.is_active:
        return nothing
    therapist_ids = [t.pk for t in therapists]

    rows = _sweep_rows(
        service=service,
        now=now,
        therapist_ids=therapist_ids,
        start=start,
        end=end,
        window_start=window_start,
        window_end=window_end,
        exclude_appointment_id=exclude_appointment_id,
    )
    room_ids = [room_id for _, room_id, _, _, _ in sorted((row for row in rows if row[0] == "r"), key=itemgetter(2))]
    clock: dict[int, time] = {}  # microseconds since midnight → the wall-clock time
    hours: dict[tuple[int, int], list[tuple[time, time]]] = defaultdict(list)
    for _, therapist_id, weekday, *bounds in (row for row in rows if row[0] == "h"):
        for micros in bounds:
            if micros not in clock:
                seconds, fraction = divmod(micros, 1_000_000)
                clock[micros] = time(seconds // 3600, seconds // 60 % 60, seconds % 60, fraction)
        hours[therapist_id, weekday].append((clock[bounds[0]], clock[bounds[1]]))
    if not room_ids:
        return nothing
    closed_days: set[date] = set()
    for _, _, starts_on, ends_on, _ in (row for row in rows if row[0] == "c"):
        for number in range(max(starts_on, start.toordinal()), min(ends_on, end.toordinal()) + 1):
            closed_days.add(date.fromordinal(number))
    busy_rows = [row[1:] for row in rows if row[0] == "b"]

    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    duration = service.duration_minutes * 60
    blocked = duration + service.cleanup_minutes * 60
    step = policy.slot_step_minutes * 60
    schedule = schedule_working(days, closed_days, therapist_ids, hours, tz=tz, duration=duration, step=step)
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
        day_firsts=day_firsts(days, tz) if therapist is None else None,
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
                for bit in bits(free):
                    owners.setdefault(bit, []).append(index)
            else:
                free &= ~taken
                for bit in bits(free):
                    owners[bit] = index
            taken |= free
        if not taken:
            continue
        room_at: dict[int, int] = {}
        left = taken
        for room_id, mask in rooms:
            here = mask >> low & left
            for bit in bits(here):
                room_at[bit] = room_id
            left ^= here
            if not left:
                break
        first = grid.moment(low)
        if others:
            times = [(first + bit * unit, owners[bit][0], room_at[bit], tuple(owners[bit][1:])) for bit in bits(taken)]
        else:
            times = [(first + bit * unit, owners[bit], room_at[bit], ()) for bit in bits(taken)]
        found.append((day, times))
    return Openings(therapists, duration, found)


def _team(*, service: Service, therapist: Therapist | None, online_only: bool) -> list[Therapist]:
    """The active therapists who offer ``service`` (only those bookable online, with ``online_only``; only
    ``therapist``, when given), in team order: position, then name.

    Written as SQL, as the rest of the sweep's reads are: the ORM takes longer to build it than to run it.
    """
    through, field = Therapist.services.through, Therapist.services.field
    conditions, params = [f"offers.{field.m2m_reverse_name()} = %s", "team.is_active"], [service.pk]
    if online_only:
        conditions.append("team.is_bookable_online")
    if therapist is not None:
        conditions.append("team.id = %s")
        params.append(therapist.pk)
    sql = f"""
        SELECT team.* FROM {Therapist._meta.db_table} team
        JOIN {through._meta.db_table} offers ON offers.{field.m2m_column_name()} = team.id
        WHERE {" AND ".join(conditions)}
        ORDER BY team.position, team.name
    """  # noqa: S608
    return list(Therapist.objects.raw(sql, params))


def _sweep_rows(
    *, service, now, therapist_ids, start, end, window_start, window_end, exclude_appointment_id
) -> list[tuple]:
    """Everything else the sweep reads, in one round trip, as rows of a kind and four integers (or NULL):

    - ``r``: a room the service uses (active), its place in name order;
    - ``h``: a therapist's working hours: therapist, weekday, start and end in microseconds since midnight;
    - ``c``: a closure over the range, its first and last day as ``date.toordinal()``;
    - ``b``: what keeps a therapist busy: therapist, room (NULL for time off), start and end in epoch
      seconds. Thousands of rows for a busy month, read as integers, which the driver loads far faster
      than datetimes.

    Written as SQL because building and compiling these queries with the ORM costs more than running
    them. The bookings that keep their time are ``Appointment.objects.active()``'s: not cancelled, and
    not a payment hold past its expiry.
    """
    vendor = connection.vendor
    seconds, ordinal = partial(epoch_sql, vendor=vendor), partial(ordinal_sql, vendor=vendor)
    micros = partial(clock_sql, vendor=vendor)
    moment, day = connection.ops.adapt_datetimefield_value, connection.ops.adapt_datefield_value
    if vendor == "postgresql":
        # One array parameter keeps the query under the driver's limit for caching its parsed form.
        therapists, therapist_params = "= ANY(%s)", [list(therapist_ids)]
    else:
        therapists, therapist_params = f"IN ({', '.join(['%s'] * len(therapist_ids))})", list(therapist_ids)
    through = Service.rooms.through
    excluded = "" if exclude_appointment_id is None else "AND id <> %s"
    # Only names, placeholders and the date expressions are formatted in: every value is a parameter.
    sql = f"""
        WITH rooms AS (
            SELECT room.id, ROW_NUMBER() OVER (ORDER BY room.name) AS place
            FROM {Room._meta.db_table} room
            JOIN {through._meta.db_table} used ON used.{Service.rooms.field.m2m_reverse_name()} = room.id
            WHERE used.{Service.rooms.field.m2m_column_name()} = %s AND room.is_active
        )
        SELECT 'r', id, place, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT) FROM rooms
        UNION ALL
        SELECT 'h', therapist_id, weekday, {micros("start_time")}, {micros("end_time")}
        FROM {WorkingHours._meta.db_table}
        WHERE therapist_id {therapists}
        UNION ALL
        SELECT 'c', CAST(NULL AS BIGINT), {ordinal("starts_on")}, {ordinal("ends_on")}, CAST(NULL AS BIGINT)
        FROM {Closure._meta.db_table}
        WHERE starts_on <= %s AND ends_on >= %s
        UNION ALL
        SELECT 'b', therapist_id, room_id, {seconds("starts_at")}, {seconds("blocked_until")}
        FROM {Appointment._meta.db_table}
        WHERE status <> %s AND NOT (status = %s AND hold_expires_at IS NOT NULL AND hold_expires_at <= %s)
            AND (therapist_id {therapists} OR room_id IN (SELECT id FROM rooms))
            AND starts_at > %s AND starts_at < %s AND blocked_until > %s {excluded}
        UNION ALL
        SELECT 'b', therapist_id, NULL, {seconds("starts_at")}, {seconds("ends_at")}
        FROM {TimeOff._meta.db_table}
        WHERE therapist_id {therapists} AND starts_at < %s AND ends_at > %s
    """  # noqa: S608
    params = [
        service.pk,
        *therapist_params,
        day(end),
        day(start),
        Appointment.Status.CANCELLED.value,
        Appointment.Status.HELD.value,
        moment(now),
        *therapist_params,
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
