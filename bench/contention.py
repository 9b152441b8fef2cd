"""Many clients booking at once through the real HTTP flow, against gunicorn and PostgreSQL.

    .venv/bin/python bench/contention.py            # rebuilds the big clinic in clinic_perf_load
    .venv/bin/python bench/contention.py --reuse    # uses the big clinic from bench/load.py

Two runs, each client with its own cookies and its own address (X-Forwarded-For, as behind the
proxy, so the per-IP booking limit sees separate people):
1. 50 clients book the *same* therapist and time: every one GETs the details form (CSRF cookie and
   token), they wait for each other, then all POST at once. Exactly one may win.
2. 200 clients book 200 *different* free times at once (chosen so that all of them fit together:
   a free therapist and a free room for each). All of them should win.
Answers are counted as booked (302 to the confirmation), "just taken" (409), or errors (anything
else, or a broken connection: must be 0). Afterwards SQL looks for overlapping active
appointments of one therapist or one room (must be 0), then the bench bookings are deleted.
"""

import argparse
import http.cookiejar
import os
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bigclinic  # noqa: E402
import server  # noqa: E402

DATABASE = "clinic_perf_load"
EMAIL_DOMAIN = "contention.example"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TAKEN = "just taken"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def book(base: str, number: int, *, service: str, therapist: str, start: str, barrier: threading.Barrier) -> str:
    """One client's booking: the details form, then (when every client has it) the POST. Returns the outcome."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect())
    address = f"10.{number // 250}.{number % 250}.9"
    headers = {"X-Forwarded-For": address}
    query = urllib.parse.urlencode({"service": service, "therapist": therapist, "start": start})
    url = f"{base}/book/details/?{query}"
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=60) as response:
            token = TOKEN.search(response.read().decode())[1]
    except (OSError, TypeError) as error:
        barrier.abort()
        return f"error: form {error}"
    form = {
        "csrfmiddlewaretoken": token,
        "start": start,
        "name": f"Client {number}",
        "phone": "617-555-0100",
        "email": f"client{number}@{EMAIL_DOMAIN}",
        "consent": "on",
    }
    try:
        barrier.wait(timeout=120)
    except threading.BrokenBarrierError:
        return "error: barrier"
    request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode(), headers=headers)
    try:
        with opener.open(request, timeout=60) as response:
            return f"error: {response.status}"
    except urllib.error.HTTPError as answer:
        body = answer.read().decode()
        if answer.code == 302 and answer.headers["Location"].endswith("/book/confirmed/"):
            return "booked"
        if answer.code == 409 and TAKEN in body:
            return "just taken"
        return f"error: {answer.code}"
    except OSError as error:
        return f"error: {error}"


def run(base: str, bookings: list[tuple[str, str, str]]) -> tuple[Counter, float]:
    """Every (service, therapist, start) booked by its own client, all at once."""
    outcomes: list[str] = [""] * len(bookings)
    barrier = threading.Barrier(len(bookings))

    def client(number: int) -> None:
        service, therapist, start = bookings[number]
        outcomes[number] = book(base, number, service=service, therapist=therapist, start=start, barrier=barrier)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(len(bookings))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Counter(outcomes), time.perf_counter() - started


def free_times(count: int) -> list[tuple[str, str, str]]:
    """``count`` free (service, therapist, start) that can all be booked together.

    Express sessions block exactly one half-hour unit, so two of them either share a unit or do not
    touch; in each unit we take at most as many as there are rooms free for the whole unit, each
    with a different therapist, so the order the server sees them in cannot matter.
    """
    from django.utils import timezone

    from bookings.availability import clinic_tz, slots_available
    from bookings.models import Appointment, Room, Service, Therapist
    from bookings.params import format_start

    service = Service.objects.get(slug=bigclinic.EXPRESS_SLUG)
    today = timezone.now().astimezone(clinic_tz()).date()
    start, end = today + timedelta(days=2), today + timedelta(days=12)
    by_time: dict = {}
    for therapist in Therapist.objects.all():
        for slot in slots_available(service=service, therapist=therapist, start=start, end=end):
            if slot.local_start.minute in (0, 30):
                by_time.setdefault(slot.start, []).append(therapist)
    rooms = list(Room.objects.values_list("pk", flat=True))
    chosen = []
    for moment in sorted(by_time):
        busy_rooms = set(
            Appointment.objects.active()
            .filter(starts_at__lt=moment + timedelta(minutes=30), blocked_until__gt=moment)
            .values_list("room_id", flat=True)
        )
        free_rooms = len(rooms) - len(busy_rooms & set(rooms))
        for therapist in by_time[moment][:free_rooms]:
            chosen.append((service.slug, therapist.slug, format_start(moment)))
        if len(chosen) >= count:
            return chosen[:count]
    raise SystemExit(f"only {len(chosen)} free times found")


DOUBLE_BOOKINGS = """
    SELECT count(*) FROM bookings_appointment a JOIN bookings_appointment b
      ON a.id < b.id AND (a.therapist_id = b.therapist_id OR a.room_id = b.room_id)
     AND a.starts_at < b.blocked_until AND b.starts_at < a.blocked_until
   WHERE a.status <> 'cancelled' AND b.status <> 'cancelled' AND a.starts_at >= %s AND b.starts_at >= %s
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="keep the big clinic built by an earlier run")
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    url = bigclinic.database_url(DATABASE, sqlite=False)
    os.environ["STATIC_ROOT"] = str(server.ROOT / "tmp" / "bench-static")
    os.environ.setdefault("EMAIL_URL", "consolemail://")
    if args.reuse:
        bigclinic.setup(url)
    else:
        bigclinic.prepare(url)
        bigclinic.build()
    env = server.bench_env(url)
    server.manage("collectstatic", "--noinput", "-v0", env=env)

    from django.db import connection
    from django.utils import timezone

    from bookings.models import Appointment

    Appointment.objects.filter(client_email__endswith="@" + EMAIL_DOMAIN).delete()
    different = free_times(201)
    same = [different.pop()] * 50
    since = timezone.now()
    with server.gunicorn(env, workers=args.workers) as base:
        results = [
            ("50 clients, the same time", run(base, same), 1),
            ("200 clients, different times", run(base, different), 200),
        ]
    with connection.cursor() as cursor:
        cursor.execute(DOUBLE_BOOKINGS, [since, since])
        double = cursor.fetchone()[0]
    saved = Appointment.objects.filter(client_email__endswith="@" + EMAIL_DOMAIN).count()
    load = os.getloadavg()
    print()
    print(f"PostgreSQL, gunicorn {args.workers} sync workers; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"{'run':<30} {'booked':>7} {'just taken':>11} {'errors':>7} {'seconds':>8}  expected")
    for label, (outcomes, seconds), expected in results:
        errors = sum(n for outcome, n in outcomes.items() if outcome.startswith("error"))
        print(
            f"{label:<30} {outcomes['booked']:>7} {outcomes['just taken']:>11} {errors:>7} {seconds:>8.1f}  "
            f"{expected} booked, 0 errors"
        )
        for outcome, n in outcomes.items():
            if outcome.startswith("error"):
                print(f"  {n} x {outcome}")
    print(f"appointments saved by the runs: {saved}; overlapping active appointments in the database: {double}")
    problems = server.log_problems()
    print(f"gunicorn log: {len(problems)} warnings or errors")
    for line in problems[:20]:
        print("  " + line)
    Appointment.objects.filter(client_email__endswith="@" + EMAIL_DOMAIN).delete()
    ok = (
        double == 0
        and not problems
        and all(
            outcomes["booked"] == expected and sum(outcomes.values()) == outcomes["booked"] + outcomes["just taken"]
            for _, (outcomes, _), expected in results
        )
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
