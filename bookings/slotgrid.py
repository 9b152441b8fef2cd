"""The bit grid the availability sweep runs on: every candidate start of a date range as one bit.

A therapist's working times, their busy time and each room's busy time become integers whose set
bits are start times, so "free, in working hours, with a room" is a few integer operations per
therapist over the whole range instead of a loop over each time. The busy time arrives as a numpy
array and becomes those integers in a few array operations (``busy_masks``); who takes each time is
then decided in one therapist-by-time matrix (``bit_rows``; ``bookings.availability`` reads the rows and
applies the rules of order: fairness, the first free room).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from math import gcd

import numpy as np

from core.clinictime import clocks_change_on


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


@dataclass(frozen=True)
class Grid:
    """Every candidate start as a bit: bit ``i`` is the moment ``base + i * unit`` (epoch seconds).

    ``unit`` divides the slot step and the distance between any two openings, so every working
    interval's times ``opens + k * step`` land on bits, ``step // unit`` apart; busy intervals then
    rule out runs of bits, and a whole range of days is a handful of integer operations per
    therapist, room and interval instead of a loop over each time.
    """

    base: int
    unit: int
    size: int  # bits: one past the last candidate

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
class Schedule:
    grid: Grid
    #: For each therapist, in team order: every start their working hours allow over the range, as grid bits.
    working: list[int]
    #: Each day's first instant, and the next day's after the last (``day_firsts``).
    firsts: list[int]
    #: Each day's first bit: the first at or after its first instant.
    day_bits: list[int]


def schedule_working(days, closed_days, therapist_ids, hours, *, tz, duration: int, step: int) -> Schedule | None:
    """The working intervals of every open day as epoch seconds, on one grid (None when nobody works)."""
    team_on: dict[int, list[tuple[int, tuple[tuple[time, time], ...]]]] = defaultdict(list)  # weekday → who works
    for index, therapist_id in enumerate(therapist_ids):
        for weekday in range(7):
            intervals = hours.get((therapist_id, weekday))
            if intervals:
                team_on[weekday].append((index, tuple(sorted(intervals))))
    working_days = []  # (therapist index → its pattern, pattern → its spans)
    opens_all: set[int] = set()
    last_close = None
    for day in days:
        team = team_on.get(day.weekday())
        if not team or day in closed_days:
            continue
        # Most of a team shares a few patterns of hours: each pattern's times are worked out once a day.
        clock: dict[time, int] = {}  # wall-clock time → epoch on this day
        # On a day the clocks keep still, a wall-clock time is its seconds after midnight.
        midnight = None if clocks_change_on(day, tz) else epoch(datetime.combine(day, time.min, tzinfo=tz))
        spans_of: dict[tuple[tuple[time, time], ...], list[tuple[int, int]]] = {}
        for _, pattern in team:
            if pattern in spans_of:
                continue
            spans = spans_of[pattern] = []
            for start_time, end_time in pattern:
                for wall in (start_time, end_time):
                    if wall not in clock:
                        if midnight is None:
                            clock[wall] = epoch(datetime.combine(day, wall, tzinfo=tz))
                        else:
                            clock[wall] = midnight + wall.hour * 3600 + wall.minute * 60 + wall.second
                opens, closes = clock[start_time], clock[end_time]
                if closes - duration >= opens:  # at least one session fits
                    spans.append((opens, closes))
                    opens_all.add(opens)
                    last_close = closes if last_close is None else max(last_close, closes)
        if any(spans_of.values()):
            working_days.append((team, spans_of))
    if not opens_all:
        return None
    base = min(opens_all)
    unit = gcd(step, *(opens - base for opens in opens_all))
    grid = Grid(base=base, unit=unit, size=(last_close - base) // unit + 1)
    stride = step // unit
    spread = (1 << stride) - 1  # bits 0, stride, 2 * stride, … of a run of times, by the geometric series
    working = [0] * len(therapist_ids)
    for team, spans_of in working_days:
        mask_of = {}
        for pattern, spans in spans_of.items():
            mask = 0
            for opens, closes in spans:
                count = (closes - duration - opens) // step + 1
                run = (1 << count) - 1 if stride == 1 else ((1 << (count * stride)) - 1) // spread
                mask |= run << (opens - base) // unit
            mask_of[pattern] = mask
        for index, pattern in team:
            working[index] |= mask_of[pattern]
    firsts = day_firsts(days, tz)
    return Schedule(grid, working, firsts, [grid.index_at_or_after(first) for first in firsts[:-1]])


@dataclass(frozen=True)
class BusyMasks:
    therapists: list[int]  # for each therapist of the sweep, in its order: the grid bits they cannot start at
    rooms: list[int]  # for each room of the sweep: the same
    #: For each therapist (and a last row for others), appointments starting on each clinic day (column
    #: day index + 1; the first and the last are before and after the range). None when not asked for.
    booked: np.ndarray | None


def busy_masks(
    busy: np.ndarray, *, grid: Grid, blocked: int, team_size: int, room_count: int, day_firsts: list[int] | None
) -> BusyMasks:
    """A busy interval (s, e) rules out every start in (s - blocked, e): the session plus cleanup would overlap it.

    ``busy`` is ``bookings.sweep_reads.busy_read``'s: therapist index (``team_size`` for another
    therapist), room index (``room_count`` for another room, -1 for time off), s and e in epoch seconds.
    Each interval becomes a run of bits, and each therapist's and room's runs are merged at once, as a
    +1 where a run starts and a -1 where it ends, summed along the grid: set wherever the sum is positive.
    """
    size, unit = grid.size, grid.unit
    who, room, starts, ends = busy.T
    # The first bit after s - blocked is (s - blocked - base) // unit + 1; the first at or after e is
    # ceil((e - base) / unit). Both as one floor division of a shifted value.
    low = np.clip((starts - (grid.base + blocked - unit)) // unit, 0, size)
    high = np.clip((ends - (grid.base - unit + 1)) // unit, 0, size)
    runs = low < high
    width = size + 1

    def masks(owner: np.ndarray, count: int) -> list[int]:
        # One line of the grid per owner, plus one for rows of others nobody reads.
        mine = runs & (owner >= 0)
        line = owner[mine] * width
        cells = (count + 1) * width
        edges = np.bincount(line + low[mine], minlength=cells) - np.bincount(line + high[mine], minlength=cells)
        covered = edges.reshape(count + 1, width).cumsum(axis=1)[:count, :size] > 0
        return [
            int.from_bytes(packed.tobytes(), "little") for packed in np.packbits(covered, axis=1, bitorder="little")
        ]

    booked = None
    if day_firsts is not None:
        # A start belongs to the last day whose first instant is not after it; time off is no booking.
        appointments = room >= 0
        day = np.searchsorted(np.array(day_firsts, dtype=np.int64), starts[appointments], side="right")
        days = len(day_firsts) + 1
        counts = np.bincount(who[appointments] * days + day, minlength=(team_size + 1) * days)
        booked = counts.reshape(team_size + 1, days)
    return BusyMasks(masks(who, team_size), masks(room, room_count), booked)


def day_firsts(days: list[date], tz) -> list[int]:
    """Each day's first instant and the next day's, as epoch seconds (``combine`` settles a midnight that is
    skipped or repeated as the window does)."""
    firsts = [epoch(datetime.combine(day, time.min, tzinfo=tz)) for day in days]
    firsts.append(epoch(datetime.combine(days[-1] + timedelta(days=1), time.min, tzinfo=tz)))
    return firsts


def bit_rows(masks: list[int], size: int) -> np.ndarray:
    """Each mask as a row of ``size`` booleans, bit 0 first."""
    width = (size + 7) // 8
    packed = np.frombuffer(b"".join(mask.to_bytes(width, "little") for mask in masks), dtype=np.uint8)
    return np.unpackbits(packed.reshape(len(masks), width), axis=1, count=size, bitorder="little").view(bool)
