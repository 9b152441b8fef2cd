"""Who can take which start time of an opening: the waitlist's matching rules, read-only.

The free start times come from the bookings availability code itself (``slots_available``), so
the service's length and cleanup, the rooms that can host it, working hours, time off, closures,
other bookings and the clinic's own notice are all decided in the one place that decides them for
every booking. This module only adds the person's side: their date range and windows (in clinic
wall-clock time, so a window means the same hours on a day the clocks change), the notice they
asked for, a time they were already offered, their daily number of offers, and for "move me
earlier" that the time is earlier than the booking and the booking can still be moved online.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Q

from bookings.availability import Slot, slots_available
from bookings.models import Appointment, BookingPolicy, Service
from bookings.status_changes import client_change_refusal
from core.clinictime import clinic_tz

from .models import PART_HOURS, Entry, Offer, Opening, WaitlistPolicy


@dataclass(frozen=True)
class Match:
    entry: Entry
    slot: Slot


def slot_suits_entry(entry: Entry, slot: Slot, *, now: datetime) -> bool:
    """The person's own rules for one free start: range, parts of the day or windows, notice, move-earlier.

    Uses ``entry.windows.all()``: prefetch it when checking many entries.
    """
    start, end = slot.local_start, slot.local_end
    if not entry.earliest_on <= start.date() <= entry.latest_on:
        return False
    if slot.start < now + timedelta(minutes=entry.notice_minutes):
        return False
    if entry.therapist_id is not None and slot.therapist.pk != entry.therapist_id:
        return False
    windows = list(entry.windows.all())
    if entry.parts_of_day or windows:
        in_part = any(
            PART_HOURS[part][0] <= start.time() < PART_HOURS[part][1]
            for part in entry.parts_of_day
            if part in PART_HOURS
        )
        in_window = any(
            (window.weekday is None or window.weekday == start.weekday())
            and end.date() == start.date()
            and window.starts <= start.time()
            and end.time() <= window.ends
            for window in windows
        )
        if not (in_part or in_window):
            return False
    if entry.appointment_id is not None:
        booking = entry.appointment
        if booking.status != Appointment.Status.BOOKED or slot.start >= booking.starts_at:
            return False
    return True


def _overlaps(slot: Slot, opening: Opening, service: Service) -> bool:
    blocked_until = slot.end + timedelta(minutes=service.cleanup_minutes)
    return slot.start < opening.ends_at and blocked_until > opening.starts_at


def _days(opening: Opening) -> tuple[date, date]:
    tz = clinic_tz()
    return opening.starts_at.astimezone(tz).date(), (opening.ends_at - timedelta(seconds=1)).astimezone(tz).date()


def entries_for_opening(opening: Opening, *, now: datetime):
    """Waiting entries that could want some of the opening's time, in joining order (windows prefetched)."""
    first, last = _days(opening)
    return (
        Entry.objects.waiting(today=now.astimezone(clinic_tz()).date())
        .filter(earliest_on__lte=last, latest_on__gte=first, service__is_active=True)
        .filter(service__therapists=opening.therapist_id)
        .filter(Q(therapist__isnull=True) | Q(therapist=opening.therapist_id))
        .exclude(offers__opening=opening)
        .select_related("service", "therapist", "appointment")
        .prefetch_related("windows")
        .order_by("joined_at", "pk")
    )


def offers_today(emails: list[str], *, now: datetime) -> dict[str, int]:
    """How many offers each address has had since the clinic day began."""
    tz = clinic_tz()
    day_start = datetime.combine(now.astimezone(tz).date(), datetime.min.time(), tzinfo=tz)
    counted = (
        Offer.objects.filter(entry__email__in=emails, offered_at__gte=day_start)
        .values("entry__email")
        .annotate(count=Count("pk"))
    )
    return {row["entry__email"]: row["count"] for row in counted}


def opening_matches(
    *,
    opening: Opening,
    now: datetime,
    policy: BookingPolicy | None = None,
    waitlist_policy: WaitlistPolicy | None = None,
    limit: int | None = None,
) -> list[Match]:
    """The entries that can take a start time of ``opening`` now, each with the start that suits it best.

    In joining order, at most one match per entry and ``limit`` matches in all. The best start is
    the one at the opening's own start (it leaves no gap behind), else the earliest that fits.
    """
    policy = policy or BookingPolicy.current()
    waitlist_policy = waitlist_policy or WaitlistPolicy.current()
    entries = list(entries_for_opening(opening, now=now))
    if not entries:
        return []
    first, last = _days(opening)
    counts = offers_today(sorted({entry.email for entry in entries}), now=now)
    offered = defaultdict(set)
    for entry_id, starts_at in Offer.objects.filter(entry__in=entries).values_list("entry_id", "starts_at"):
        offered[entry_id].add(starts_at)

    slots_by_service: dict[int, list[Slot]] = {}

    def free_starts(entry: Entry) -> list[Slot]:
        options = {"service": entry.service, "therapist": opening.therapist, "start": first, "end": last}
        if entry.appointment_id is not None:  # the booking itself moves, so its own time does not block
            found = slots_available(**options, now=now, policy=policy, exclude_appointment_id=entry.appointment_id)
        else:
            if entry.service_id not in slots_by_service:
                slots_by_service[entry.service_id] = slots_available(**options, now=now, policy=policy)
            found = slots_by_service[entry.service_id]
        return [slot for slot in found if _overlaps(slot, opening, entry.service)]

    matches: list[Match] = []
    for entry in entries:
        if counts.get(entry.email, 0) >= waitlist_policy.max_offers_per_day:
            continue
        if entry.appointment_id is not None and client_change_refusal(entry.appointment, policy=policy, now=now):
            continue
        suitable = [
            slot
            for slot in free_starts(entry)
            if slot.start not in offered[entry.pk] and slot_suits_entry(entry, slot, now=now)
        ]
        if not suitable:
            continue
        best = min(suitable, key=lambda slot: (slot.start != opening.starts_at, slot.start))
        matches.append(Match(entry, best))
        counts[entry.email] = counts.get(entry.email, 0) + 1
        if limit is not None and len(matches) >= limit:
            break
    return matches
