"""What the availability sweep reads from the database, in as few round trips as it can, as plain integers.

Written as SQL because building and compiling these queries with the ORM costs more than running them.
Two kinds of rows:

- the **setting** of a service: who offers it (``team``), the rooms it uses, their working hours and
  the clinic's closures. These change only when staff edit them, so a public page may keep them
  (``Setting``, ``bookings.selectors.availability_kept``);
- the **busy time**: appointments and time off in the window, thousands of rows for a busy month,
  read fresh by every sweep.

``sweep_rows`` reads both in one round trip; ``busy_read`` reads only the busy time, for a sweep given a
kept setting. Either way the busy time comes back as one numpy array, which
``bookings.slotgrid.busy_masks`` turns into bit masks without a Python object per row. On PostgreSQL
``busy_read`` has the database pack its rows into two ``bytea`` values of big-endian int8s, which numpy
reads as they stand: fetching thousands of rows as tuples of Python integers cost more than the rest of the sweep.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial

import numpy as np
import psycopg
from django.db import connection

from core.epoch import clock_sql, epoch_sql, ordinal_sql

from .models import Appointment, Closure, Room, Service, Therapist, TimeOff, WorkingHours

# Service.duration_minutes ≤ 480 and cleanup_minutes ≤ 120 (model validators).
LONGEST_BLOCK = timedelta(minutes=480 + 120)


@dataclass(frozen=True)
class Setting:
    """Everything about a service a sweep reads besides busy time."""

    service: Service
    therapists: list[Therapist]  # who offers it, in team order
    room_ids: list[int]  # its active rooms: each time goes to the first of them that is free
    hours: dict[tuple[int, int], list[tuple[time, time]]]  # (therapist id, weekday) → working intervals
    closures: list[tuple[int, int]]  # first and last closed day, as ``date.toordinal()``
    #: Names this reading of the setting: a kept copy keeps it, so what is worked out from one reading alone
    #: (``bookings.availability``'s working-time grids) can be kept beside it, and a new reading starts afresh.
    reading: str = field(default_factory=lambda: uuid.uuid4().hex, compare=False)

    def closed_days(self, start: date, end: date) -> set[date]:
        days = set()
        for starts_on, ends_on in self.closures:
            for number in range(max(starts_on, start.toordinal()), min(ends_on, end.toordinal()) + 1):
                days.add(date.fromordinal(number))
        return days


@dataclass(frozen=True)
class Window:
    """The instants a sweep asks about, and the one booking it ignores (the one being moved)."""

    now: datetime
    start: datetime
    end: datetime
    exclude_appointment_id: int | None = None


def setting_read(*, service: Service, online_only: bool, since: date, until: date) -> Setting:
    """``service``'s setting, with the closures that touch ``since`` to ``until``: two queries."""
    team = team_read(service=service, therapist=None, online_only=online_only)
    return setting_from_rows(
        service, team, _rows(service=service, therapist_ids=[t.pk for t in team], days=(since, until))
    )


def setting_from_rows(service: Service, team: list[Therapist], rows: list[tuple]) -> Setting:
    """The setting in ``rows`` of kinds ``r``, ``h`` and ``c`` (the others are skipped)."""
    rooms, closures = [], []
    clock: dict[int, time] = {}  # microseconds since midnight → the wall-clock time
    hours: dict[tuple[int, int], list[tuple[time, time]]] = defaultdict(list)
    for kind, first, second, third, fourth in rows:
        if kind == "r":
            rooms.append((second, first))
        elif kind == "h":
            for micros in (third, fourth):
                if micros not in clock:
                    seconds, fraction = divmod(micros, 1_000_000)
                    clock[micros] = time(seconds // 3600, seconds // 60 % 60, seconds % 60, fraction)
            hours[first, second].append((clock[third], clock[fourth]))
        elif kind == "c":
            closures.append((second, third))
    return Setting(service, team, [room_id for _, room_id in sorted(rooms)], dict(hours), closures)


def team_read(*, service: Service, therapist: Therapist | None, online_only: bool) -> list[Therapist]:
    """The active therapists who offer ``service`` (only those bookable online, with ``online_only``; only
    ``therapist``, when given), in team order: position, then name."""
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


def sweep_rows(
    *, service: Service, team: list[Therapist], window: Window, days: tuple[date, date]
) -> tuple[Setting, np.ndarray]:
    """The busy time over ``window`` of ``team`` and of the service's rooms, as ``busy_read`` gives it, with
    the service's setting (the closures over ``days``): one round trip."""
    therapist_ids = [t.pk for t in team]
    rows = _rows(service=service, therapist_ids=therapist_ids, days=days, window=window)
    setting = setting_from_rows(service, team, rows)
    busy = np.array([row[1:] for row in rows if row[0] == "b"], dtype=np.int64).reshape(-1, 4)
    return setting, _indexed(busy, therapist_ids=therapist_ids, room_ids=setting.room_ids)


def busy_read(*, therapist_ids: list[int], room_ids: list[int], window: Window) -> np.ndarray:
    """The busy time over ``window`` of these therapists and rooms: one round trip.

    An int64 array of four columns: the therapist's index in ``therapist_ids`` (its length for another
    therapist), the room's in ``room_ids`` (its length for another room, -1 for time off), the start and
    the end in epoch seconds.
    """
    if connection.vendor != "postgresql":
        rows = _rows(service=None, therapist_ids=therapist_ids, window=window, room_ids=room_ids)
        busy = np.array(rows, dtype=np.int64).reshape(-1, 4)
        return _indexed(busy, therapist_ids=therapist_ids, room_ids=room_ids)
    # Each row as four big-endian int8s, in two values: the ids as they are, and the times in PostgreSQL's own
    # binary form (microseconds since 2000), which costs the database less to send than converting them.
    # Two aggregates of two columns each cost it less than one of four.
    sql, params = _busy_sql(therapist_ids=therapist_ids, room_ids=room_ids, window=window, kind="", raw_times=True)
    packed = f"""
        SELECT string_agg(int8send(therapist_id) || int8send(room_id), ''::bytea),
            string_agg(timestamptz_send(starts) || timestamptz_send(ends), ''::bytea)
        FROM ({sql}) AS busy (therapist_id, room_id, starts, ends)
    """  # noqa: S608
    # First a connection checked as Django checks it for any query, then the prepared statement on it.
    with connection.cursor(), _counted(_PreparedCursor(connection.connection)) as cursor:
        cursor.execute(packed, params)
        ids, times = (value or b"" for value in cursor.fetchone())  # NULL when nothing is busy
    busy = np.empty((len(ids) // 16, 4), dtype=np.int64)
    busy[:, :2] = np.frombuffer(ids, dtype=">i8").reshape(-1, 2)
    busy[:, 2:] = np.frombuffer(times, dtype=">i8").reshape(-1, 2)
    # Whole seconds, rounded down, as the epoch columns read elsewhere (``core.epoch``) give them.
    busy[:, 2:] = busy[:, 2:] // 1_000_000 + POSTGRESQL_EPOCH
    return _indexed(busy, therapist_ids=therapist_ids, room_ids=room_ids)


def _counted(cursor):
    """``cursor`` wrapped as Django wraps its own: its queries are logged and counted, its errors translated."""
    return connection.make_debug_cursor(cursor) if connection.queries_logged else connection.make_cursor(cursor)


class _PreparedCursor(psycopg.Cursor):
    """A cursor that binds parameters on the server, has each statement prepared once per connection, and
    reads results in binary.

    Every month of availability sends the same statement: prepared, PostgreSQL plans it once per
    connection instead of on each request, and its ``bytea`` values come back as they are, not as hex text.
    Django's own cursors bind on the client and prepare nothing (``OPTIONS`` could change that for every
    query, with the ORM's known gaps in server-side binding); this is the one statement worth it.
    """

    def execute(self, query, params=None, **options):
        return super().execute(query, params, prepare=True, binary=True)


# 2000-01-01 00:00 UTC, where PostgreSQL's binary timestamps count from, in epoch seconds.
POSTGRESQL_EPOCH = 946_684_800


def _indexed(busy: np.ndarray, *, therapist_ids: list[int], room_ids: list[int]) -> np.ndarray:
    """``busy`` with its therapist and room ids replaced by their indexes, as ``busy_read`` says (in place)."""
    busy[:, 0] = _positions(busy[:, 0], therapist_ids)
    rooms = busy[:, 1]
    busy[:, 1] = np.where(rooms == -1, -1, _positions(rooms, room_ids))
    return busy


def _positions(values: np.ndarray, ids: list[int]) -> np.ndarray:
    """Each value's index in ``ids``, or ``len(ids)`` for a value that is not there."""
    if not ids:
        return np.zeros_like(values)
    known = np.array(ids, dtype=np.int64)
    order = np.argsort(known)
    ordered = known[order]
    place = np.minimum(np.searchsorted(ordered, values), len(ids) - 1)
    return np.where(ordered[place] == values, order[place], len(ids))


def _among(ids: list[int]) -> tuple[str, list]:
    if connection.vendor == "postgresql":
        # One array parameter keeps the query under the driver's limit for caching its parsed form.
        return "= ANY(%s)", [list(ids)]
    return f"IN ({', '.join(['%s'] * len(ids)) or 'NULL'})", list(ids)


def _rows(*, service, therapist_ids, days=None, window: Window | None = None, room_ids=None) -> list[tuple]:
    """Rows of a kind and four integers (or NULL), the setting's and the busy time's as asked:

    - ``r``: a room the service uses (active), its place in name order;
    - ``h``: a therapist's working hours: therapist, weekday, start and end in microseconds since midnight;
    - ``c``: a closure, its first and last day as ``date.toordinal()``;
    - ``b``: what keeps a therapist busy (``_busy_sql``). Without the setting, these rows come without
      their kind, and the rooms are ``room_ids``.
    """
    vendor = connection.vendor
    ordinal, micros = partial(ordinal_sql, vendor=vendor), partial(clock_sql, vendor=vendor)
    day = connection.ops.adapt_datefield_value
    therapists, therapist_params = _among(therapist_ids)
    parts, params = [], []
    # Only names, placeholders and the date expressions are formatted in: every value is a parameter.
    with_setting = days is not None
    if with_setting:
        used, through = Service.rooms.field, Service.rooms.through
        prologue = f"""
            WITH rooms AS (
                SELECT room.id, ROW_NUMBER() OVER (ORDER BY room.name) AS place
                FROM {Room._meta.db_table} room
                JOIN {through._meta.db_table} used ON used.{used.m2m_reverse_name()} = room.id
                WHERE used.{used.m2m_column_name()} = %s AND room.is_active
            )
        """  # noqa: S608
        params.append(service.pk)
        parts.append("SELECT 'r', id, place, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT) FROM rooms")
        parts.append(f"""
            SELECT 'h', therapist_id, weekday, {micros("start_time")}, {micros("end_time")}
            FROM {WorkingHours._meta.db_table} WHERE therapist_id {therapists}
        """)  # noqa: S608
        params += therapist_params
        parts.append(f"""
            SELECT 'c', CAST(NULL AS BIGINT), {ordinal("starts_on")}, {ordinal("ends_on")}, CAST(NULL AS BIGINT)
            FROM {Closure._meta.db_table} WHERE starts_on <= %s AND ends_on >= %s
        """)  # noqa: S608
        params += [day(days[1]), day(days[0])]
    else:
        prologue = ""
    if window is not None:
        busy, busy_params = _busy_sql(
            therapist_ids=therapist_ids,
            room_ids=None if with_setting else room_ids,
            window=window,
            kind="'b', " if with_setting else "",
        )
        parts.append(busy)
        params += busy_params
    with connection.cursor() as cursor:
        cursor.execute(prologue + " UNION ALL ".join(parts), params)
        return cursor.fetchall()


def _busy_sql(
    *, therapist_ids: list[int], room_ids: list[int] | None, window: Window, kind: str, raw_times: bool = False
) -> tuple[str, list]:
    """What keeps a therapist busy: rows of ``kind`` then therapist, room (-1 for time off), start and end in
    epoch seconds, which the driver loads far faster than datetimes (as timestamps, with ``raw_times``). The
    rooms are ``room_ids``, or, with None, those of the ``rooms`` table the setting's query defines.

    The bookings that keep their time are ``Appointment.objects.active()``'s: not cancelled, and not a
    payment hold past its expiry.
    """
    seconds = str if raw_times else partial(epoch_sql, vendor=connection.vendor)
    moment = connection.ops.adapt_datetimefield_value
    therapists, therapist_params = _among(therapist_ids)
    rooms, room_params = ("IN (SELECT id FROM rooms)", []) if room_ids is None else _among(room_ids)
    excluded = window.exclude_appointment_id
    sql = f"""
        SELECT {kind}therapist_id, room_id, {seconds("starts_at")}, {seconds("blocked_until")}
        FROM {Appointment._meta.db_table}
        WHERE status <> %s AND NOT (status = %s AND hold_expires_at IS NOT NULL AND hold_expires_at <= %s)
            AND (therapist_id {therapists} OR room_id {rooms})
            AND starts_at > %s AND starts_at < %s AND blocked_until > %s {"" if excluded is None else "AND id <> %s"}
        UNION ALL
        SELECT {kind}therapist_id, -1, {seconds("starts_at")}, {seconds("ends_at")}
        FROM {TimeOff._meta.db_table}
        WHERE therapist_id {therapists} AND starts_at < %s AND ends_at > %s
    """  # noqa: S608
    params = [
        Appointment.Status.CANCELLED.value,
        Appointment.Status.HELD.value,
        moment(window.now),
        *therapist_params,
        *room_params,
        # Bounds on starts_at let the index skip all of history: nothing that started more than the
        # longest possible session plus cleanup before the window can still block it, and nothing
        # that starts that long after it can block a time in it.
        moment(window.start - LONGEST_BLOCK),
        moment(window.end + LONGEST_BLOCK),
        moment(window.start),
        *([] if excluded is None else [excluded]),
        *therapist_params,
        moment(window.end),
        moment(window.start),
    ]
    return sql, params
