"""Sending an issue: fix the audience, then deliver in batches, each subscriber exactly once.

The pattern, for every message: open a transaction, claim the next due pending Delivery with
``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL; on SQLite the IMMEDIATE transaction serialises
writers instead), re-check the subscriber is still confirmed, send, mark the row sent, commit.
A second worker never claims a row another holds, and a row is marked sent in the same
transaction as, and immediately after, its send. On SQLite that transaction holds the database's
write lock for the length of one send, so other writers wait that long at most.

Residual risk, stated honestly: if the process dies after the mail server accepted a message but
before that one transaction commits (a window of one UPDATE and one COMMIT), the row is still
pending and that single subscriber receives the issue twice on resume. Nothing can close that
window without the mail server taking part in our transaction; we keep it to one message. On
PostgreSQL the per-message commits do not wait for the disk (see _commit_without_waiting_for_disk),
so a crash of the database server itself, not of the worker, may also repeat the messages marked
in its last fraction of a second.
"""

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from core.queue import task_enqueue

from .emails import issue_content_render, issue_email_build
from .models import Delivery, Issue, Subscriber
from .tokens import new_preview_token

logger = logging.getLogger(__name__)

AUDIENCE_PAGE_SIZE = 2000


@dataclass(frozen=True)
class BatchOutcome:
    sent: int
    failed: int
    skipped: int
    retried: int
    pending: int
    due: int
    next_due_at: datetime | None

    def as_dict(self) -> dict:
        data = asdict(self)
        data["next_due_at"] = self.next_due_at.isoformat() if self.next_due_at else None
        return data

    @property
    def processed(self) -> int:
        return self.sent + self.failed + self.skipped + self.retried


def batch_interval() -> timedelta:
    """Time between batch starts that keeps the send under NEWSLETTER_RATE_PER_MINUTE."""
    return timedelta(minutes=settings.NEWSLETTER_BATCH_SIZE / settings.NEWSLETTER_RATE_PER_MINUTE)


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=settings.NEWSLETTER_RETRY_BASE_SECONDS * 2 ** (attempts - 1))


def issue_send_start(*, issue: Issue) -> int:
    """Fix the audience (every confirmed subscriber, now) and start the background send.

    Returns the number of deliveries created. Refuses an issue that is not a draft.
    """
    with transaction.atomic():
        issue = Issue.objects.select_for_update().get(pk=issue.pk)
        if issue.status != Issue.Status.DRAFT:
            raise ValidationError("This issue has already been sent or is being sent.")
        issue.body_html, issue.body_text = issue_content_render(issue)
        issue.status = Issue.Status.SENDING
        issue.started_at = timezone.now()
        issue.save(update_fields=["body_html", "body_text", "status", "started_at"])
        audience = _deliveries_create(issue)
        if audience == 0:
            issue.status = Issue.Status.SENT
            issue.finished_at = issue.started_at
            issue.save(update_fields=["status", "finished_at"])
        else:
            transaction.on_commit(lambda: task_enqueue("newsletter.issue_send_batch", issue_id=issue.pk))
    return audience


def _deliveries_create(issue: Issue) -> int:
    """One pending Delivery per confirmed subscriber, read in keyset pages so memory stays flat."""
    last_pk = 0
    created = 0
    confirmed = Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED).order_by("pk")
    while True:
        page = list(confirmed.filter(pk__gt=last_pk).values_list("pk", flat=True)[:AUDIENCE_PAGE_SIZE])
        if not page:
            return created
        Delivery.objects.bulk_create([Delivery(issue=issue, subscriber_id=pk) for pk in page])
        created += len(page)
        last_pk = page[-1]


def issue_send_resume(*, issue: Issue) -> bool:
    """Start the batch task again for an issue still sending (after a worker was killed). Safe to repeat."""
    if issue.status != Issue.Status.SENDING:
        return False
    task_enqueue("newsletter.issue_send_batch", issue_id=issue.pk)
    return True


def _due(now: datetime) -> Q:
    return Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)


def _claim_next(issue_id: int, now: datetime, after_pk: int = 0) -> Delivery | None:
    """Lock the next due pending delivery after ``after_pk``, skipping rows another worker holds.

    Starting after the last row this batch handled keeps each claim from walking past the index
    entries of everything already sent (on PostgreSQL they linger until VACUUM).
    """
    return (
        Delivery.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("subscriber")
        .filter(_due(now), issue_id=issue_id, status=Delivery.Status.PENDING, pk__gt=after_pk)
        .order_by("pk")
        .first()
    )


def _commit_without_waiting_for_disk() -> None:
    """On PostgreSQL, let this message's COMMIT return before its WAL reaches the disk.

    A commit per message otherwise waits for an fsync each time, which caps sending at the disk's
    flush rate. A killed worker loses nothing by this (PostgreSQL still writes the commit); only a
    crash of the database server itself may forget the last fraction of a second of "sent" marks,
    and those few subscribers would get the issue twice on resume.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def issue_send_batch(*, issue_id: int, batch_size: int | None = None) -> BatchOutcome:
    """Send up to ``batch_size`` due deliveries of an issue, one transaction per message.

    Failures are retried with exponential backoff, then marked failed after
    NEWSLETTER_MAX_ATTEMPTS. The issue becomes "sent" only when no pending delivery remains.
    """
    batch_size = batch_size or settings.NEWSLETTER_BATCH_SIZE
    issue = Issue.objects.get(pk=issue_id)
    sent = failed = skipped = retried = 0
    after_pk = 0
    with get_connection() as connection:
        for _ in range(batch_size):
            with transaction.atomic():
                _commit_without_waiting_for_disk()
                now = timezone.now()
                delivery = _claim_next(issue_id, now, after_pk)
                if delivery is None:
                    break
                after_pk = delivery.pk
                subscriber = delivery.subscriber
                if subscriber is None or subscriber.status != Subscriber.Status.CONFIRMED:
                    delivery.status = Delivery.Status.SKIPPED
                    delivery.save(update_fields=["status"])
                    skipped += 1
                    continue
                message = issue_email_build(
                    subject=issue.subject,
                    body_html=issue.body_html,
                    body_text=issue.body_text,
                    to=subscriber.email,
                    subscriber_token=subscriber.token,
                )
                delivery.attempts += 1
                try:
                    if connection.send_messages([message]) != 1:
                        raise RuntimeError("The mail backend did not accept the message.")
                except Exception as exc:
                    logger.warning(
                        "Newsletter delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, exc
                    )
                    delivery.last_error = f"{type(exc).__name__}: {exc}"[:1000]
                    if delivery.attempts >= settings.NEWSLETTER_MAX_ATTEMPTS:
                        delivery.status = Delivery.Status.FAILED
                        failed += 1
                    else:
                        delivery.next_attempt_at = now + retry_delay(delivery.attempts)
                        retried += 1
                    delivery.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
                    continue
                delivery.status = Delivery.Status.SENT
                delivery.sent_at = timezone.now()
                delivery.save(update_fields=["attempts", "status", "sent_at"])
                sent += 1
    return BatchOutcome(sent=sent, failed=failed, skipped=skipped, retried=retried, **_pending_summary(issue_id))


def _pending_summary(issue_id: int) -> dict:
    summary = Delivery.objects.filter(issue_id=issue_id, status=Delivery.Status.PENDING).aggregate(
        pending=Count("pk"), due=Count("pk", filter=_due(timezone.now())), next_due_at=Min("next_attempt_at")
    )
    if summary["pending"] == 0:
        Issue.objects.filter(pk=issue_id, status=Issue.Status.SENDING).update(
            status=Issue.Status.SENT, finished_at=timezone.now()
        )
    return summary


def issue_has_pending(issue_id: int) -> bool:
    return Delivery.objects.filter(issue_id=issue_id, status=Delivery.Status.PENDING).exists()


def issue_send_test(*, issue: Issue, to: str) -> None:
    """Send the issue as it stands now to one staff address; the unsubscribe link in it leads nowhere."""
    body_html, body_text = issue_content_render(issue)
    issue_email_build(
        subject=f"[Test] {issue.subject}",
        body_html=body_html,
        body_text=body_text,
        to=to,
        subscriber_token=new_preview_token(),
    ).send()
