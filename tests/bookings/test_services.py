import sys
import types
from datetime import UTC, time, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from bookings.models import Appointment, BookingPolicy
from bookings.moves import appointment_reschedule
from bookings.refusals import ChangeRefused, Reason, SlotTaken, StartRefused
from bookings.services import ClientDetails, NewsletterOptIn, appointment_book, therapist_feed_key_rotate
from bookings.status_changes import appointment_cancel, appointment_mark, appointment_status_set
from bookings.tokens import feed_token, therapist_from_feed_token
from tests.factories import AppointmentFactory, UserFactory, clinic_with_hours

from .conftest import local

pytestmark = pytest.mark.django_db
CLIENT = ClientDetails(name="Ana Silva", email="ana@example.com", phone="617 555 0199", consent=True)


def book(service, therapist=None, at=None, **kwargs):
    return appointment_book(
        service=service,
        therapist=therapist,
        starts_at=(at or local(2026, 3, 3, 10)).astimezone(UTC),
        client=CLIENT,
        **kwargs,
    )


@pytest.fixture
def scene(monday_morning):
    return clinic_with_hours(start=time(9), end=time(17), duration_minutes=60, cleanup_minutes=15)


def test_booking_writes_the_session_its_cleanup_and_a_room(scene):
    service, (therapist,), (room,) = scene
    appointment = book(service, therapist)
    assert (appointment.therapist, appointment.room, appointment.status) == (therapist, room, "booked")
    assert appointment.blocked_until - appointment.starts_at == timedelta(minutes=75)
    assert appointment.consent_at is not None


def test_booking_a_taken_time_raises_slot_taken_with_the_nearest_free_times(scene):
    service, (therapist,), _ = scene
    book(service, therapist)
    with pytest.raises(SlotTaken) as taken:
        book(service, therapist, at=local(2026, 3, 3, 10, 30))
    assert Appointment.objects.count() == 1
    # 10:00–11:00 plus 15 minutes' cleanup is taken; a new session needs its own 15 minutes before 10:00 too.
    assert [slot.local_start.strftime("%a %H:%M") for slot in taken.value.alternatives] == [
        "Tue 11:15",
        "Tue 11:30",
        "Tue 11:45",
    ]


def test_booking_any_therapist_assigns_a_free_one(scene):
    service, (therapist,), _ = scene
    assert book(service, None).therapist == therapist


def test_booking_sends_the_client_and_staff_emails_once_committed(scene, django_capture_on_commit_callbacks):
    service, (therapist,), _ = scene
    therapist.user = UserFactory(email="maya@clinic.test")
    therapist.save()
    with django_capture_on_commit_callbacks(execute=True):
        book(service, therapist)
    client_mail, staff_mail = mail.outbox
    assert client_mail.to == ["ana@example.com"]
    assert staff_mail.to == ["hello@riverside-massage.example", "maya@clinic.test"]


@pytest.fixture
def subscription_start():
    """Patch the newsletter's ``subscription_start``, standing in for its module until that app ships it."""
    try:
        import newsletter.services  # noqa: F401

        stand_in = {}
    except ImportError:
        stand_in = {"newsletter.services": types.ModuleType("newsletter.services")}
    with (
        mock.patch.dict(sys.modules, stand_in),
        mock.patch("newsletter.services.subscription_start", create=True) as start,
    ):
        yield start


def test_newsletter_opt_in_starts_the_newsletters_confirmation_after_commit(
    scene, subscription_start, django_capture_on_commit_callbacks
):
    service, (therapist,), _ = scene
    opt_in = NewsletterOptIn(
        source_url="https://clinic.test/book/details/", consent_text="Send me news", ip_address="1.2.3.4"
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        book(service, therapist, newsletter=opt_in)
    subscription_start.assert_not_called()
    for callback in callbacks:
        callback()
    subscription_start.assert_called_once_with(
        email="ana@example.com",
        source_url="https://clinic.test/book/details/",
        consent_text="Send me news",
        ip_address="1.2.3.4",
    )


def test_no_newsletter_call_without_the_box_ticked(scene, subscription_start, django_capture_on_commit_callbacks):
    service, (therapist,), _ = scene
    with django_capture_on_commit_callbacks(execute=True):
        book(service, therapist)
    subscription_start.assert_not_called()


def test_reschedule_moves_the_booking_and_keeps_its_calendar_uid(scene):
    service, (therapist,), _ = scene
    appointment = book(service, therapist)
    moved = appointment_reschedule(
        appointment=appointment, starts_at=local(2026, 3, 4, 14).astimezone(UTC), by_client=True
    )
    assert (moved.pk, moved.uid, moved.sequence) == (appointment.pk, appointment.uid, 1)
    assert moved.starts_at == local(2026, 3, 4, 14)


def test_reschedule_may_overlap_its_own_old_time(scene):
    service, (therapist,), _ = scene
    appointment = book(service, therapist)
    moved = appointment_reschedule(
        appointment=appointment, starts_at=local(2026, 3, 3, 10, 30).astimezone(UTC), by_client=True
    )
    assert moved.starts_at == local(2026, 3, 3, 10, 30)


def test_reschedule_onto_a_taken_time_keeps_the_old_booking(scene):
    service, (therapist,), _ = scene
    appointment = book(service, therapist)
    book(service, therapist, at=local(2026, 3, 3, 14))
    with pytest.raises(SlotTaken):
        appointment_reschedule(appointment=appointment, starts_at=local(2026, 3, 3, 14).astimezone(UTC), by_client=True)
    appointment.refresh_from_db()
    assert (appointment.starts_at, appointment.status, appointment.sequence) == (local(2026, 3, 3, 10), "booked", 0)


def test_client_cannot_move_a_booking_after_the_cutoff(scene):
    service, (therapist,), _ = scene
    appointment = book(service, therapist, at=local(2026, 3, 2, 15))
    with pytest.raises(ChangeRefused, match="24 hours"):
        appointment_reschedule(appointment=appointment, starts_at=local(2026, 3, 5, 10).astimezone(UTC), by_client=True)


def test_cancel_keeps_the_record_and_frees_the_time_at_once(scene):
    service, (therapist,), _ = scene
    appointment = book(service, therapist)
    cancelled = appointment_cancel(appointment=appointment, by_client=True)
    assert (cancelled.status, cancelled.sequence) == ("cancelled", 1)
    assert book(service, therapist).pk != appointment.pk


def test_cancel_after_cutoff_is_refused_for_the_client_but_not_for_staff(scene):
    service, (therapist,), _ = scene
    appointment = book(service, therapist, at=local(2026, 3, 2, 15))
    with pytest.raises(ChangeRefused):
        appointment_cancel(appointment=appointment, by_client=True)
    assert appointment_cancel(appointment=appointment, by_client=False).status == "cancelled"


def test_a_cancelled_booking_cannot_be_cancelled_again(scene):
    service, (therapist,), _ = scene
    appointment = book(service, therapist)
    appointment_cancel(appointment=appointment, by_client=False)
    with pytest.raises(ChangeRefused):
        appointment_cancel(appointment=appointment, by_client=False)


def test_staff_override_books_inside_the_notice_window(scene):
    service, (therapist,), _ = scene
    BookingPolicy.objects.create(min_notice_minutes=24 * 60)
    with pytest.raises(StartRefused) as refused:
        book(service, therapist, at=local(2026, 3, 2, 10))
    assert refused.value.reason == Reason.TOO_SOON and not isinstance(refused.value, SlotTaken)
    appointment = book(service, therapist, at=local(2026, 3, 2, 10), source="staff", ignore_notice=True)
    assert appointment.source == "staff"


def test_staff_override_never_allows_a_double_booking(scene):
    service, (therapist,), _ = scene
    book(service, therapist)
    with pytest.raises(SlotTaken):
        book(service, therapist, source="staff", ignore_notice=True)


def test_marking_a_session_completed_needs_it_to_have_started(scene, monday_morning):
    service, (therapist,), _ = scene
    appointment = book(service, therapist)
    with pytest.raises(ChangeRefused):
        appointment_mark(appointment=appointment, status="completed")
    monday_morning.move_to(local(2026, 3, 3, 11))
    assert appointment_mark(appointment=appointment, status="no_show").status == "no_show"


@pytest.mark.postgres
def test_postgresql_refuses_an_overlapping_row_written_around_the_service(scene):
    service, (therapist,), (room,) = scene
    AppointmentFactory(service=service, therapist=therapist, room=room, starts_at=local(2026, 3, 3, 10))
    with pytest.raises(IntegrityError, match="appointment_no_therapist_overlap"), transaction.atomic():
        AppointmentFactory(service=service, therapist=therapist, room=room, starts_at=local(2026, 3, 3, 10, 30))


@pytest.mark.postgres
def test_a_constraint_violation_becomes_the_just_taken_answer(scene):
    """If the re-check ever missed a conflict, the database's constraint still answers "just taken"."""
    service, (therapist,), (room,) = scene
    AppointmentFactory(service=service, therapist=therapist, room=room, starts_at=local(2026, 3, 3, 10))
    with mock.patch("bookings.services.slot_find") as blind_recheck:
        from bookings.availability import Slot

        start = local(2026, 3, 3, 10).astimezone(UTC)
        blind_recheck.return_value = Slot(start, start + timedelta(hours=1), therapist, room.pk)
        with pytest.raises(SlotTaken):
            book(service, therapist)
    assert Appointment.objects.count() == 1


def test_rotating_a_feed_key_retires_every_old_feed_address(scene):
    _, (therapist,), _ = scene
    old_token = feed_token(therapist)
    therapist_feed_key_rotate(therapist=therapist)
    therapist.refresh_from_db()
    assert therapist_from_feed_token(old_token) is None
    assert therapist_from_feed_token(feed_token(therapist)) == therapist


@pytest.mark.parametrize("status", ["cancelled", "completed", "no_show"])
def test_a_cancelled_or_finished_booking_cannot_be_set_back_to_booked(scene, monday_morning, status):
    service, (therapist,), _ = scene
    appointment = book(service, therapist)
    monday_morning.move_to(local(2026, 3, 3, 11))
    appointment_status_set(appointment=appointment, status=status)
    with pytest.raises(ChangeRefused, match="cannot be set back to booked"):
        appointment_status_set(appointment=appointment, status="booked")
    appointment.refresh_from_db()
    assert appointment.status == status


def test_setting_a_status_by_hand_cancels_or_marks_through_the_same_rules(scene, monday_morning):
    service, (therapist,), _ = scene
    appointment = book(service, therapist)
    assert appointment_status_set(appointment=appointment, status="booked").status == "booked"
    with pytest.raises(ChangeRefused, match="once it has started"):
        appointment_status_set(appointment=appointment, status="completed")
    cancelled = appointment_status_set(appointment=appointment, status="cancelled")
    assert (cancelled.status, cancelled.cancelled_at is not None) == ("cancelled", True)


def test_marking_the_same_outcome_twice_records_it_once(scene, monday_morning):
    service, (therapist,), _ = scene
    appointment = book(service, therapist)
    monday_morning.move_to(local(2026, 3, 3, 11))
    appointment_mark(appointment=appointment, status="completed")
    appointment_mark(appointment=appointment, status="completed")
    assert list(appointment.events.values_list("action", flat=True)) == ["booked", "marked"]


def test_a_cancelled_booking_cannot_be_marked(scene, monday_morning):
    service, (therapist,), _ = scene
    appointment = appointment_cancel(appointment=book(service, therapist), by_client=False)
    monday_morning.move_to(local(2026, 3, 3, 11))
    with pytest.raises(ChangeRefused, match="cancelled booking cannot be marked"):
        appointment_mark(appointment=appointment, status="no_show")
