"""How fast is a month of availability on a busy clinic? Prints a table; run it by hand.

    .venv/bin/python bench/availability.py                      # SQLite (a throwaway file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic_bookings .venv/bin/python bench/availability.py

Builds, in a throwaway database (Django's test database machinery: created, migrated, destroyed),
10 therapists, 4 rooms and 5,000 appointments (bulk_create) spread over 180 days around today, then
times ``GET /api/availability/`` for one month, "any therapist" and one therapist, through the full
Django stack (URL routing, view, JSON), and the selector alone. Median and 90th percentile of N runs.
"""

import os
import statistics
import sys
import tempfile
import time as clock
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings.base")
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "30"))
THERAPISTS, ROOMS, APPOINTMENTS = 10, 4, 5000


def build():
    from bookings.availability import clinic_tz
    from bookings.models import Appointment, BookingPolicy, Room, Service, Therapist, WorkingHours

    tz = clinic_tz()
    BookingPolicy.objects.create(max_advance_days=90)
    rooms = Room.objects.bulk_create(Room(name=f"Room {n}", slug=f"room-{n}") for n in range(ROOMS))
    service = Service.objects.create(
        name="Bench massage", slug="bench", duration_minutes=60, cleanup_minutes=15, price=Decimal("90")
    )
    service.rooms.set(rooms)
    therapists = Therapist.objects.bulk_create(
        Therapist(name=f"Therapist {n}", slug=f"therapist-{n}", position=n) for n in range(THERAPISTS)
    )
    service.therapists.set(therapists)
    WorkingHours.objects.bulk_create(
        WorkingHours(therapist=t, weekday=weekday, start_time=start, end_time=end)
        for t in therapists
        for weekday in range(6)
        for start, end in [(time(9), time(12, 30)), (time(13), time(19))]
    )
    # Seven 75-minute blocks a day in each room, each block's four rooms with four different therapists,
    # so the rows are valid even under PostgreSQL's exclusion constraints.
    appointments = []
    today = datetime.now(tz).date()
    day = today - timedelta(days=90)
    while len(appointments) < APPOINTMENTS:
        for block in range(7):
            starts = datetime.combine(day, time(9), tzinfo=tz) + timedelta(minutes=75 * block)
            for room_index, room in enumerate(rooms):
                if len(appointments) == APPOINTMENTS or (day.toordinal() + block + room_index) % 3 == 0:
                    continue
                therapist = therapists[(block * ROOMS + room_index + day.toordinal()) % THERAPISTS]
                appointments.append(
                    Appointment(
                        service=service,
                        therapist=therapist,
                        room=room,
                        starts_at=starts.astimezone(UTC),
                        ends_at=(starts + timedelta(minutes=60)).astimezone(UTC),
                        blocked_until=(starts + timedelta(minutes=75)).astimezone(UTC),
                        status="cancelled" if len(appointments) % 10 == 0 else "booked",
                        client_name="Bench Client",
                        client_email="bench@example.com",
                        client_phone="1",
                        manage_key=f"bench-{len(appointments)}",
                    )
                )
        day += timedelta(days=1)
    Appointment.objects.bulk_create(appointments, batch_size=500)
    return service, therapists[0], today


def measure(label, call):
    call()  # warm up
    timings, queries, size = [], 0, 0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as captured:
            started = clock.perf_counter()
            size = call()
            timings.append((clock.perf_counter() - started) * 1000)
        queries = len(captured.captured_queries)
    timings.sort()
    return label, statistics.median(timings), timings[int(len(timings) * 0.9) - 1], queries, size


def main():
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = False
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = os.path.join(tempfile.mkdtemp(), "bench.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        from django.core.cache import cache

        from bookings.availability import slots_available
        from bookings.models import Appointment

        service, therapist, today = build()
        start, end = today, today + timedelta(days=30)
        client = Client()

        def api(therapist_slug=None):
            def call():
                cache.clear()  # keep the rate limiter out of the way
                params = {"service": service.slug, "start": start.isoformat(), "end": end.isoformat()}
                if therapist_slug:
                    params["therapist"] = therapist_slug
                response = client.get("/api/availability/", params)
                assert response.status_code == 200, response.content
                return len(response.json()["slots"])

            return call

        rows = [
            measure("API month, any therapist", api()),
            measure("API month, one therapist", api(therapist.slug)),
            measure(
                "selector month, any therapist", lambda: len(slots_available(service=service, start=start, end=end))
            ),
        ]
        print(
            f"\n{connection.vendor}: {THERAPISTS} therapists, {ROOMS} rooms, "
            f"{Appointment.objects.count()} appointments; {RUNS} runs each, {start} to {end}\n"
        )
        print(f"{'request':<32} {'median ms':>10} {'p90 ms':>8} {'queries':>8} {'slots':>7}")
        for label, median, p90, queries, size in rows:
            print(f"{label:<32} {median:>10.1f} {p90:>8.1f} {queries:>8} {size:>7}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
