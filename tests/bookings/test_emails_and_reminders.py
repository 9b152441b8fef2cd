from datetime import UTC, time, timedelta

import pytest
from django.core import mail

from bookings.models import Appointment
from bookings.moves import appointment_reschedule
from bookings.services import ClientDetails, appointment_book
from bookings.status_changes import appointment_cancel
from bookings.tasks import appointment_reminder_send
from tests.factories import UserFactory, clinic_with_hours

from .conftest import local

pytestmark = pytest.mark.django_db
CLIENT = ClientDetails(
    name="Ana Silva", email="ana@example.com", phone="1", consent=True, medications="Warfarin", pregnant=True
)


@pytest.fixture
def scene(monday_morning):
    service, (therapist,), _ = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60)
    therapist.user = UserFactory(email="maya@clinic.test")
    therapist.save()
    return service, therapist


def book(scene, at=None):
    service, therapist = scene
    return appointment_book(
        service=service, therapist=therapist, starts_at=(at or local(2026, 3, 5, 10)).astimezone(UTC), client=CLIENT
    )


def test_the_client_email_has_html_text_policy_manage_link_and_an_ics(scene, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(scene)
    message = mail.outbox[0]
    assert "Thursday 5 March 2026, 10:00 AM" in message.body
    assert "Cancellation policy" in message.body and "/book/manage/" in message.body
    assert message.alternatives[0].mimetype == "text/html"
    name, ics, mimetype = message.attachments[0]
    ics = ics.decode() if isinstance(ics, bytes) else ics
    assert name == "session.ics" and mimetype.startswith("text/calendar")
    assert f"UID:{appointment.uid}@clinic.test" in ics and "METHOD:REQUEST" in ics


def test_intake_answers_never_go_into_any_email(scene, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        book(scene)
    staff_mail = mail.outbox[1]
    assert "Intake provided: yes" in staff_mail.body
    for message in mail.outbox:
        assert "Warfarin" not in message.body and "Warfarin" not in message.alternatives[0].content


def test_clinic_and_therapist_hear_about_moves_and_cancellations(scene, django_capture_on_commit_callbacks):
    appointment = book(scene)
    with django_capture_on_commit_callbacks(execute=True):
        appointment = appointment_reschedule(
            appointment=appointment, starts_at=local(2026, 3, 6, 10).astimezone(UTC), by_client=True
        )
        appointment_cancel(appointment=appointment, by_client=True)
    staff_subjects = [m.subject for m in mail.outbox if "maya@clinic.test" in m.to]
    assert staff_subjects[0].startswith("Booking moved") and staff_subjects[1].startswith("Booking cancelled")


def test_moving_to_another_therapist_tells_both_therapists_the_old_and_new_time(
    scene, django_capture_on_commit_callbacks
):
    service, maya = scene
    tom = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60)[1][0]
    tom.services.add(service)
    tom.user = UserFactory(email="tom@clinic.test")
    tom.save()
    appointment = book(scene)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        appointment_reschedule(
            appointment=appointment, therapist=tom, starts_at=local(2026, 3, 6, 11).astimezone(UTC), by_client=False
        )
    (staff_mail,) = [message for message in mail.outbox if message.subject.startswith("Booking moved")]
    assert "maya@clinic.test" in staff_mail.to and "tom@clinic.test" in staff_mail.to
    assert f"with {tom.name}" in staff_mail.subject
    assert f"Was: Thursday 5 March 2026, 10:00 AM with {maya.name}" in staff_mail.body
    assert f"with {maya.name}</p>" in staff_mail.alternatives[0].content


def test_booking_queues_a_reminder_for_the_lead_time_before_the_start(
    scene, settings, django_capture_on_commit_callbacks
):
    """The test settings' ImmediateBackend cannot defer tasks, so this test swaps in the DummyBackend, which can."""
    from django_tasks import default_task_backend

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(scene)
    reminders = [r for r in default_task_backend.results if r.task.func.__name__ == "appointment_reminder_send"]
    assert len(reminders) == 1
    assert reminders[0].task.run_after == appointment.starts_at - timedelta(hours=24)
    assert reminders[0].kwargs == {"appointment_id": appointment.pk, "starts_at": appointment.starts_at.isoformat()}


def remind(appointment, starts_at=None):
    return appointment_reminder_send.call(
        appointment_id=appointment.pk, starts_at=(starts_at or appointment.starts_at).isoformat()
    )


def test_the_reminder_is_sent_once_only(scene, django_capture_on_commit_callbacks):
    appointment = book(scene)
    with django_capture_on_commit_callbacks(execute=True):
        assert remind(appointment) is True
        assert remind(appointment) is False
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Reminder"]
    assert Appointment.objects.get().reminded_at is not None


def test_no_reminder_for_a_cancelled_booking(scene, django_capture_on_commit_callbacks):
    appointment = book(scene)
    appointment_cancel(appointment=appointment, by_client=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert remind(appointment) is False
    assert mail.outbox == []


def test_a_moved_booking_ignores_its_old_reminder_and_gets_one_for_the_new_time(
    scene, django_capture_on_commit_callbacks
):
    appointment = book(scene)
    old_start = appointment.starts_at
    moved = appointment_reschedule(
        appointment=appointment, starts_at=local(2026, 3, 6, 10).astimezone(UTC), by_client=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert remind(appointment, starts_at=old_start) is False
        assert remind(moved) is True
    assert len(mail.outbox) == 1
