"""The database's own rule against double booking: in the model's state, enforced by PostgreSQL,
recognised by name when broken, and absent (not broken) on SQLite."""

from datetime import UTC, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from bookings.capacity import OVERLAP_CONSTRAINTS, is_overlap_violation
from bookings.models import Appointment
from core.constraints import violated_constraint
from tests.factories import AppointmentFactory, clinic_with_hours

from .conftest import local


def constraints_in_database() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, Appointment._meta.db_table))


@pytest.fixture
def ten_oclock(monday_morning):
    """Two therapists and two rooms; Ana's session in room 1 on Tuesday at 10 AM, written straight to the table."""
    service, therapists, rooms = clinic_with_hours(duration_minutes=60, therapists=2, rooms=2)
    first = AppointmentFactory(
        service=service, therapist=therapists[0], room=rooms[0], starts_at=local(2026, 3, 3, 10).astimezone(UTC)
    )
    return first, therapists, rooms


def half_an_hour_into(appointment: Appointment, **changes) -> Appointment:
    """An unsaved appointment that starts 30 minutes into ``appointment``, bypassing the services."""
    fields = {"service": appointment.service, "therapist": appointment.therapist, "room": appointment.room}
    fields |= changes
    return AppointmentFactory.build(starts_at=appointment.starts_at + timedelta(minutes=30), **fields)


def test_the_model_states_both_overlap_constraints():
    assert {"appointment_no_therapist_overlap", "appointment_no_room_overlap"} == OVERLAP_CONSTRAINTS


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_holds_both_overlap_constraints():
    assert constraints_in_database() >= OVERLAP_CONSTRAINTS


@pytest.mark.django_db
def test_on_sqlite_the_overlap_constraints_write_nothing_and_validation_skips_them(ten_oclock):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: PostgreSQL enforces the constraints")
    first, (_, ben), _ = ten_oclock
    assert not OVERLAP_CONSTRAINTS & constraints_in_database()
    half_an_hour_into(first, therapist=ben).validate_constraints()


@pytest.mark.postgres
@pytest.mark.django_db
def test_an_insert_overlapping_a_booking_in_the_same_room_is_refused_and_known_by_name(ten_oclock):
    first, (_, ben), _ = ten_oclock
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        half_an_hour_into(first, therapist=ben).save()
    assert violated_constraint(caught.value) == "appointment_no_room_overlap"
    assert is_overlap_violation(caught.value)


@pytest.mark.postgres
@pytest.mark.django_db
def test_an_insert_overlapping_the_therapists_booking_in_another_room_is_refused_and_known_by_name(ten_oclock):
    first, _, (_, other_room) = ten_oclock
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        half_an_hour_into(first, room=other_room).save()
    assert violated_constraint(caught.value) == "appointment_no_therapist_overlap"
    assert is_overlap_violation(caught.value)


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_cancelled_booking_leaves_its_time_free_for_the_database(ten_oclock):
    first, _, _ = ten_oclock
    Appointment.objects.filter(pk=first.pk).update(status=Appointment.Status.CANCELLED)
    half_an_hour_into(first).save()
    assert Appointment.objects.active().count() == 1


@pytest.mark.postgres
@pytest.mark.django_db
def test_model_validation_reports_an_overlap_on_postgresql(ten_oclock):
    first, (_, ben), _ = ten_oclock
    with pytest.raises(ValidationError, match="appointment_no_room_overlap"):
        half_an_hour_into(first, therapist=ben).validate_constraints()


@pytest.mark.django_db
def test_a_different_broken_constraint_is_not_taken_for_an_overlap(ten_oclock):
    first, _, _ = ten_oclock
    backwards = half_an_hour_into(first)
    backwards.starts_at += timedelta(days=1)
    backwards.ends_at = backwards.blocked_until = backwards.starts_at
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        backwards.save()
    expected = "appointment_end_after_start" if connection.vendor == "postgresql" else None
    assert violated_constraint(caught.value) == expected
    assert not is_overlap_violation(caught.value)


def test_an_error_whose_text_merely_names_an_overlap_constraint_is_not_taken_for_one():
    error = IntegrityError('conflicting key value violates exclusion constraint "appointment_no_therapist_overlap"')
    assert not is_overlap_violation(error)
