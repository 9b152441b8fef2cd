"""Twenty clients press "Confirm" for the same slot at the same moment, each on its own connection.

The pattern is pretty much pretix's proof that it cannot oversell: first a control shows that the race
is real when the lock and the constraint are out of the way, then the real service lets exactly one
through and gives every other thread the friendly "just taken" answer.

On PostgreSQL the control is the real service with its lock switched off through the locking helper
(``core.locking.locking_disabled``) and the exclusion constraints dropped. On SQLite no switch can
make the service double-sell: its IMMEDIATE transaction takes the database's one write lock at
``BEGIN``, before the re-check reads, so a second writer always sees the first one's booking. There
the control still shows the race the way it always has, with check-then-write outside any transaction.
"""

import threading
import time as clock
from contextlib import contextmanager, nullcontext
from datetime import UTC, time

import pytest
from django.db import connection, transaction

from bookings.availability import slot_find
from bookings.capacity import OVERLAP_CONSTRAINTS
from bookings.models import Appointment
from bookings.moves import appointment_reschedule
from bookings.refusals import SlotTaken
from bookings.services import ClientDetails, appointment_book
from core.locking import locking_disabled
from tests.factories import clinic_with_hours

from .conftest import local

THREADS = 20


def run_together(work, count=THREADS):
    """Run ``work(index)`` in ``count`` threads released by one barrier; return what each returned or raised."""
    barrier = threading.Barrier(count)
    outcomes = [None] * count

    def worker(index):
        try:
            barrier.wait()
            outcomes[index] = work(index, barrier)
        except Exception as error:  # noqa: BLE001 - the outcome is what the test inspects
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


@contextmanager
def overlap_constraints_dropped():
    """On PostgreSQL, take the exclusion constraints away for the control test and put them back after."""
    if connection.vendor != "postgresql":
        yield
        return
    overlap = [constraint for constraint in Appointment._meta.constraints if constraint.name in OVERLAP_CONSTRAINTS]
    with connection.schema_editor() as editor:
        for constraint in overlap:
            editor.remove_constraint(Appointment, constraint)
    try:
        yield
    finally:
        Appointment.objects.all().delete()
        with connection.schema_editor() as editor:
            for constraint in overlap:
                editor.add_constraint(Appointment, constraint)


@contextmanager
def appointment_inserts_held_back(count=THREADS):
    """On PostgreSQL, let every booking read and re-check, but hold its INSERT until ``count`` bookings wait.

    A SHARE lock on the appointments table lets reads through and blocks writes; once ``count``
    connections of this test database wait on a lock, it is released and they all go on. So every
    thread re-checks before any thread writes: the worst interleaving, forced rather than hoped for.
    """
    locked = threading.Event()

    def hold():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {Appointment._meta.db_table} IN SHARE MODE")
                locked.set()
                deadline = clock.monotonic() + 60
                while clock.monotonic() < deadline:
                    cursor.execute("SELECT pg_stat_clear_snapshot()")  # else the view stays as first read
                    cursor.execute(
                        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND wait_event_type = 'Lock'"
                    )
                    if cursor.fetchone()[0] >= count:
                        break
                    clock.sleep(0.02)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(timeout=30)
    try:
        yield
    finally:
        holder.join(timeout=90)


@pytest.fixture
def one_slot(monday_morning):
    service, (therapist,), _ = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60)
    return service, therapist, local(2026, 3, 3, 10).astimezone(UTC)


def book(service, therapist, starts_at):
    def booking(index, barrier):
        client = ClientDetails(name=f"Client {index}", email=f"c{index}@example.com", phone="1", consent=True)
        return appointment_book(service=service, therapist=therapist, starts_at=starts_at, client=client)

    return booking


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_control_with_the_lock_switched_off_and_no_constraint_the_service_double_books(one_slot):
    """The real service, its lock switched off through the helper: every thread re-checks, finds the slot free, books.

    ``appointment_inserts_held_back`` makes every thread re-check before any thread writes, so the
    outcome does not depend on luck. It shows what the lock (and the constraint) are there to prevent.
    """
    service, therapist, starts_at = one_slot
    with overlap_constraints_dropped(), locking_disabled(), appointment_inserts_held_back():
        outcomes = run_together(book(service, therapist, starts_at))
        assert sum(isinstance(outcome, Appointment) for outcome in outcomes) == THREADS
        assert Appointment.objects.filter(starts_at=starts_at).count() == THREADS


@pytest.mark.django_db(transaction=True)
def test_control_without_lock_recheck_or_constraint_the_race_double_books(one_slot):
    """Check-then-write with nothing guarding the gap: every thread sees the slot free, then every thread writes.

    The barrier between the read and the write forces the worst interleaving on purpose, so the
    outcome does not depend on luck; this is what autocommit reads outside the IMMEDIATE write
    transaction would allow. SQLite only: there the service cannot be made to double-sell (see the
    module docstring); on PostgreSQL the control above runs the service with its lock switched off.
    """
    if connection.vendor == "postgresql":
        pytest.skip("on PostgreSQL the control goes through the service with the lock switched off")
    service, therapist, starts_at = one_slot

    def unguarded_booking(index, barrier):
        slot = slot_find(service=service, therapist=therapist, starts_at=starts_at)
        barrier.wait()
        if slot is None:
            return None
        return Appointment.objects.create(
            service=service,
            therapist=therapist,
            room_id=slot.room_id,
            starts_at=slot.start,
            ends_at=slot.end,
            blocked_until=slot.end,
            client_name=f"Client {index}",
            client_email=f"c{index}@example.com",
            client_phone="1",
        )

    with overlap_constraints_dropped():
        outcomes = run_together(unguarded_booking)
        assert sum(isinstance(outcome, Appointment) for outcome in outcomes) == THREADS
        assert Appointment.objects.filter(starts_at=starts_at).count() == THREADS


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_bookings_of_one_slot_let_exactly_one_through(one_slot):
    """On PostgreSQL under the control's forced interleaving, but with the lock on: the re-checks queue behind it."""
    service, therapist, starts_at = one_slot
    with appointment_inserts_held_back() if connection.vendor == "postgresql" else nullcontext():
        outcomes = run_together(book(service, therapist, starts_at))
    assert sum(isinstance(outcome, Appointment) for outcome in outcomes) == 1
    assert sum(isinstance(outcome, SlotTaken) for outcome in outcomes) == THREADS - 1
    assert Appointment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_any_therapist_bookings_never_double_book_a_room(monday_morning):
    """Three therapists but two rooms: at most two of twenty "first available" bookings can succeed."""
    service, _, _ = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60, therapists=3, rooms=2)
    starts_at = local(2026, 3, 3, 10).astimezone(UTC)

    def booking(index, barrier):
        client = ClientDetails(name=f"Client {index}", email=f"c{index}@example.com", phone="1", consent=True)
        return appointment_book(service=service, therapist=None, starts_at=starts_at, client=client)

    outcomes = run_together(booking)
    booked = [outcome for outcome in outcomes if isinstance(outcome, Appointment)]
    assert len(booked) == 2
    assert len({appointment.room_id for appointment in booked}) == 2
    assert len({appointment.therapist_id for appointment in booked}) == 2
    assert all(isinstance(outcome, SlotTaken) for outcome in outcomes if outcome not in booked)


@pytest.mark.django_db(transaction=True)
def test_a_move_to_another_therapist_racing_bookings_of_both_times_never_double_books(monday_morning):
    """One client moves from Maya at 10 to Daniel at 2 while nineteen others book those two times.

    The new time is taken in the same transaction that frees the old one: whoever wins Daniel's 2 PM,
    it is booked once; Maya's 10 AM stays the mover's if the move lost, and is booked at most once
    (by one of the others, if they came after the move) if it won.
    """
    service, (maya, daniel), _ = clinic_with_hours(
        start=time(9), end=time(17), duration_minutes=60, therapists=2, rooms=2
    )
    old_time, new_time = local(2026, 3, 3, 10).astimezone(UTC), local(2026, 3, 3, 14).astimezone(UTC)
    mover = ClientDetails(name="Mover", email="mover@example.com", phone="1", consent=True)
    moving = appointment_book(service=service, therapist=maya, starts_at=old_time, client=mover)

    def work(index, barrier):
        if index == 0:
            return appointment_reschedule(appointment=moving, starts_at=new_time, therapist=daniel, by_client=True)
        client = ClientDetails(name=f"Client {index}", email=f"c{index}@example.com", phone="1", consent=True)
        therapist, starts_at = (daniel, new_time) if index % 2 else (maya, old_time)
        return appointment_book(service=service, therapist=therapist, starts_at=starts_at, client=client)

    outcomes = run_together(work)
    assert all(isinstance(outcome, Appointment | SlotTaken) for outcome in outcomes), outcomes
    booked = Appointment.objects.filter(status=Appointment.Status.BOOKED)
    assert booked.filter(therapist=daniel, starts_at=new_time).count() == 1
    moving.refresh_from_db()
    moved = isinstance(outcomes[0], Appointment)
    maya_at_ten = list(booked.filter(therapist=maya, starts_at=old_time))
    if moved:
        assert (moving.therapist, moving.starts_at) == (daniel, new_time)
        assert len(maya_at_ten) <= 1 and moving not in maya_at_ten
    else:
        assert maya_at_ten == [moving]
