"""Background work of the ground floor: delivering the email outbox."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from . import mailsending, outbox
from .queue import registered, repeating, task_enqueue_once


@registered("core.email_send")
@task()
def outgoing_email_send(*, email_id: int) -> str:
    """Send one outbox email; on a mail server error, queue the next attempt with backoff."""
    delivery = mailsending.email_deliver(email_id=email_id)
    mailsending.email_retry_schedule(email_id=email_id, delivery=delivery)
    return delivery.status


@repeating("core.outbox_sweep")
@task()
def outbox_sweep() -> dict[str, int]:
    """Every few minutes: send whatever is due, including emails whose worker died mid-send; drop old sent ones.

    Bulk mail is left to its stream's own task (a newsletter issue's batches), which keeps the list's pace.
    """
    task_enqueue_once("core.outbox_sweep", run_after=timezone.now() + timedelta(seconds=settings.OUTBOX_SWEEP_SECONDS))
    return {**mailsending.emails_flush(), "pruned": outbox.emails_prune()}
