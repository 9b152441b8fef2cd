"""A big clinic for load, contention and growth runs, built in a throwaway database.

    .venv/bin/python bench/bigclinic.py [--scale 1] [--sqlite]      # builds and prints the row counts

At ``--scale 1``: 20 therapists, 6 rooms, 50,000 appointments, 1,000 published posts with tags and
categories, 100,000 subscribers. ``--scale N`` multiplies appointments and posts by N; subscribers and
the team stay the same, because the growth run asks whether a page's cost follows *history*.

Appointments are generated deterministically and written with ``bulk_create``; on PostgreSQL the
exclusion constraints check every row, so an overlap in the generator fails the build. Six rooms
cannot hold 50,000 hour-long sessions in a year, so the big clinic opens 08:00-20:00 every day and
most sessions are 30-minute express sessions; every tenth row is a cancellation (which the
constraint ignores, as in production). The next 60 days are half full, so availability has work to
do; history fills backwards from yesterday until the count is reached (about a year at 1x, ten at
10x): the future is the same at every scale. On PostgreSQL, scales above 1 build 1x and then copy
its history further back in time (INSERT ... SELECT, whole weeks at a time), which is much faster.
"""

import argparse
import os
import random
import sqlite3
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = "postgres://postgres@127.0.0.1:5432"

THERAPISTS, ROOMS = 20, 6
APPOINTMENTS, POSTS, SUBSCRIBERS = 50_000, 1_000, 100_000
FUTURE_DAYS = 60
OPENS, UNITS = 8, 24  # 08:00, then 24 half-hour units to 20:00
EXPRESS_SLUG, MASSAGE_SLUG = "express-30", "massage-60"
WORDS = [
    "calf",
    "hamstring",
    "shoulder",
    "neck",
    "recovery",
    "stretch",
    "breathe",
    "pressure",
    "tissue",
    "stride",
    "knee",
    "hip",
    "glute",
    "posture",
    "sleep",
    "desk",
    "runner",
    "marathon",
    "balance",
    "strength",
    "mobility",
    "warmup",
    "cooldown",
    "foam",
    "roller",
    "rest",
    "hydrate",
]
TAGS = [f"{word}{suffix}" for word in WORDS for suffix in ("", "tips")]
CATEGORIES = ["Featured", "Running", "Desk work", "Recovery", "Pregnancy", "Sleep", "Strength", "Clinic news"]


def database_url(name: str, *, sqlite: bool) -> str:
    if sqlite:
        return f"sqlite:///{ROOT / 'tmp' / (name + '.sqlite3')}"
    return f"{PG_BASE}/{name}"


def database_recreate(url: str) -> None:
    """Drop and create the database behind ``url`` (a PostgreSQL database or a SQLite file)."""
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        path = Path(parts.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        sqlite3.connect(path).close()
        return
    import psycopg

    name = parts.path.lstrip("/")
    with psycopg.connect(url.replace(parts.path, "/postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def _team():
    from bookings.models import BookingPolicy, Closure, Room, Service, Therapist, TimeOff, WorkingHours

    BookingPolicy.objects.create(max_advance_days=FUTURE_DAYS)
    rooms = Room.objects.bulk_create(Room(name=f"Room {n + 1}", slug=f"room-{n + 1}") for n in range(ROOMS))
    express = Service.objects.create(
        name="Express massage",
        slug=EXPRESS_SLUG,
        duration_minutes=25,
        cleanup_minutes=5,
        price=Decimal("55"),
        position=1,
        description="A focused half hour on one area.",
    )
    massage = Service.objects.create(
        name="Classic massage",
        slug=MASSAGE_SLUG,
        duration_minutes=50,
        cleanup_minutes=10,
        price=Decimal("95"),
        position=2,
        description="Fifty minutes, full body or focused work.",
    )
    therapists = Therapist.objects.bulk_create(
        Therapist(
            name=f"Therapist {n + 1:02d}",
            slug=f"therapist-{n + 1:02d}",
            credentials="LMT",
            bio="Works on runners, desk workers and anyone who wants to move more easily.",
            position=n,
            feed_key=f"big-feed-{n}",
        )
        for n in range(THERAPISTS)
    )
    for service in (express, massage):
        service.rooms.set(rooms)
        service.therapists.set(therapists)
    # Even-numbered therapists work mornings, odd afternoons; each has one day off a week.
    WorkingHours.objects.bulk_create(
        WorkingHours(
            therapist=therapist,
            weekday=weekday,
            start_time=clock_time(8) if n % 2 == 0 else clock_time(14),
            end_time=clock_time(14) if n % 2 == 0 else clock_time(20),
        )
        for n, therapist in enumerate(therapists)
        for weekday in range(7)
        if weekday != n % 7
    )
    today = date.today()
    Closure.objects.create(starts_on=today + timedelta(days=20), ends_on=today + timedelta(days=20), reason="Training")
    TimeOff.objects.bulk_create(
        TimeOff(
            therapist=therapist,
            starts_at=datetime.combine(today + timedelta(days=7 + 3 * n), clock_time(0), tzinfo=UTC),
            ends_at=datetime.combine(today + timedelta(days=10 + 3 * n), clock_time(0), tzinfo=UTC),
            reason="Holiday",
        )
        for n, therapist in enumerate(therapists[:10])
    )
    return rooms, therapists, express, massage


def _works(therapist_index: int, day: date, first_unit: int, last_unit: int) -> bool:
    if day.weekday() == therapist_index % 7:
        return False
    shift = range(0, 12) if therapist_index % 2 == 0 else range(12, 24)
    return first_unit in shift and last_unit in shift


def _day_appointments(day: date, *, today: date, occupancy: float, rng: random.Random, team, tz) -> list[dict]:
    """One day's sessions: rooms filled unit by unit, each session given a free therapist on shift."""
    rooms, therapists, express, massage = team
    therapist_free_at = [0] * len(therapists)
    room_free_at = [0] * len(rooms)
    rows = []
    for unit in range(UNITS):
        for room_index, room in enumerate(rooms):
            if room_free_at[room_index] > unit or rng.random() > occupancy:
                continue
            service, length = (massage, 2) if rng.random() < 0.15 and unit + 1 < UNITS else (express, 1)
            start_at = rng.randrange(len(therapists))
            for offset in range(len(therapists)):
                index = (start_at + offset) % len(therapists)
                if therapist_free_at[index] <= unit and _works(index, day, unit, unit + length - 1):
                    break
            else:
                continue
            starts = datetime.combine(day, clock_time(OPENS), tzinfo=tz) + timedelta(minutes=30 * unit)
            row = {
                "service": service,
                "therapist": therapists[index],
                "room": room,
                "starts_at": starts.astimezone(UTC),
                "ends_at": (starts + timedelta(minutes=service.duration_minutes)).astimezone(UTC),
                "blocked_until": (starts + timedelta(minutes=30 * length)).astimezone(UTC),
            }
            if rng.random() < 0.1:
                rows.append({**row, "status": "cancelled"})  # cancelled, then the room was booked again
            rows.append({**row, "status": "booked" if day >= today else "completed"})
            therapist_free_at[index] = room_free_at[room_index] = unit + length
    return rows


def _appointments(team, total: int, stdout) -> int:
    from bookings.availability import clinic_tz
    from bookings.models import Appointment

    tz = clinic_tz()
    rng = random.Random(6)
    today = datetime.now(tz).date()
    days = [(today + timedelta(days=n), 0.5) for n in range(FUTURE_DAYS + 1)]
    written = 0
    batch: list[Appointment] = []
    back = 1
    while written + len(batch) < total:
        day, occupancy = days.pop(0) if days else (today - timedelta(days=back), 0.95)
        if day < today:
            back += 1
        for row in _day_appointments(day, today=today, occupancy=occupancy, rng=rng, team=team, tz=tz):
            number = written + len(batch)
            if number == total:
                break
            batch.append(
                Appointment(
                    **row,
                    client_name=f"Client {number}",
                    client_email=f"client{number % 5000}@example.com",
                    client_phone="617-555-0100",
                    uid=uuid.UUID(int=number + 1),
                    manage_key=f"big-{number}",
                    source="online" if number % 3 else "staff",
                )
            )
        if len(batch) >= 5000:
            Appointment.objects.bulk_create(batch, batch_size=1000)
            written += len(batch)
            batch = []
            stdout.write(f"\r  appointments: {written:,}")
    Appointment.objects.bulk_create(batch, batch_size=1000)
    written += len(batch)
    stdout.write(f"\r  appointments: {written:,}, back to {today - timedelta(days=back - 1)}\n")
    return written


def _history_repeat(times: int, stdout) -> None:
    """Copy the past (not the future) ``times`` more times, each copy a whole number of weeks further back.

    PostgreSQL only: one INSERT ... SELECT per copy, far faster than building millions of objects.
    """
    from django.db import connection
    from django.db.models import Max, Min

    from bookings.models import Appointment

    table = Appointment._meta.db_table
    past = Appointment.objects.filter(status="completed").aggregate(first=Min("starts_at"), last=Max("starts_at"))
    first, last = past["first"], past["last"]
    weeks = (last - first).days // 7 + 1
    shifted = {"starts_at", "ends_at", "blocked_until"}
    columns, values = [], []
    for field in Appointment._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.column in shifted:
            values.append(f"{field.column} - %(shift)s")
        elif field.column == "uid":
            values.append("gen_random_uuid()")
        elif field.column == "manage_key":
            values.append("manage_key || %(suffix)s")
        else:
            values.append(field.column)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {table} "
        f"WHERE starts_at >= %(first)s AND starts_at <= %(last)s"
    )
    with connection.cursor() as cursor:
        for copy in range(1, times + 1):
            cursor.execute(
                sql, {"shift": timedelta(weeks=weeks * copy), "suffix": f"-h{copy}", "first": first, "last": last}
            )
            stdout.write(f"\r  history copies: {copy}/{times}")
    stdout.write("\n")


def _clients(stdout) -> None:
    """Link the generated bookings to client records with the migration's own code (bookings.clientlinks)."""
    from django.apps import apps

    from bookings.clientlinks import appointments_into_clients

    started = time.perf_counter()
    made = appointments_into_clients(apps)
    stdout.write(f"  clients: {made:,} records linked in {time.perf_counter() - started:.1f} s\n")


def _posts(total: int, therapists, stdout) -> None:
    from django.utils import timezone
    from django.utils.text import slugify

    from blog import markup
    from blog.models import Author, Category, Post, PostTag, Tag

    rng = random.Random(7)
    authors = Author.objects.bulk_create(
        Author(
            name=f"Author {n + 1}",
            slug=f"author-{n + 1}",
            bio="Writes about moving well.",
            therapist=therapists[n] if n < 3 else None,
        )
        for n in range(5)
    )
    categories = Category.objects.bulk_create(Category(name=name, slug=slugify(name)) for name in CATEGORIES)
    tags = {
        slug: tag for slug, tag in zip(TAGS, Tag.objects.bulk_create(Tag(slug=s, name=s) for s in TAGS), strict=True)
    }
    # Fifty bodies rendered once, reused: the renderer is the blog's, so body_html and tags are exact.
    bodies = []
    for _ in range(50):
        words = " ".join(rng.choice(WORDS) for _ in range(150))
        chosen = rng.sample(TAGS, 4)
        body = f"{words.capitalize()}.\n\n## What helps\n\n{words[:400]}.\n\n" + " ".join(f"#{t}" for t in chosen)
        bodies.append((body, markup.render(body)))
    now = timezone.now()
    step = timedelta(minutes=max(1, int(525_600 / total * 1.0)))
    for first in range(0, total, 5000):
        numbers = range(first, min(total, first + 5000))
        posts = Post.objects.bulk_create(
            Post(
                title=f"Article {n}: {rng.choice(WORDS)} and {rng.choice(WORDS)}",
                slug=f"article-{n}",
                author=authors[n % len(authors)],
                body=bodies[n % 50][0],
                body_html=bodies[n % 50][1].html,
                body_excerpt=bodies[n % 50][1].excerpt,
                status=Post.Status.PUBLISHED,
                publish_at=now - step * (n + 1),
            )
            for n in numbers
        )
        PostTag.objects.bulk_create(
            PostTag(post=post, tag=tags[slug], spelling=slug, uses=sum(counts.values()))
            for n, post in zip(numbers, posts, strict=True)
            for slug, counts in bodies[n % 50][1].tags.items()
        )
        Post.categories.through.objects.bulk_create(
            Post.categories.through(post_id=post.pk, category_id=category.pk)
            for n, post in zip(numbers, posts, strict=True)
            for category in ([categories[0]] if n % 50 == 0 else []) + [categories[1 + n % (len(categories) - 1)]]
        )
        stdout.write(f"\r  posts: {first + len(posts):,}")
    Post.objects.create(
        title="A draft", slug="a-draft", author=authors[0], body="Not yet.", body_html="<p>Not yet.</p>"
    )
    stdout.write("\n")


def _subscribers(total: int, stdout) -> None:
    from django.utils import timezone

    from newsletter.models import Subscriber

    now = timezone.now()
    statuses = ["confirmed"] * 8 + ["pending", "unsubscribed"]
    for first in range(0, total, 10_000):
        Subscriber.objects.bulk_create(
            (
                Subscriber(
                    email=f"reader{n}@example.com",
                    status=statuses[n % 10],
                    token=f"big-subscriber-{n}",
                    consented_at=now,
                    consent_text="Send me the newsletter.",
                    source_url="https://clinic.example/",
                    confirmed_at=now if statuses[n % 10] == "confirmed" else None,
                    unsubscribed_at=now if statuses[n % 10] == "unsubscribed" else None,
                )
                for n in range(first, min(total, first + 10_000))
            ),
            batch_size=2000,
        )
        stdout.write(f"\r  subscribers: {min(total, first + 10_000):,}")
    stdout.write("\n")


def build(*, scale: int = 1, subscribers: int = SUBSCRIBERS, stdout=sys.stdout) -> dict:
    """Fill the (migrated, empty) current database with the big clinic; returns what the runs need."""
    from django.db import connection

    started = time.perf_counter()
    stdout.write(f"Building the big clinic at {scale}x on {connection.vendor} ({connection.settings_dict['NAME']})\n")
    team = _team()
    if scale > 1 and connection.vendor == "postgresql":
        _appointments(team, APPOINTMENTS, stdout)
        _history_repeat(scale - 1, stdout)
    else:
        _appointments(team, APPOINTMENTS * scale, stdout)
    _clients(stdout)
    _posts(POSTS * scale, team[1], stdout)
    _subscribers(subscribers, stdout)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # VACUUM too, as autovacuum would soon: until the visibility map is set, even an index scan of
            # the month's appointments reads every row's page (1,072 buffers, about 1 ms more).
            cursor.execute("VACUUM ANALYZE")
    stdout.write(f"  built in {time.perf_counter() - started:.0f} s\n")
    return describe()


def describe() -> dict:
    """The URLs of the big clinic's pages (the post and tag are fixed by the generator)."""
    from bookings.availability import clinic_tz

    today = datetime.now(clinic_tz()).date()
    month = f"start={today + timedelta(days=1)}&end={today + timedelta(days=30)}"
    return {
        "home": "/",
        "blog": "/blog/",
        "post": "/blog/article-17/",
        "tag": f"/blog/tag/{TAGS[4]}/",
        "book": "/book/",
        "availability": f"/api/availability/?service={MASSAGE_SLUG}&therapist=any&{month}",
        "availability_one": f"/api/availability/?service={MASSAGE_SLUG}&therapist=therapist-01&{month}",
    }


def counts() -> dict[str, int]:
    from blog.models import Post
    from bookings.models import Appointment, Room, Therapist
    from newsletter.models import Subscriber

    return {
        "therapists": Therapist.objects.count(),
        "rooms": Room.objects.count(),
        "appointments": Appointment.objects.count(),
        "published posts": Post.objects.published().count(),
        "subscribers": Subscriber.objects.count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file in tmp/ instead of PostgreSQL")
    parser.add_argument("--name", default=None, help="database name (default clinic_perf_<scale>x)")
    parser.add_argument("--subscribers", type=int, default=SUBSCRIBERS)
    args = parser.parse_args()
    url = database_url(args.name or f"clinic_perf_{args.scale}x", sqlite=args.sqlite)
    prepare(url)
    print(build(scale=args.scale, subscribers=args.subscribers))
    print(counts())


def prepare(url: str) -> None:
    """Recreate and migrate the database at ``url``, then point this process's Django at it."""
    import subprocess

    database_recreate(url)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "DATABASE_URL": url}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    setup(url)


def setup(url: str) -> None:
    """Configure Django in this process with the bench settings against ``url``."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()


if __name__ == "__main__":
    main()
