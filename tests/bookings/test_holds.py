"""Payment holds: a slot kept while the client pays, free again once the hold runs out or is released."""

from datetime import UTC, time, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from bookings.availability import slot_find
from bookings.holds import HoldLost, appointment_hold_confirm, appointment_hold_release, holds_release_expired
from bookings.models import Appointment, BookingEvent
from bookings.refusals import SlotTaken
from bookings.services import ClientDetails, appointment_book
from bookings.signals import hold_released, time_freed
from tests.factories import clinic_with_hours

from .conftest import local

pytestmark = pytest.mark.django_db
ANA = ClientDetails(name="Ana Silva", email="ana@example.com", phone="617 555 0199", consent=True)
BEN = ClientDetails(name="Ben Okafor", email="ben@example.com", phone="617 555 0123", consent=True)
TEN = local(2026, 3, 5, 10).astimezone(UTC)


@pytest.fixture
def scene(monday_morning):
    service, (therapist,), _ = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60)
    return service, therapist


def hold(scene, minutes=10, who=ANA):
    service, therapist = scene
    return appointment_book(
        service=service,
        therapist=therapist,
        starts_at=TEN,
        client=who,
        hold_until=timezone.now() + timedelta(minutes=minutes),
    )


@pytest.fixture
def heard():
    calls = []

    def listener(sender, signal, **kwargs):
        calls.append((signal, kwargs))

    time_freed.connect(listener)
    hold_released.connect(listener)
    yield calls
    time_freed.disconnect(listener)
    hold_released.disconnect(listener)


def test_a_live_hold_keeps_its_time_from_everyone_else(scene, mailoutbox):
    held = hold(scene)
    assert held.status == Appointment.Status.HELD
    assert mailoutbox == []  # nothing is confirmed yet
    service, therapist = scene
    assert slot_find(service=service, therapist=therapist, starts_at=TEN) is None
    with pytest.raises(SlotTaken):
        appointment_book(service=service, therapist=therapist, starts_at=TEN, client=BEN)


def test_a_hold_that_ran_out_is_free_again_and_the_next_booking_releases_it(
    scene, monday_morning, heard, django_capture_on_commit_callbacks
):
    held = hold(scene)
    monday_morning.shift(timedelta(minutes=11))
    service, therapist = scene
    assert slot_find(service=service, therapist=therapist, starts_at=TEN) is not None
    with django_capture_on_commit_callbacks(execute=True):
        booked = appointment_book(service=service, therapist=therapist, starts_at=TEN, client=BEN)
    held.refresh_from_db()
    assert booked.status == Appointment.Status.BOOKED
    assert held.status == Appointment.Status.CANCELLED
    assert held.cancel_reason == "Payment not completed"
    assert [signal for signal, _ in heard] == [time_freed, hold_released]
    assert heard[0][1]["reason"] == "hold released"
    assert heard[1][1] == {"appointment_id": held.pk}


def test_the_task_releases_every_hold_that_ran_out_and_no_other(scene, monday_morning):
    held = hold(scene)
    service, therapist = scene
    later = appointment_book(
        service=service,
        therapist=therapist,
        starts_at=TEN + timedelta(hours=2),
        client=BEN,
        hold_until=timezone.now() + timedelta(minutes=30),
    )
    monday_morning.shift(timedelta(minutes=11))
    assert holds_release_expired() == 1
    assert holds_release_expired() == 0
    held.refresh_from_db()
    later.refresh_from_db()
    assert (held.status, later.status) == (Appointment.Status.CANCELLED, Appointment.Status.HELD)
    assert held.events.filter(action=BookingEvent.Action.CANCELLED, actor_kind="system").exists()


def test_a_paid_hold_becomes_a_booking_with_its_confirmation(scene, mailoutbox, django_capture_on_commit_callbacks):
    held = hold(scene)
    with django_capture_on_commit_callbacks(execute=True):
        booked = appointment_hold_confirm(appointment=held)
    assert booked.status == Appointment.Status.BOOKED and booked.hold_expires_at is None
    assert [message.to for message in mailoutbox].count(["ana@example.com"]) == 1
    sent = len(mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert appointment_hold_confirm(appointment=held).pk == held.pk  # twice changes nothing
    assert len(mailoutbox) == sent


def test_a_released_hold_can_never_be_confirmed(scene):
    held = hold(scene)
    assert appointment_hold_release(appointment=held) is True
    assert appointment_hold_release(appointment=held) is False
    with pytest.raises(HoldLost):
        appointment_hold_confirm(appointment=held)


def test_a_hold_is_counted_as_busy_by_the_active_bookings_until_it_runs_out(scene, monday_morning):
    held = hold(scene)
    assert list(Appointment.objects.active()) == [held]
    monday_morning.shift(timedelta(minutes=10))
    assert list(Appointment.objects.active()) == []


def test_the_database_refuses_a_hold_without_an_expiry(scene):
    held = hold(scene)
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.filter(pk=held.pk).update(hold_expires_at=None)
