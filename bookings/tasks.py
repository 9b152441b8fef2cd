"""Background work for bookings, run by django-tasks (``manage.py db_worker`` in production)."""

from datetime import datetime, timedelta

from django.utils import timezone
from django_tasks import task

from core.queue import registered, repeating, task_enqueue_once

from . import holds, maintenance, reminders

REMINDER_CATCH_UP_EVERY = timedelta(minutes=15)
HOLDS_RELEASE_EVERY = timedelta(minutes=2)


@registered("bookings.reminder_send")
@task()
def appointment_reminder_send(*, appointment_id: int, starts_at: str) -> bool:
    """Queued at booking time to run at start minus the lead time; the service decides if it still applies."""
    return reminders.appointment_remind(appointment_id=appointment_id, starts_at=datetime.fromisoformat(starts_at))


@repeating("bookings.intake_erase_expired")
@task()
def intake_erase_expired() -> int:
    """Daily: erase intake answers past the retention period. Queues tomorrow's run first."""
    task_enqueue_once("bookings.intake_erase_expired", run_after=timezone.now() + timedelta(days=1))
    return maintenance.appointment_intake_erase_expired()


@repeating("bookings.reminders_catch_up")
@task()
def reminders_catch_up() -> int:
    """Every quarter hour: send reminders a dead worker left unsent. Queues the next run first."""
    task_enqueue_once("bookings.reminders_catch_up", run_after=timezone.now() + REMINDER_CATCH_UP_EVERY)
    return maintenance.appointment_reminders_catch_up()


@repeating("bookings.holds_release_expired")
@task()
def holds_release_expired() -> int:
    """Every two minutes: release payment holds that ran out, so their time is announced as free. Queues the next run first."""
    task_enqueue_once("bookings.holds_release_expired", run_after=timezone.now() + HOLDS_RELEASE_EVERY)
    return holds.holds_release_expired()
