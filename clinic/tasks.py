"""Site-wide background work: the email outbox and self-repeating maintenance tasks."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus, task

from . import outbox

logger = logging.getLogger(__name__)


@task()
def outgoing_email_send(*, email_id: int) -> str:
    """Send one outbox email; on a mail server error, queue the next attempt with backoff."""
    delivery = outbox.email_deliver(email_id=email_id)
    outbox.email_retry_schedule(email_id=email_id, delivery=delivery)
    return delivery.status


@task()
def outbox_sweep() -> dict[str, int]:
    """Every few minutes: send whatever is due, including emails whose worker died mid-send; drop old sent ones."""
    task_enqueue_once(outbox_sweep, run_after=timezone.now() + timedelta(seconds=settings.OUTBOX_SWEEP_SECONDS))
    return {**outbox.emails_flush(), "pruned": outbox.emails_prune()}


def task_enqueue_once(task_to_run, *, run_after: datetime) -> bool:
    """Queue ``task_to_run`` (no arguments) for ``run_after`` unless a run is already waiting.

    Self-repeating tasks call this first thing, before their work, so a worker killed mid-run still
    leaves the next run queued; the check keeps the chain single when the demo or a deploy starts it again.
    Returns False when the task backend cannot run tasks later (the immediate backend in tests).
    """
    backend = task_to_run.get_backend()
    if not backend.supports_defer:
        return False
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=task_to_run.module_path, status=TaskResultStatus.READY, backend_name=backend.alias
    )
    if waiting.exists():
        return False
    task_to_run.using(run_after=run_after).enqueue()
    return True
