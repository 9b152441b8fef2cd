from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from bookings.maintenance import appointment_intake_erase_expired, appointment_reminders_catch_up
from bookings.models import Appointment
from bookings.services import ClientDetails, appointment_book
from bookings.tasks import intake_erase_expired
from tests.factories import AppointmentFactory, clinic_with_hours
from tests.worker import run_worker

from .conftest import NEW_YORK, local

pytestmark = pytest.mark.django_db
NOW = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def session_ended(days_ago, **intake):
    starts_at = NOW - timedelta(days=days_ago, hours=1)
    return AppointmentFactory(starts_at=starts_at, status="completed", client_name="Ana Silva", **intake)


def test_intake_of_sessions_older_than_the_retention_period_is_erased_and_the_booking_kept(frozen):
    old = session_ended(366, intake_medications="Warfarin", intake_pregnant=True)
    assert appointment_intake_erase_expired() == 1
    old.refresh_from_db()
    assert (old.intake_medications, old.intake_pregnant, old.has_intake) == ("", False, False)
    assert (old.client_name, old.status) == ("Ana Silva", "completed")


def test_notes_are_erased_with_the_intake_since_clients_write_health_details_there_too(frozen):
    old = session_ended(366, notes="Sore left shoulder since my surgery")
    assert appointment_intake_erase_expired() == 1
    old.refresh_from_db()
    assert (old.notes, old.client_name) == ("", "Ana Silva")


def test_intake_inside_the_retention_period_is_kept(frozen):
    recent = session_ended(364, intake_allergies="Almond oil")
    assert appointment_intake_erase_expired() == 0
    recent.refresh_from_db()
    assert recent.intake_allergies == "Almond oil"


def test_the_retention_period_is_a_setting(frozen, settings):
    settings.INTAKE_RETENTION_DAYS = 30
    session_ended(31, intake_injuries="Sprained ankle")
    assert appointment_intake_erase_expired() == 1


def test_erasure_is_recorded_in_the_history_by_the_system_once(frozen):
    old = session_ended(400, intake_medications="Warfarin")
    appointment_intake_erase_expired()
    assert appointment_intake_erase_expired() == 0
    event = old.events.get()
    assert (event.action, event.who, event.changes) == ("intake_erased", "system", {"intake": "erased"})


def test_erasure_works_through_more_than_one_batch(frozen):
    for _ in range(5):
        session_ended(400, intake_injuries="Knee surgery")
    assert appointment_intake_erase_expired(batch_size=2) == 5
    assert not Appointment.objects.filter(intake_injuries="Knee surgery").exists()


def test_the_cron_command_erases_and_says_how_many(frozen, capsys):
    session_ended(400, intake_injuries="Knee surgery")
    call_command("erase_expired_intake")
    assert "Erased the intake of 1 appointment(s) older than 365 days." in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_the_erasure_task_runs_daily_by_queueing_its_next_run(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with time_machine.travel(NOW, tick=False) as traveller:
        session_ended(366, intake_injuries="Knee surgery")
        ages_tomorrow = session_ended(365, intake_injuries="Shoulder")
        intake_erase_expired.enqueue()
        run_worker()
        (waiting,) = DBTaskResult.objects.filter(status="READY")
        assert waiting.run_after == NOW + timedelta(days=1)
        assert Appointment.objects.filter(intake_injuries="Shoulder").exists()
        traveller.shift(timedelta(days=1, minutes=1))
        run_worker()
        ages_tomorrow.refresh_from_db()
        assert ages_tomorrow.intake_injuries == ""
        assert DBTaskResult.objects.filter(status="READY").count() == 1


@pytest.mark.django_db(transaction=True)
def test_schedule_tasks_starts_each_maintenance_chain_once_however_often_it_runs(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    call_command("schedule_tasks")
    call_command("schedule_tasks")
    paths = sorted(DBTaskResult.objects.values_list("task_path", flat=True))
    assert paths == [
        "bookings.tasks.holds_release_expired",
        "bookings.tasks.intake_erase_expired",
        "bookings.tasks.reminders_catch_up",
        "core.tasks.outbox_sweep",
        "payments.tasks.giftcards_catch_up",
        "payments.tasks.payments_reconcile",
        "waitlist.tasks.offers_sweep",
    ]


@pytest.fixture
def booked_on_monday(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # the reminder task is lost
    with time_machine.travel(datetime(2026, 3, 2, 7, 0, tzinfo=NEW_YORK), tick=False):
        service, (therapist,), _ = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60)
        return appointment_book(
            service=service,
            therapist=therapist,
            starts_at=local(2026, 3, 5, 10).astimezone(UTC),
            client=ClientDetails(name="Ana", email="ana@example.com", phone="1", consent=True),
        )


def test_a_reminder_whose_task_was_lost_is_sent_by_the_catch_up_once(
    booked_on_monday, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with time_machine.travel(local(2026, 3, 4, 10, 20), tick=False), django_capture_on_commit_callbacks(execute=True):
        assert appointment_reminders_catch_up() == 1
        assert appointment_reminders_catch_up() == 0
    reminders = [message for message in mail.outbox if message.subject.startswith("Reminder")]
    assert len(reminders) == 1


def test_the_catch_up_waits_until_the_reminder_is_due(booked_on_monday):
    with time_machine.travel(local(2026, 3, 4, 9, 50), tick=False):
        assert appointment_reminders_catch_up() == 0
