"""A month of the big clinic with cancellations and a waitlist, run through the real services.

    .venv/bin/python bench/waitlist.py                    # PostgreSQL, database clinic_perf_waitlist
    .venv/bin/python bench/waitlist.py --sqlite           # a SQLite file in tmp/
    .venv/bin/python bench/waitlist.py --strategy in_turn --seed 3

The big clinic's team, rooms, services and hours (bench/bigclinic.py) with the next 30 days booked
85% full. About 15% of those bookings are cancelled, most more than a day ahead; 600 people wait
with random services, therapists ("any" for most), date ranges, parts of the day, windows and
notice, and 40 booked clients asked to be moved earlier. The clock is time-machine's: every event
(a cancellation, a client taking an offer, a hold running out) happens at its own simulated moment,
through ``appointment_cancel``, the ``time_freed`` signal and the waitlist's task (the immediate
task backend runs it in-process), ``offer_accept`` and ``offers_lapse_due``. Simulated clients
answer 65% of offers after a log-normal delay (median 6 minutes); an answer later than the hold is
a lapse. Printed per strategy: cancelled hours, hours refilled, refill rate (all, and for
cancellations made more than 24 hours ahead), median time from cancellation to rebooking, offers
sent per refill, and double bookings found by SQL afterwards (must be 0).
"""

import argparse
import heapq
import json
import logging
import random
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bigclinic  # noqa: E402

DAYS = 30
OCCUPANCY = 0.85
CANCEL_SHARE = 0.15
ENTRIES = 600
MOVE_EARLIER = 40
ANSWER_SHARE = 0.65
MEDIAN_DELAY_MINUTES = 6


def _book_month(team, *, start, rng):
    from bookings.availability import clinic_tz
    from bookings.models import Appointment

    tz = clinic_tz()
    today = start.astimezone(tz).date()
    rows = []
    for n in range(1, DAYS + 1):
        day = today + timedelta(days=n)
        for row in bigclinic._day_appointments(day, today=today, occupancy=OCCUPANCY, rng=rng, team=team, tz=tz):
            if row["status"] != "booked":
                continue
            number = len(rows)
            rows.append(
                Appointment(
                    **row,
                    client_name=f"Client {number}",
                    client_email=f"client{number}@example.com",
                    client_phone="617-555-0100",
                    manage_key=f"wl-{number}",
                )
            )
    Appointment.objects.bulk_create(rows, batch_size=1000)
    return list(Appointment.objects.order_by("starts_at", "pk"))


def _lead(rng) -> timedelta:
    """How long before the session a client cancels: four in five more than a day ahead."""
    if rng.random() < 0.8:
        return timedelta(hours=rng.uniform(24, 14 * 24))
    return timedelta(hours=rng.uniform(1, 24))


def _wish(rng, team, *, today):
    from datetime import time as clock

    from waitlist.entries import Window, Wish

    _, therapists, express, massage = team
    first = today + timedelta(days=rng.randint(1, DAYS))
    last = min(first + timedelta(days=rng.randint(0, 5)), today + timedelta(days=DAYS))
    parts = [] if rng.random() < 0.4 else rng.sample(["morning", "afternoon", "evening"], rng.randint(1, 2))
    windows = []
    if rng.random() < 0.2:
        opens = rng.randint(8, 16)
        windows = [Window(starts=clock(opens), ends=clock(min(opens + rng.randint(2, 4), 20)))]
    return Wish(
        service=express if rng.random() < 0.85 else massage,
        therapist=None if rng.random() < 0.7 else rng.choice(therapists),
        earliest_on=first,
        latest_on=last,
        parts_of_day=parts,
        windows=windows,
        notice_minutes=rng.choice([0, 0, 60, 180, 720, 1440]),
    )


def _double_bookings() -> int:
    from django.db import connection

    from bookings.models import Appointment

    table = Appointment._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {table} a JOIN {table} b ON a.id < b.id "
            "AND (a.therapist_id = b.therapist_id OR a.room_id = b.room_id) "
            "AND a.starts_at < b.blocked_until AND b.starts_at < a.blocked_until "
            "WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'"
        )
        return cursor.fetchone()[0]


def simulate(*, strategy: str, seed: int) -> dict:
    import time_machine
    from django.utils import timezone

    from bookings.models import Appointment
    from bookings.status_changes import appointment_cancel
    from waitlist.accept import offer_accept
    from waitlist.entries import Contact, EntryRefused, entry_join, move_earlier_request
    from waitlist.models import Offer, WaitlistPolicy
    from waitlist.offers import offers_lapse_due

    rng = random.Random(seed)
    team = bigclinic._team()
    policy = WaitlistPolicy.objects.create(strategy=strategy)
    hold = timedelta(minutes=policy.hold_minutes)
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    booked = _book_month(team, start=start, rng=rng)
    today = timezone.localdate(start)

    with time_machine.travel(start, tick=False):
        joined = 0
        for number in range(ENTRIES):
            contact = Contact(name=f"Waiting {number}", email=f"waiting{number}@example.com", consent=True)
            try:
                entry_join(wish=_wish(rng, team, today=today), contact=contact)
                joined += 1
            except EntryRefused:
                pass
        for appointment in rng.sample([a for a in booked if a.starts_at > start + timedelta(days=10)], MOVE_EARLIER):
            move_earlier_request(appointment=appointment)

    events: list = []  # (when, order, kind, id)
    order = 0
    for appointment in booked:
        if rng.random() >= CANCEL_SHARE:
            continue
        lead = min(_lead(rng), appointment.starts_at - start - timedelta(minutes=1))
        if lead < timedelta(hours=1):
            continue
        order += 1
        heapq.heappush(events, (appointment.starts_at - lead, order, "cancel", appointment.pk))

    seen = 0
    started = time.perf_counter()
    while events:
        when, _, kind, pk = heapq.heappop(events)
        with time_machine.travel(when, tick=False):
            if kind == "cancel":
                appointment_cancel(appointment=Appointment.objects.get(pk=pk), by_client=False, now=when)
            elif kind == "take":
                offer_accept(offer=Offer.objects.select_related("entry", "therapist").get(pk=pk), now=when)
            else:
                offers_lapse_due(now=when)
            for offer in Offer.objects.filter(pk__gt=seen).order_by("pk"):
                seen = offer.pk
                order += 1
                heapq.heappush(events, (offer.expires_at, order, "lapse", offer.pk))
                delay = timedelta(minutes=rng.lognormvariate(0, 1) * MEDIAN_DELAY_MINUTES)
                if rng.random() < ANSWER_SHARE and delay < offer.expires_at - offer.offered_at:
                    order += 1
                    heapq.heappush(events, (offer.offered_at + delay, order, "take", offer.pk))
    elapsed = time.perf_counter() - started
    return _measure(start=start, hold=hold, joined=joined, elapsed=elapsed)


def _measure(*, start, hold, joined, elapsed) -> dict:
    from collections import defaultdict

    from bookings.models import Appointment
    from waitlist.models import Offer

    cancelled = list(Appointment.objects.filter(status="cancelled", cancelled_at__gte=start))
    active = defaultdict(list)
    for appointment in Appointment.objects.active():
        active[appointment.therapist_id].append(appointment)
    taken_at = dict(Offer.objects.filter(state="accepted").values_list("appointment_id", "decided_at"))
    total = refilled = total_ahead = refilled_ahead = 0.0
    waits = []
    for gone in cancelled:
        hours = (gone.ends_at - gone.starts_at).total_seconds() / 3600
        overlap, first = 0.0, None
        for other in active[gone.therapist_id]:
            seconds = (min(other.ends_at, gone.ends_at) - max(other.starts_at, gone.starts_at)).total_seconds()
            if seconds > 0 and other.pk in taken_at:
                overlap += seconds / 3600
                first = min(first or taken_at[other.pk], taken_at[other.pk])
        overlap = min(overlap, hours)
        total += hours
        refilled += overlap
        if gone.starts_at - gone.cancelled_at > timedelta(hours=24):
            total_ahead += hours
            refilled_ahead += overlap
        if first is not None:
            waits.append((first - gone.cancelled_at).total_seconds() / 60)
    offers = Offer.objects.count()
    accepted = Offer.objects.filter(state="accepted").count()
    return {
        "people waiting (+ move me earlier)": f"{joined} + {MOVE_EARLIER}",
        "cancellations": len(cancelled),
        "cancelled hours": f"{total:.1f}",
        "hours refilled": f"{refilled:.1f}",
        "refill rate": f"{100 * refilled / total:.0f}%" if total else "-",
        "refill rate, cancelled > 24 h ahead": f"{100 * refilled_ahead / total_ahead:.0f}%" if total_ahead else "-",
        "median cancellation → rebooking": f"{statistics.median(waits):.0f} min" if waits else "-",
        "offers sent": offers,
        "offers taken": accepted,
        "offers sent per refill": f"{offers / accepted:.1f}" if accepted else "-",
        "double bookings": _double_bookings(),
        "simulated in": f"{elapsed:.0f} s",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file in tmp/ instead of PostgreSQL")
    parser.add_argument("--strategy", choices=["in_turn", "everyone", "both"], default="both")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--json", action="store_true", help="print one strategy's numbers as JSON (used by 'both')")
    args = parser.parse_args()
    if args.strategy == "both":
        results = {}
        for strategy in ("in_turn", "everyone"):
            command = [sys.executable, __file__, "--strategy", strategy, "--seed", str(args.seed), "--json"]
            output = subprocess.run([*command, *(["--sqlite"] if args.sqlite else [])], check=True, capture_output=True)
            results[strategy] = json.loads(output.stdout.decode().strip().splitlines()[-1])
    else:
        bigclinic.prepare(bigclinic.database_url(f"clinic_perf_waitlist_{args.strategy}", sqlite=args.sqlite))
        # Without a deferring task backend each booking says its reminder is not queued: expected here.
        logging.getLogger("bookings.reminders").setLevel(logging.ERROR)
        from django.test.utils import override_settings

        # The waitlist's task runs in-process at once, as a worker would a moment later; mail goes nowhere.
        with override_settings(
            TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
            EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        ):
            numbers = simulate(strategy=args.strategy, seed=args.seed)
        if args.json:
            print(json.dumps(numbers))
            return
        results = {args.strategy: numbers}
    names = list(results)
    width = max(len(label) for label in results[names[0]])
    print(f"{'':<{width}}  " + "  ".join(f"{name:>12}" for name in names))
    for label in results[names[0]]:
        print(f"{label:<{width}}  " + "  ".join(f"{results[name][label]!s:>12}" for name in names))


if __name__ == "__main__":
    main()
