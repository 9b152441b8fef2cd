"""What the availability sweep reads from the database, in as few round trips as it can, as plain integers.

Written as SQL because building and compiling these queries with the ORM costs more than running them.
Two kinds of rows:

- the **setting** of a service: who offers it (``team``), the rooms it uses, their working hours and
  the clinic's closures. These change only when staff edit them, so a public page may keep them
  (``Setting``, ``bookings.selectors.setting_public``);
- the **busy time**: appointments and time off in the window, thousands of rows for a busy month,
  read fresh by every sweep.

``sweep_rows`` reads both in one round trip, or only the busy time for a sweep given a kept setting.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial

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
    *, service: Service, therapist_ids: list[int], window: Window, days: tuple[date, date] | None, room_ids=None
) -> list[tuple]:
    """The busy time over ``window`` of these therapists and of the service's rooms, with its setting (the
    closures over ``days``) in the same round trip; or, given the ``room_ids`` a kept setting holds, only
    the busy time, as rows ``(therapist, room, start, end)`` without their kind."""
    return _rows(service=service, therapist_ids=therapist_ids, days=days, window=window, room_ids=room_ids)


def _rows(*, service, therapist_ids, days=None, window: Window | None = None, room_ids=None) -> list[tuple]:
    """Rows of a kind and four integers (or NULL), the setting's and the busy time's as asked:

    - ``r``: a room the service uses (active), its place in name order;
    - ``h``: a therapist's working hours: therapist, weekday, start and end in microseconds since midnight;
    - ``c``: a closure, its first and last day as ``date.toordinal()``;
    - ``b``: what keeps a therapist busy: therapist, room (NULL for time off), start and end in epoch
      seconds, which the driver loads far faster than datetimes. Without the setting, these rows come
      without their kind.

    The bookings that keep their time are ``Appointment.objects.active()``'s: not cancelled, and not a
    payment hold past its expiry. The busy rooms are ``room_ids``, or the service's with its setting.
    """
    vendor = connection.vendor
    seconds, ordinal = partial(epoch_sql, vendor=vendor), partial(ordinal_sql, vendor=vendor)
    micros = partial(clock_sql, vendor=vendor)
    moment, day = connection.ops.adapt_datetimefield_value, connection.ops.adapt_datefield_value

    def among(ids: list[int]) -> tuple[str, list]:
        if vendor == "postgresql":
            # One array parameter keeps the query under the driver's limit for caching its parsed form.
            return "= ANY(%s)", [list(ids)]
        return f"IN ({', '.join(['%s'] * len(ids)) or 'NULL'})", list(ids)

    therapists, therapist_params = among(therapist_ids)
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
        if with_setting:
            rooms, room_params = "IN (SELECT id FROM rooms)", []
        else:
            rooms, room_params = among(room_ids)
        excluded = window.exclude_appointment_id
        # Alone, the busy rows need no kind: four integers each.
        kind = "'b', " if with_setting else ""
        parts.append(f"""
            SELECT {kind}therapist_id, room_id, {seconds("starts_at")}, {seconds("blocked_until")}
            FROM {Appointment._meta.db_table}
            WHERE status <> %s AND NOT (status = %s AND hold_expires_at IS NOT NULL AND hold_expires_at <= %s)
                AND (therapist_id {therapists} OR room_id {rooms})
                AND starts_at > %s AND starts_at < %s AND blocked_until > %s {"" if excluded is None else "AND id <> %s"}
        """)  # noqa: S608
        params += [
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
        ]
        parts.append(f"""
            SELECT {kind}therapist_id, NULL, {seconds("starts_at")}, {seconds("ends_at")}
            FROM {TimeOff._meta.db_table}
            WHERE therapist_id {therapists} AND starts_at < %s AND ends_at > %s
        """)  # noqa: S608
        params += [*therapist_params, moment(window.end), moment(window.start)]
    with connection.cursor() as cursor:
        cursor.execute(prologue + " UNION ALL ".join(parts), params)
        return cursor.fetchall()
