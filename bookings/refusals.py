"""Why a start time cannot be booked, said the same way to clients, to moves and to the front desk.

``slots_available`` answers *whether* a start is free; ``start_refusal`` answers *why not*, by
re-checking each of its rules in turn (past, notice, advance window, closure, working hours and the
start grid, time off) and, when none of them forbids the start, blaming the one thing left: another
booking holds the therapist or every suitable room. Only that last case is "just taken" (409);
every other reason is a well-formed request the rules do not allow (422). A start that does not
parse at all never gets here: the views answer it with 400.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum

from django.utils import timezone
from django.utils.formats import date_format

from .availability import Slot, clinic_tz
from .models import BookingPolicy, Closure, Service, Therapist, TimeOff, WorkingHours

TAKEN_STATUS = 409
NOT_BOOKABLE_STATUS = 422
STAFF_OVERRIDE_HINT = "Tick “Override the notice and advance window” to book it anyway."
STAFF_PAST_HINT = "Tick “Record a walk-in happening now or a session that already took place” to record it."


class Reason(StrEnum):
    PAST = "past"
    TOO_SOON = "too_soon"
    TOO_FAR = "too_far"
    CLOSED = "closed"
    UNAVAILABLE = "unavailable"
    OUTSIDE_HOURS = "outside_hours"
    OFF_GRID = "off_grid"
    TIME_OFF = "time_off"
    TAKEN = "taken"


@dataclass(frozen=True)
class Refusal:
    """One reason a start is not bookable, the sentence for the person who asked, and where to look
    for the nearest times that are (``around``)."""

    reason: Reason
    message: str
    around: datetime

    @property
    def status(self) -> int:
        return TAKEN_STATUS if self.reason == Reason.TAKEN else NOT_BOOKABLE_STATUS


class BookingError(Exception):
    """A booking change the rules refuse; ``message`` is written for the person who asked."""

    status = NOT_BOOKABLE_STATUS

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ChangeRefused(BookingError):
    pass


class StartRefused(BookingError):
    """The chosen start is not bookable: ``reason`` says which rule, ``alternatives`` the nearest free times."""

    def __init__(self, refusal: Refusal, alternatives: list[Slot]):
        nearest = " Here are the nearest free times." if alternatives else ""
        super().__init__(refusal.message + nearest)
        self.refusal = refusal
        self.reason = refusal.reason
        self.status = refusal.status
        self.alternatives = alternatives


class SlotTaken(StartRefused):
    """Someone else holds the therapist or every suitable room at that time."""


def taken(starts_at: datetime) -> Refusal:
    return Refusal(Reason.TAKEN, "That time was just taken.", starts_at)


def _notice_words(minutes: int) -> str:
    """The possessive that goes before "notice": 2 hours', 1 hour's, 90 minutes'."""
    if minutes % 60:
        return f"{minutes} minutes'"
    hours = minutes // 60
    return "1 hour's" if hours == 1 else f"{hours} hours'"


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _therapist_stage(
    hours: list[tuple[time, time]], *, day, start: int, duration: int, step: int, away: bool
) -> Reason | None:
    """How far one therapist gets through the rules slots_available applies: the first one broken, or None."""
    tz = clinic_tz()
    fitting = []
    for opens_at, closes_at in hours:
        opens = _epoch(datetime.combine(day, opens_at, tzinfo=tz))
        closes = _epoch(datetime.combine(day, closes_at, tzinfo=tz))
        if opens <= start and start + duration <= closes:
            fitting.append(opens)
    if not fitting:
        return Reason.OUTSIDE_HOURS
    # Starts step through elapsed time from the start of each working interval (see availability.py).
    if all((start - opens) % step for opens in fitting):
        return Reason.OFF_GRID
    if away:
        return Reason.TIME_OFF
    return None


# For "first available", the therapist who got furthest through the rules decides the answer.
_STAGES = [Reason.OUTSIDE_HOURS, Reason.OFF_GRID, Reason.TIME_OFF]


def start_refusal(
    *,
    service: Service,
    therapist: Therapist | None,
    starts_at: datetime,
    now: datetime | None = None,
    policy: BookingPolicy | None = None,
    ignore_notice: bool = False,
    online_only: bool = True,
    allow_past: bool = False,
) -> Refusal:
    """Why ``starts_at`` is not bookable, for a start ``slot_find`` (with the same options) did not find.

    ``online_only`` is False for the front desk, whose answers say how to override the notice. A
    booking being moved needs no mention: it only ever blocks its own time, which is never a reason.
    """
    now = now or timezone.now()
    policy = policy or BookingPolicy.current()
    tz = clinic_tz()
    local = starts_at.astimezone(tz)
    staff_hint = "" if online_only else " " + STAFF_OVERRIDE_HINT
    notice = timedelta(minutes=policy.min_notice_minutes)

    if starts_at < now and not allow_past:
        past_hint = "" if online_only else " " + STAFF_PAST_HINT
        return Refusal(Reason.PAST, f"That time has already passed.{past_hint}", now)
    if not ignore_notice and not allow_past and starts_at < now + notice:
        words = _notice_words(policy.min_notice_minutes)
        return Refusal(Reason.TOO_SOON, f"We need at least {words} notice for a booking.{staff_hint}", now + notice)
    last_day = now.astimezone(tz).date() + timedelta(days=policy.max_advance_days)
    if not ignore_notice and local.date() > last_day:
        message = (
            f"Bookings open {policy.max_advance_days} days ahead, so the last day you can book now is "
            f"{date_format(last_day, 'l j F Y')}.{staff_hint}"
        )
        around = datetime.combine(last_day, time(12), tzinfo=tz)
        return Refusal(Reason.TOO_FAR, message, around)
    if Closure.objects.filter(starts_on__lte=local.date(), ends_on__gte=local.date()).exists():
        return Refusal(Reason.CLOSED, f"The clinic is closed on {date_format(local.date(), 'l j F')}.", starts_at)

    therapists_qs = Therapist.objects.filter(is_active=True, services=service)
    if online_only:
        therapists_qs = therapists_qs.filter(is_bookable_online=True)
    if therapist is not None:
        therapists_qs = therapists_qs.filter(pk=therapist.pk)
    therapists = list(therapists_qs)
    if not service.is_active or not therapists or not service.rooms.filter(is_active=True).exists():
        message = f"{service.name} can't be booked at the moment. Please call us and we'll find you a time."
        return Refusal(Reason.UNAVAILABLE, message, starts_at)

    duration = service.duration_minutes * 60
    blocked_until = starts_at + timedelta(minutes=service.duration_minutes + service.cleanup_minutes)
    ids = [t.pk for t in therapists]
    hours: dict[int, list[tuple[time, time]]] = {pk: [] for pk in ids}
    for therapist_id, opens_at, closes_at in WorkingHours.objects.filter(
        therapist_id__in=ids, weekday=local.weekday()
    ).values_list("therapist_id", "start_time", "end_time"):
        hours[therapist_id].append((opens_at, closes_at))
    away = set(
        TimeOff.objects.filter(therapist_id__in=ids, starts_at__lt=blocked_until, ends_at__gt=starts_at).values_list(
            "therapist_id", flat=True
        )
    )
    stages = [
        _therapist_stage(
            hours[pk],
            day=local.date(),
            start=_epoch(starts_at),
            duration=duration,
            step=policy.slot_step_minutes * 60,
            away=pk in away,
        )
        for pk in ids
    ]
    if None in stages:
        return taken(starts_at)
    furthest = max(stages, key=_STAGES.index)
    who = therapist.name if therapist is not None else None
    if furthest == Reason.OUTSIDE_HOURS:
        message = (
            f"{who} doesn't work at that time: a {service.duration_minutes}-minute session has to start "
            f"and end within {who}'s working hours."
            if who
            else f"None of our therapists who give {service.name} work at that time "
            f"for a {service.duration_minutes}-minute session."
        )
    elif furthest == Reason.OFF_GRID:
        message = (
            f"Sessions start every {policy.slot_step_minutes} minutes from the start of working hours, "
            "and that time falls between two of them."
        )
    else:
        message = (
            f"{who} is away at that time."
            if who
            else f"Everyone who could give {service.name} then is away at that time."
        )
    return Refusal(furthest, message, starts_at)
