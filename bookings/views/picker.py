"""The month grid and one day's times, shared by booking a session and moving one.

Both pages work with plain links and forms; with JavaScript, booking.js asks the same address with
``fragment=times`` (the chosen day's times) or ``fragment=month`` (another month's grid) and swaps
that part of the page in place, so a day tap keeps the visitor where they are.
"""

import calendar as pycalendar
from collections import Counter
from datetime import date, timedelta

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.http import urlencode

from core.clinictime import clinic_time

from ..availability import Slot, slots_available
from ..models import BookingPolicy
from ..params import parse_date, parse_month

FRAGMENTS = frozenset({"times", "month"})
# A time belongs to the first period whose end hour it is before.
PERIODS = (("Morning", 12), ("Afternoon", 17), ("Evening", 24))


class BadChoice(Exception):
    def __init__(self, message: str, status: int = 404):
        super().__init__(message)
        self.message = message
        self.status = status


def fragment_asked(request) -> str | None:
    """``times`` or ``month`` when the calendar's script asks for one part of the page, else None."""
    fragment = request.GET.get("fragment")
    return fragment if fragment in FRAGMENTS else None


def day_label(day: date) -> str:
    return date_format(day, "l j F")


def _either(names: list[str]) -> str:
    """ "Maya", "Maya or Daniel", "Maya, Daniel or Sam"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _short_names(therapists) -> str:
    first_names = [therapist.name.split()[0] for therapist in therapists]
    if len(first_names) > 3:
        return f"{', '.join(first_names[:2])} or {len(first_names) - 2} others"
    return _either(first_names)


def day_times(slots: list[Slot], *, day: date, show_therapist: bool) -> list[dict]:
    """The day's times grouped into morning, afternoon and evening, each with what a person sees and hears.

    ``show_therapist`` (for "first available") adds who the time is with to the visible text; the
    accessible name always says the day and the therapist, so a time makes sense on its own.
    """
    groups: dict[str, list[dict]] = {}
    for slot in slots:
        period = next(name for name, end_hour in PERIODS if slot.local_start.hour < end_hour)
        label = clinic_time(slot.start)
        with_whom = _either([therapist.name for therapist in slot.therapists_free])
        groups.setdefault(period, []).append(
            {
                "slot": slot,
                "label": label,
                "with": _short_names(slot.therapists_free) if show_therapist else "",
                "accessible_name": f"{label} on {day_label(day)} with {with_whom}",
            }
        )
    return [{"name": name, "times": groups[name]} for name, _ in PERIODS if name in groups]


def _month_weeks(first_of_month: date) -> list[list[date | None]]:
    """The month as weeks from Monday to Sunday; days of the neighbouring months are None."""
    weeks = pycalendar.Calendar(firstweekday=0).monthdatescalendar(first_of_month.year, first_of_month.month)
    return [[day if day.month == first_of_month.month else None for day in week] for week in weeks]


def _next_month(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


def calendar_context(
    request, *, service, therapist, link_params: dict, exclude_appointment_id=None, choose_first: bool = True
) -> dict:
    """The month grid (days with free times as links) and the chosen day's times, from one availability call.

    Without a ``date`` in the query the calendar opens on the first day with free times (with
    ``choose_first``), in the first month that has one when no ``month`` is asked for either.
    Raises BadChoice(status=400) for a malformed month or date.
    """
    policy = BookingPolicy.current()
    today = timezone.localdate()
    month_param, date_param = request.GET.get("month", ""), request.GET.get("date", "")
    month = _parsed(month_param, parse_month)
    chosen = _parsed(date_param, parse_date)
    if chosen is not None:
        month = chosen.replace(day=1)
    month = month or today.replace(day=1)
    last_bookable = today + timedelta(days=policy.max_advance_days)

    def month_slots(first_of_month: date) -> list[Slot]:
        first = max(first_of_month, today)
        last = min(_next_month(first_of_month) - timedelta(days=1), last_bookable)
        if first > last:
            return []
        return slots_available(
            service=service,
            therapist=therapist,
            start=first,
            end=last,
            policy=policy,
            exclude_appointment_id=exclude_appointment_id,
        )

    slots = month_slots(month)
    if choose_first and not (month_param or date_param):
        # Rather than an empty month, open on the first month with a free time in the advance window.
        while not slots and _next_month(month) <= last_bookable:
            month = _next_month(month)
            slots = month_slots(month)
    if chosen is None and choose_first and slots:
        chosen = slots[0].local_start.date()
    next_month = _next_month(month)
    counts = Counter(slot.local_start.date() for slot in slots)
    weeks = [
        [
            None
            if day is None
            else {
                "date": day,
                "count": counts.get(day, 0),
                "url": "?" + urlencode({**link_params, "date": day.isoformat()}),
                "chosen": day == chosen,
            }
            for day in week
        ]
        for week in _month_weeks(month)
    ]
    previous_month = (month - timedelta(days=1)).replace(day=1)
    chosen_slots = [slot for slot in slots if slot.local_start.date() == chosen]
    return {
        "month": month,
        "weeks": weeks,
        "chosen_date": chosen,
        "chosen_by_visitor": bool(date_param),
        "chosen_slots": chosen_slots,
        "periods": day_times(chosen_slots, day=chosen, show_therapist=therapist is None) if chosen else [],
        "month_url": "?" + urlencode({**link_params, "month": f"{month:%Y-%m}"}),
        "previous_url": "?" + urlencode({**link_params, "month": f"{previous_month:%Y-%m}"})
        if month > today.replace(day=1)
        else None,
        "next_url": "?" + urlencode({**link_params, "month": f"{next_month:%Y-%m}"})
        if next_month <= last_bookable
        else None,
        "first_free": slots[0] if slots else None,
        "policy": policy,
    }


def _parsed(value: str, parse) -> date | None:
    """``parse(value)``, None for an empty value; BadChoice(400) for a malformed one."""
    if not value:
        return None
    parsed = parse(value)
    if parsed is None:
        raise BadChoice("That date doesn't look right. Please pick a day from the calendar.", 400)
    return parsed
