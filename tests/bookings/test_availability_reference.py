"""The availability sweep gives exactly what the rules say, slot by slot, on random busy schedules.

The reference below is the rules written the slow, obvious way: every grid time of every working
interval, checked against every busy interval one by one. The schedules mix several intervals a day,
odd opening times, time off, closures, cancellations, appointments in rooms the service uses, and
the two daylight-saving days of 2026.
"""

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest

from bookings.availability import slots_available
from bookings.models import Appointment, BookingPolicy, Closure, TimeOff, WorkingHours
from bookings.sweep_reads import setting_read
from core.clinictime import clinic_tz
from tests.factories import AppointmentFactory, RoomFactory, ServiceFactory, TherapistFactory

pytestmark = pytest.mark.django_db


def overlaps(start, end, intervals):
    return any(busy_start < end and start < busy_end for busy_start, busy_end in intervals)


def reference(*, service, therapist, start, end, now, policy):
    """Every bookable start, by the rules: in working hours, free of the therapist's and a room's sessions
    (with cleanup) and time off, outside closures, inside notice and advance; for "any", the least booked first."""
    tz = clinic_tz()
    therapists = list(service.therapists.filter(is_active=True, is_bookable_online=True).order_by("position", "name"))
    if therapist is not None:
        therapists = [t for t in therapists if t.pk == therapist.pk]
    rooms = list(service.rooms.filter(is_active=True))
    appointments = list(Appointment.objects.active())
    duration = timedelta(minutes=service.duration_minutes)
    blocked = duration + timedelta(minutes=service.cleanup_minutes)
    earliest = now + timedelta(minutes=policy.min_notice_minutes)
    latest = datetime.combine(
        now.astimezone(tz).date() + timedelta(days=policy.max_advance_days + 1), time.min, tzinfo=tz
    )
    closed = {
        closure.starts_on + timedelta(days=n)
        for closure in Closure.objects.all()
        for n in range((closure.ends_on - closure.starts_on).days + 1)
    }

    def busy_of(t):
        return [(a.starts_at, a.blocked_until) for a in appointments if a.therapist_id == t.pk] + [
            (off.starts_at, off.ends_at) for off in TimeOff.objects.filter(therapist=t)
        ]

    slots = []
    day = start
    while day <= end:
        if day not in closed:
            booked = {
                t.pk: sum(
                    1 for a in appointments if a.therapist_id == t.pk and a.starts_at.astimezone(tz).date() == day
                )
                for t in therapists
            }
            order = sorted(therapists, key=lambda t: booked[t.pk]) if therapist is None else therapists
            times = {}
            for t in order:
                for hours in WorkingHours.objects.filter(therapist=t, weekday=day.weekday()):
                    opens = datetime.combine(day, hours.start_time, tzinfo=tz).astimezone(UTC)
                    closes = datetime.combine(day, hours.end_time, tzinfo=tz).astimezone(UTC)
                    moment = opens
                    while moment + duration <= closes:
                        if earliest <= moment < latest and not overlaps(moment, moment + blocked, busy_of(t)):
                            names = times.setdefault(moment, [])
                            if t.slug not in names:
                                names.append(t.slug)
                        moment += timedelta(minutes=policy.slot_step_minutes)
            for moment in sorted(times):
                room = next(
                    (
                        r
                        for r in rooms
                        if not overlaps(
                            moment,
                            moment + blocked,
                            [(a.starts_at, a.blocked_until) for a in appointments if a.room_id == r.pk],
                        )
                    ),
                    None,
                )
                if room is not None:
                    slots.append((moment, times[moment], room.pk))
        day += timedelta(days=1)
    return slots


def random_clinic(rng: random.Random, *, first: date, days: int):
    tz = clinic_tz()
    rooms = [RoomFactory() for _ in range(rng.randint(1, 3))]
    other_room = RoomFactory()  # busy with other services' sessions, never this one's
    service = ServiceFactory(
        rooms=rooms, duration_minutes=rng.choice([20, 30, 45, 50, 60, 90]), cleanup_minutes=rng.choice([0, 5, 10, 15])
    )
    policy = BookingPolicy.objects.create(
        slot_step_minutes=rng.choice([5, 10, 15, 20, 30, 45, 60]),
        min_notice_minutes=rng.choice([0, 60, 24 * 60]),
        max_advance_days=rng.choice([5, 60, 365]),
    )
    therapists = [TherapistFactory(services=[service], position=n) for n in range(rng.randint(1, 4))]
    for therapist in therapists:
        for weekday in range(7):
            if rng.random() < 0.2:
                continue
            hour = rng.choice([0, 7, 8, 9, 13])
            opens = time(hour, rng.choice([0, 0, 10, 30]))
            WorkingHours.objects.create(
                therapist=therapist, weekday=weekday, start_time=opens, end_time=time(min(23, hour + rng.randint(3, 6)))
            )
            if rng.random() < 0.3:  # a second interval later in the day
                WorkingHours.objects.create(
                    therapist=therapist, weekday=weekday, start_time=time(17, rng.choice([0, 15])), end_time=time(21)
                )
        if rng.random() < 0.5:
            off = datetime.combine(first + timedelta(days=rng.randint(0, days)), time(rng.randint(0, 20)), tzinfo=tz)
            TimeOff.objects.create(
                therapist=therapist, starts_at=off, ends_at=off + timedelta(hours=rng.randint(1, 30))
            )
    if rng.random() < 0.5:
        closed = first + timedelta(days=rng.randint(0, days))
        Closure.objects.create(starts_on=closed, ends_on=closed + timedelta(days=rng.randint(0, 1)), reason="Training")
    taken: list[tuple[int, int, datetime, datetime]] = []
    for _ in range(rng.randint(10, 60)):
        therapist = rng.choice(therapists)
        room = rng.choice([*rooms, other_room])
        starts = datetime.combine(
            first + timedelta(days=rng.randint(-1, days)),
            time(rng.randint(0, 22), rng.choice([0, 5, 20, 30, 45])),
            tzinfo=tz,
        ).astimezone(UTC)
        until = starts + timedelta(minutes=rng.choice([25, 30, 60, 75, 95]))
        if any(
            (t == therapist.pk or r == room.pk) and s < until and starts < u for t, r, s, u in taken
        ):  # the database refuses overlapping sessions of one therapist or room
            continue
        taken.append((therapist.pk, room.pk, starts, until))
        AppointmentFactory(
            service=service,
            therapist=therapist,
            room=room,
            starts_at=starts,
            ends_at=until,
            blocked_until=until,
            status=rng.choice([Appointment.Status.BOOKED] * 4 + [Appointment.Status.CANCELLED]),
        )
    return service, therapists, policy


@pytest.mark.parametrize(
    ("seed", "first"),
    [(seed, date(2026, 3, 4)) for seed in range(6)] + [(seed, date(2026, 10, 29)) for seed in range(6, 12)],
)
def test_the_sweep_offers_exactly_the_times_the_rules_allow(monday_morning, seed, first):
    """Spring forward is 8 March 2026 and fall back 1 November 2026, both inside the ranges asked for."""
    rng = random.Random(seed)
    days = 7
    service, therapists, policy = random_clinic(rng, first=first, days=days)
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC) if first.month == 3 else datetime(2026, 10, 28, 12, 0, tzinfo=UTC)
    for therapist in [None, *therapists]:
        found = slots_available(
            service=service, therapist=therapist, start=first, end=first + timedelta(days=days), now=now, policy=policy
        )
        expected = reference(
            service=service, therapist=therapist, start=first, end=first + timedelta(days=days), now=now, policy=policy
        )
        assert [(slot.start, [t.slug for t in slot.therapists_free], slot.room_id) for slot in found] == expected
        assert all(slot.end - slot.start == timedelta(minutes=service.duration_minutes) for slot in found)


@pytest.mark.parametrize(
    ("seed", "first"), [(seed, date(2026, 3, 4)) for seed in (0, 3)] + [(seed, date(2026, 10, 29)) for seed in (7, 10)]
)
def test_leaving_out_the_others_free_keeps_every_time_its_therapist_and_room(monday_morning, seed, first):
    """The API asks without ``also_free``: the same times must go to the same (fair) therapist and room."""
    service, therapists, policy = random_clinic(random.Random(seed), first=first, days=7)
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC) if first.month == 3 else datetime(2026, 10, 28, 12, 0, tzinfo=UTC)
    for therapist in [None, *therapists]:
        asked = {"service": service, "therapist": therapist, "start": first, "end": first + timedelta(days=7)}
        full = slots_available(**asked, now=now, policy=policy)
        lean = slots_available(**asked, now=now, policy=policy, others=False)
        assert [(s.start, s.end, s.therapist.slug, s.room_id) for s in lean] == [
            (s.start, s.end, s.therapist.slug, s.room_id) for s in full
        ]
        assert all(slot.also_free == () for slot in lean)


def test_overlapping_working_intervals_offer_each_time_and_therapist_once(monday_morning):
    service = ServiceFactory(rooms=[RoomFactory()], duration_minutes=60, cleanup_minutes=0)
    BookingPolicy.objects.create(slot_step_minutes=60)
    maya = TherapistFactory(services=[service], slug="maya", position=0)
    daniel = TherapistFactory(services=[service], slug="daniel", position=1)
    tuesday = date(2026, 3, 3)
    for start_time, end_time in [(time(9), time(12)), (time(10), time(13))]:
        WorkingHours.objects.create(therapist=maya, weekday=tuesday.weekday(), start_time=start_time, end_time=end_time)
    WorkingHours.objects.create(therapist=daniel, weekday=tuesday.weekday(), start_time=time(11), end_time=time(12))
    slots = slots_available(service=service, start=tuesday, end=tuesday)
    assert [(slot.local_start.hour, [t.slug for t in slot.therapists_free]) for slot in slots] == [
        (9, ["maya"]),
        (10, ["maya"]),
        (11, ["maya", "daniel"]),
        (12, ["maya"]),
    ]


@pytest.mark.parametrize(
    ("seed", "first"), [(seed, date(2026, 3, 4)) for seed in (1, 4)] + [(seed, date(2026, 10, 29)) for seed in (8, 11)]
)
def test_a_sweep_given_a_kept_setting_offers_exactly_the_times_the_rules_allow(monday_morning, seed, first):
    """The public API keeps the setting and reads only the busy time: on PostgreSQL, packed into one value."""
    service, therapists, policy = random_clinic(random.Random(seed), first=first, days=7)
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC) if first.month == 3 else datetime(2026, 10, 28, 12, 0, tzinfo=UTC)
    setting = setting_read(service=service, online_only=True, since=first, until=first + timedelta(days=7))
    # Twice over: the second time, each working-time grid is the one kept from the first.
    for therapist in [None, *therapists] * 2:
        found = slots_available(
            service=service,
            therapist=therapist,
            start=first,
            end=first + timedelta(days=7),
            now=now,
            policy=policy,
            setting=setting,
        )
        expected = reference(
            service=service, therapist=therapist, start=first, end=first + timedelta(days=7), now=now, policy=policy
        )
        assert [(slot.start, [t.slug for t in slot.therapists_free], slot.room_id) for slot in found] == expected
