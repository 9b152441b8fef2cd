"""The desk's waitlist for a day: every entry whose range covers it (per therapist), whatever its state
(waiting, offered, booked, left, ended; filterable by state), each one's offers, and an offer by hand of
one of the day's free times to a person still waiting (waitlist.offers.offer_by_hand)."""

from datetime import timedelta

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from bookings.availability import slots_available
from bookings.models import BookingPolicy, Therapist
from bookings.params import parse_start
from waitlist.models import Entry
from waitlist.offers import OfferRefused, offer_by_hand
from waitlist.selectors import entries_covering_day
from waitlist.standing import Shown, entry_standing

from ..access import desk_view
from .common import chosen_day


def _free_times(entry: Entry, *, day, now, policy, cache: dict) -> list[dict]:
    """The day's free starts this entry could be offered, as (therapist, start) choices; one availability call
    per service and therapist, shared by the entries that ask for the same."""
    key = (entry.service_id, entry.therapist_id, entry.appointment_id)
    if key not in cache:
        slots = slots_available(
            service=entry.service,
            therapist=entry.therapist,
            start=day,
            end=day,
            now=now,
            policy=policy,
            exclude_appointment_id=entry.appointment_id,
        )
        choices = []
        for slot in slots:
            if entry.appointment_id and slot.start >= entry.appointment.starts_at:
                continue
            for therapist in slot.therapists_free:
                choices.append(
                    {"value": f"{therapist.pk}|{slot.start.isoformat()}", "slot": slot, "therapist": therapist}
                )
        cache[key] = choices
    return cache[key]


# The states the desk filters by, in the order an entry usually goes through them.
STATES = {
    Shown.WAITING: "Waiting",
    Shown.OFFERED: "Offered",
    Shown.BOOKED: "Booked",
    Shown.LEFT: "Left",
    Shown.ENDED: "Ended",
}


def _state(request) -> str:
    state = request.GET.get("state", "")[:16]
    return state if state in STATES else ""


def _waitlist_page(request, *, day, therapist, status=200, failed=None):
    now = timezone.now()
    policy = BookingPolicy.current()
    state = _state(request)
    rows, cache, counts = [], {}, dict.fromkeys(STATES, 0)
    for entry in entries_covering_day(day=day, therapist=therapist):
        offers = list(entry.offers.all())
        standing = entry_standing(entry, now=now, offers=offers)
        counts[standing.state] += 1
        if state and standing.state != state:
            continue
        rows.append(
            {
                "entry": entry,
                "windows": list(entry.windows.all()),
                "standing": standing,
                "offers": offers,
                "free": _free_times(entry, day=day, now=now, policy=policy, cache=cache) if standing.changeable else [],
                "error": failed[1] if failed and failed[0] == entry.pk else "",
                "picked": failed[2] if failed and failed[0] == entry.pk else "",
            }
        )
    context = {
        "state": state,
        "states": [{"value": value, "label": label, "count": counts[value]} for value, label in STATES.items()],
        "total": sum(counts.values()),
        "desk_section": "waitlist",
        "day": day,
        "today": timezone.localdate(),
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "therapist": therapist,
        "therapists": Therapist.objects.filter(is_active=True),
        "rows": rows,
    }
    return render(request, "desk/waitlist.html", context, status=status)


def _therapist(request, params):
    slug = params.get("therapist", "")[:120]
    return Therapist.objects.filter(slug=slug, is_active=True).first() if slug else None


@desk_view
def waitlist_day(request):
    return _waitlist_page(request, day=chosen_day(request), therapist=_therapist(request, request.GET))


@desk_view
@require_POST
def waitlist_offer(request, pk):
    entry = get_object_or_404(Entry.objects.select_related("service", "therapist", "appointment"), pk=pk)
    day, therapist = chosen_day(request), _therapist(request, request.GET)
    picked = request.POST.get("time", "")[:80]
    therapist_id, _, start = picked.partition("|")
    plain_digits = therapist_id.isascii() and therapist_id.isdigit()  # "²" is a digit to str.isdigit, not to int()
    chosen = Therapist.objects.filter(pk=int(therapist_id)).first() if plain_digits else None
    starts_at = parse_start(start)
    if chosen is None or starts_at is None:
        failed = (entry.pk, "Please choose one of the free times in the list.", picked)
        return _waitlist_page(request, day=day, therapist=therapist, status=400, failed=failed)
    try:
        offer = offer_by_hand(entry=entry, therapist=chosen, starts_at=starts_at, offered_by=request.user)
    except OfferRefused as refused:
        return _waitlist_page(
            request, day=day, therapist=therapist, status=409, failed=(entry.pk, refused.message, picked)
        )
    messages.success(
        request,
        f"Offered to {entry.name}: {timezone.localtime(offer.starts_at):%-I:%M %p} with {chosen.name}. "
        "They have been emailed the link.",
    )
    query = f"?date={day.isoformat()}" + (f"&therapist={therapist.slug}" if therapist else "")
    query += f"&state={_state(request)}" if _state(request) else ""
    return redirect(reverse("desk:waitlist") + query)
