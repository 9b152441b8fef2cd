from django.utils import timezone
from django_tasks import task

from core.queue import registered

from .sending import batch_interval, issue_has_pending, issue_send_batch


@registered("newsletter.issue_send_batch")
@task()
def issue_send_batch_task(issue_id: int) -> dict:
    """Send one batch of an issue and keep the chain going until nothing is pending.

    On a backend that can defer (the database worker) the next batch is queued *before* this one
    runs, spaced by the configured rate: if the worker is killed mid-batch the chain survives and
    the next worker carries on where the committed deliveries say. Backends that cannot defer
    (the test suite's immediate backend) queue the next batch after this one, while any is due.
    """
    deferrable = issue_send_batch_task.get_backend().supports_defer
    if deferrable and issue_has_pending(issue_id):
        issue_send_batch_task.using(run_after=timezone.now() + batch_interval()).enqueue(issue_id=issue_id)
    outcome = issue_send_batch(issue_id=issue_id)
    if not deferrable and outcome.due and outcome.processed:
        issue_send_batch_task.enqueue(issue_id=issue_id)
    return outcome.as_dict()
