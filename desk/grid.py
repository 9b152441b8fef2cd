"""The day grid: one column per therapist (or room), one row per slot step over the day's opening hours.

Everything is read in a fixed number of queries whatever the day holds (therapists, rooms, hours,
time off, closures, the day's appointments with their services and clients, the policy), then laid
out in Python. Rows are wall-clock steps in the clinic's zone; each appointment covers the rows of
its session and its cleanup, and every row of a column that is neither busy, off nor closed is a
free slot that links to the booking form.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from math import ceil

from django.urls import reverse
from django.utils.http import urlencode

from bookings.availability import clinic_tz
from bookings.models import Appointment, BookingPolicy, Closure, Room, Therapist, TimeOff, WorkingHours
from core.clinictime import clinic_time, clinic_time_range

DEFAULT_HOURS = (time(9), time(17))
STATUS_LABELS = {"booked": "Booked", "arrived": "Arrived", "completed": "Completed", "no_show": "No-show"}


@dataclass
class Block:
    appointment: Appointment
    row: int
    span: int
    cleanup_share: int  # percent of the block's height that is cleanup
    state: str
    label: str
    colour: int  # one of six service colours
    intake: str = ""


@dataclass
class Cell:
    row: int
    kind: str  # free, off, timeoff, closed
    label: str
    start: datetime
    url: str = ""


@dataclass
class Column:
    key: str
    title: str
    therapist: Therapist | None = None
    room: Room | None = None
    blocks: list[Block] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    appointments: list[Appointment] = field(default_factory=list)


@dataclass
class DayGrid:
    day: date
    by: str
    step: int
    rows: list[tuple[int, str, bool]]  # grid row, label, whether the label is on the hour
    columns: list[Column]
    closed_reason: str
    appointments: list[Appointment]
    cancelled: list[Appointment]
    now_row: int | None
    now_fraction: float


INTAKE_FLAGS = (
    ("intake_pregnant", "pregnant"),
    ("intake_areas_to_avoid", "areas to avoid"),
    ("intake_injuries", "injuries"),
    ("intake_medications", "medication"),
    ("intake_allergies", "allergies"),
)


def intake_flags(appointment: Appointment) -> str:
    """Which intake questions have an answer, in a word each: the grid shows that much, the session page the rest."""
    return "; ".join(
        word for field, word in INTAKE_FLAGS if str(getattr(appointment, field)).strip() not in ("", "False")
    )


def appointment_state(appointment: Appointment) -> str:
    if appointment.status == Appointment.Status.BOOKED and appointment.arrived_at is not None:
        return "arrived"
    return appointment.status


def _minutes(moment: datetime, day_start: datetime) -> int:
    """Minutes elapsed since the day's first instant: on a clock-change day the grid has 23 or 25 hours."""
    return int((moment - day_start).total_seconds() // 60)


def _wall(day: date, clock: time, day_start: datetime, tz) -> int:
    return _minutes(datetime.combine(day, clock, tzinfo=tz), day_start)


def _moment(day_start: datetime, minute: int) -> datetime:
    return (day_start.astimezone(UTC) + timedelta(minutes=minute)).astimezone(day_start.tzinfo)


def day_appointments(day: date, *, tz) -> list[Appointment]:
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return list(
        Appointment.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("service", "therapist", "room", "client")
        .order_by("starts_at", "therapist__position", "pk")
    )


def day_grid(day: date, *, by: str = "therapist", now: datetime) -> DayGrid:
    tz = clinic_tz()
    policy = BookingPolicy.current()
    step = policy.slot_step_minutes
    therapists = list(Therapist.objects.filter(is_active=True))
    rooms = list(Room.objects.filter(is_active=True))
    hours: dict[int, list[tuple[time, time]]] = defaultdict(list)
    for therapist_id, start_time, end_time in WorkingHours.objects.filter(
        weekday=day.weekday(), therapist__is_active=True
    ).values_list("therapist_id", "start_time", "end_time"):
        hours[therapist_id].append((start_time, end_time))
    closure = Closure.objects.filter(starts_on__lte=day, ends_on__gte=day).values_list("reason", flat=True).first()
    day_start = datetime.combine(day, time.min, tzinfo=tz)
    day_end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    day_length = _minutes(day_end, day_start)
    time_off: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for therapist_id, starts_at, ends_at, reason in TimeOff.objects.filter(
        starts_at__lt=day_end, ends_at__gt=day_start
    ).values_list("therapist_id", "starts_at", "ends_at", "reason"):
        first = 0 if starts_at <= day_start else _minutes(starts_at, day_start)
        last = day_length if ends_at >= day_end else _minutes(ends_at, day_start)
        time_off[therapist_id].append((first, last, reason))
    appointments = day_appointments(day, tz=tz)
    active = [a for a in appointments if a.status != Appointment.Status.CANCELLED]

    intervals = [interval for spans in hours.values() for interval in spans] or [DEFAULT_HOURS]
    opens = min(_wall(day, start, day_start, tz) for start, _ in intervals)
    closes = max(_wall(day, end, day_start, tz) for _, end in intervals)
    for appointment in active:
        opens = min(opens, _minutes(appointment.starts_at, day_start))
        closes = max(closes, min(day_length, _minutes(appointment.blocked_until, day_start)))
    opens -= opens % step
    closes = min(day_length, closes + (-closes) % step)
    row_of = {minute: index + 2 for index, minute in enumerate(range(opens, closes, step))}
    rows = [(row, clinic_time(_moment(day_start, m)), _moment(day_start, m).minute == 0) for m, row in row_of.items()]

    if by == "room":
        columns = [Column(key=f"room-{room.pk}", title=room.name, room=room) for room in rooms]
        column_of = {("room", room.pk): column for room, column in zip(rooms, columns, strict=True)}
    else:
        working = [t for t in therapists if hours.get(t.pk) or any(a.therapist_id == t.pk for a in active)]
        columns = [Column(key=f"therapist-{t.pk}", title=t.name, therapist=t) for t in working]
        column_of = {("therapist", t.pk): column for t, column in zip(working, columns, strict=True)}

    busy: dict[str, set[int]] = defaultdict(set)
    for appointment in active:
        column = column_of.get(
            ("room", appointment.room_id) if by == "room" else ("therapist", appointment.therapist_id)
        )
        if column is None:
            continue
        first = _minutes(appointment.starts_at, day_start)
        until = min(day_length, _minutes(appointment.blocked_until, day_start))
        start_row = row_of.get(first - first % step, 2)
        span = max(1, ceil((until - (first - first % step)) / step))
        total = max(1, until - first)
        cleanup = min(appointment.service.cleanup_minutes, total)
        state = appointment_state(appointment)
        column.blocks.append(
            Block(
                appointment=appointment,
                row=start_row,
                span=span,
                cleanup_share=round(100 * cleanup / total),
                state=state,
                label=clinic_time_range(appointment.starts_at, appointment.ends_at),
                colour=appointment.service_id % 6,
                intake=intake_flags(appointment),
            )
        )
        column.appointments.append(appointment)
        busy[column.key].update(range(start_row, start_row + span))

    open_any = [(_wall(day, s, day_start, tz), _wall(day, e, day_start, tz)) for s, e in intervals] if hours else []
    for column in columns:
        spans = (
            [
                (_wall(day, s, day_start, tz), _wall(day, e, day_start, tz))
                for s, e in hours.get(column.therapist.pk, ())
            ]
            if column.therapist
            else open_any
        )
        away = time_off.get(column.therapist.pk, []) if column.therapist else []
        for minute, row in row_of.items():
            if row in busy[column.key]:
                continue
            start = _moment(day_start, minute)
            label = clinic_time(start)
            if closure:
                column.cells.append(Cell(row, "closed", f"Closed: {closure}", start))
                continue
            reason = next((r or "Time off" for a, b, r in away if a <= minute < b), None)
            if reason:
                column.cells.append(Cell(row, "timeoff", f"{column.title} away: {reason}", start))
            elif not any(a <= minute < b for a, b in spans):
                column.cells.append(Cell(row, "off", f"{label}: outside {column.title}'s hours", start))
            else:
                params = {"start": start.astimezone(tz).isoformat(timespec="minutes")}
                if column.therapist:
                    params["therapist"] = column.therapist.slug
                else:
                    params["room"] = column.room.slug
                url = f"{reverse('desk:book')}?{urlencode(params)}"
                column.cells.append(Cell(row, "free", f"Book {label} with {column.title}", start, url))

    now_row, now_fraction = None, 0.0
    if day_start <= now < day_end:
        minute = _minutes(now, day_start)
        if opens <= minute < closes:
            now_row = 2 + (minute - opens) // step
            now_fraction = round(((minute - opens) % step) / step, 2)
    return DayGrid(
        day=day,
        by=by,
        step=step,
        rows=rows,
        columns=columns,
        closed_reason=closure or "",
        appointments=active,
        cancelled=[a for a in appointments if a.status == Appointment.Status.CANCELLED],
        now_row=now_row,
        now_fraction=now_fraction,
    )


def day_summary(grid: DayGrid, *, now: datetime, shortest_minutes: int) -> dict:
    """Today at a glance: counts by state, free stretches long enough for a session, and who is next."""
    counts = {"booked": 0, "arrived": 0, "completed": 0, "no_show": 0, "cancelled": len(grid.cancelled)}
    for appointment in grid.appointments:
        counts[appointment_state(appointment)] += 1
    gaps = []
    if grid.by == "therapist" and not grid.closed_reason:
        rows_needed = max(1, ceil(shortest_minutes / grid.step))
        for column in grid.columns:
            run: list[Cell] = []
            for cell in [*sorted(column.cells, key=lambda c: c.row), None]:
                if cell is not None and cell.kind == "free" and (not run or cell.row == run[-1].row + 1):
                    run.append(cell)
                    continue
                if len(run) >= rows_needed and run[-1].start + timedelta(minutes=grid.step) > now:
                    end = run[-1].start + timedelta(minutes=grid.step)
                    gaps.append(
                        {
                            "column": column.title,
                            "start": run[0].start,
                            "end": end,
                            "url": run[0].url,
                            "label": f"{clinic_time(run[0].start)}–{clinic_time(end)}",
                        }
                    )
                run = [cell] if cell is not None and cell.kind == "free" else []
    upcoming = [a for a in grid.appointments if a.status == "booked" and a.arrived_at is None and a.ends_at > now]
    return {"counts": counts, "gaps": sorted(gaps, key=lambda g: g["start"]), "next": upcoming[:3]}
