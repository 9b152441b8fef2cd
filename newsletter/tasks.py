from django_tasks import task

from core.queue import registered

from . import services
from .sending import issue_next_batch_at, issue_send_batch


@registered("newsletter.issue_send_batch")
@task()
def issue_send_batch_task(issue_id: int) -> dict:
    """Send one batch of an issue and keep the chain going until nothing is left to send.

    On a backend that can defer (the database worker) the next batch is queued *before* this one
    runs, spaced by the configured rate, or for when the next retry or abandoned claim falls due if
    that is later: if the worker is killed mid-batch the chain survives, and the next worker carries
    on where the outbox's rows say. Backends that cannot defer (the test suite's immediate backend)
    queue the next batch after this one, while any is due.
    """
    deferrable = issue_send_batch_task.get_backend().supports_defer
    if deferrable and (next_batch_at := issue_next_batch_at(issue_id=issue_id)) is not None:
        issue_send_batch_task.using(run_after=next_batch_at).enqueue(issue_id=issue_id)
    outcome = issue_send_batch(issue_id=issue_id)
    if not deferrable and outcome.due and outcome.processed:
        issue_send_batch_task.enqueue(issue_id=issue_id)
    return outcome.as_dict()


@registered("newsletter.subscription_requests_process")
@task()
def subscription_requests_process_task() -> int:
    """Queued by every footer subscribe form: turn waiting requests into subscriptions."""
    return services.subscription_requests_process()
