"""Eight clients book, move and cancel at once over three therapists and two rooms; afterwards the
database itself is asked whether any therapist or room holds two overlapping active bookings.

Runs on SQLite and PostgreSQL (where the exclusion constraints back the services' locks up).
It has no lock-off control: with random operations an overlap would be likely, not certain, so
the proof that the race is real (core.locking's switch turned off) lives in test_concurrency.py,
which forces the worst interleaving.
"""

import random
import threading
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from bookings.models import Appointment, BookingEvent
from bookings.moves import appointment_reschedule
from bookings.refusals import BookingError
from bookings.services import ClientDetails, appointment_book
from bookings.status_changes import appointment_cancel
from core.models import OutgoingEmail
from tests.factories import clinic_with_hours

NEW_YORK = ZoneInfo("America/New_York")
THREADS = 8
OPERATIONS = 25
OVERLAPS_SQL = """
    SELECT COUNT(*) FROM bookings_appointment a
    JOIN bookings_appointment b ON a.id < b.id
     AND (a.therapist_id = b.therapist_id OR a.room_id = b.room_id)
     AND a.starts_at < b.blocked_until AND b.starts_at < a.blocked_until
    WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'
"""


def random_start(rng: random.Random) -> datetime:
    day = datetime(2026, 3, 3, tzinfo=NEW_YORK) + timedelta(days=rng.randrange(2))
    return (day + timedelta(hours=9, minutes=15 * rng.randrange(29))).astimezone(UTC)


@pytest.mark.django_db(transaction=True)
def test_many_clients_booking_moving_and_cancelling_at_once_never_overlap(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with time_machine.travel(datetime(2026, 3, 2, 7, 0, tzinfo=NEW_YORK), tick=False):
        service, therapists, _ = clinic_with_hours(
            start=time(9), end=time(17), duration_minutes=60, therapists=3, rooms=2
        )
        barrier = threading.Barrier(THREADS)
        succeeded: Counter = Counter()
        refused: Counter = Counter()
        errors: list[BaseException] = []
        lock = threading.Lock()

        def client_session(index: int) -> None:
            rng = random.Random(index)
            try:
                barrier.wait()
                for step in range(OPERATIONS):
                    kind = rng.choices(["book", "move", "cancel"], weights=[5, 3, 2])[0]
                    active = list(Appointment.objects.active().values_list("pk", flat=True))
                    try:
                        if kind == "book" or not active:
                            kind = "book"
                            appointment_book(
                                service=service,
                                therapist=rng.choice([None, *therapists]),
                                starts_at=random_start(rng),
                                client=ClientDetails(
                                    name=f"Client {index}-{step}",
                                    email=f"c{index}@example.com",
                                    phone="1",
                                    consent=True,
                                ),
                            )
                        elif kind == "move":
                            appointment_reschedule(
                                appointment=Appointment.objects.get(pk=rng.choice(active)),
                                starts_at=random_start(rng),
                                therapist=rng.choice([None, *therapists]),
                                by_client=False,
                            )
                        else:
                            appointment_cancel(
                                appointment=Appointment.objects.get(pk=rng.choice(active)), by_client=False
                            )
                    except BookingError:
                        with lock:
                            refused[kind] += 1
                    else:
                        with lock:
                            succeeded[kind] += 1
            except BaseException as error:  # noqa: BLE001 - any other failure fails the test below
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=client_session, args=(index,)) for index in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)

    assert errors == []
    assert sum(succeeded.values()) + sum(refused.values()) == THREADS * OPERATIONS
    assert succeeded["book"] > 0 and refused["book"] + refused["move"] > 0  # the race was real
    with connection.cursor() as cursor:
        cursor.execute(OVERLAPS_SQL)
        assert cursor.fetchone()[0] == 0
    # Nothing lost: every change that succeeded left its booking, its history entry and its emails.
    events = Counter(BookingEvent.objects.values_list("action", flat=True))
    assert (events["booked"], events["moved"], events["cancelled"]) == (
        succeeded["book"],
        succeeded["move"],
        succeeded["cancel"],
    )
    assert Appointment.objects.count() == succeeded["book"]
    assert Appointment.objects.filter(status="cancelled").count() == succeeded["cancel"]
    assert OutgoingEmail.objects.count() == 2 * sum(succeeded.values())
    print(f"\nconcurrency: {THREADS * OPERATIONS} attempts, succeeded {dict(succeeded)}, refused {dict(refused)}")
