"""Sending an issue: fix the audience, then let the site's email engine send it at the list's pace.

``Delivery`` is the audience record: one per subscriber per issue (a unique constraint), created
when sending starts, and its status — pending, then sent, failed or skipped — is what the admin
counts. The sending is core/outbox.py's, the same engine as every other email: each delivery has
one ``OutgoingEmail`` of kind ``newsletter.issue`` in the issue's stream, storing no body.
``_issue_emails_build`` renders a batch of them when they go, re-checking that each reader is
still confirmed, and ``_issue_emails_record`` writes the outcome on the deliveries in the same
transaction as the outbox's mark. Claiming with a lease, the retry rule (a 5xx refusal fails the
delivery at once; temporary failures are retried with the outbox's backoff) and the exactly-once
guarantee with its one-message residual are the outbox's, and documented there.

What stays here is the pace: the ``newsletter.issue_send_batch`` task sends up to
NEWSLETTER_BATCH_SIZE due emails over one connection, once per ``batch_interval()``, until the
issue's stream has nothing left; then ``issue_send_finish`` marks the issue sent.
"""

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from core.mailrenderers import renderer_register
from core.mailsending import email_deliver, email_retry_schedule, emails_send_batch, stream_progress
from core.outbox import email_queue, emails_queue_rendered
from core.queue import task_enqueue

from .emails import issue_content_render, issue_email_build
from .models import Delivery, Issue, Subscriber
from .tokens import new_preview_token

AUDIENCE_PAGE_SIZE = 2000
ISSUE_EMAIL = "newsletter.issue"


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


def issue_stream(issue_id: int) -> str:
    """The outbox stream holding one issue's emails."""
    return f"{ISSUE_EMAIL}:{issue_id}"


def batch_interval() -> timedelta:
    """Time between batch starts that keeps the send under NEWSLETTER_RATE_PER_MINUTE."""
    return timedelta(minutes=settings.NEWSLETTER_BATCH_SIZE / settings.NEWSLETTER_RATE_PER_MINUTE)


def issue_send_start(*, issue: Issue) -> int:
    """Fix the audience (every confirmed subscriber, now), queue their emails and start the background send.

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
    """One pending Delivery per confirmed subscriber, read in keyset pages so memory stays flat, then their emails."""
    last_pk = 0
    created = 0
    confirmed = Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED).order_by("pk")
    while True:
        page = list(confirmed.filter(pk__gt=last_pk).values_list("pk", flat=True)[:AUDIENCE_PAGE_SIZE])
        if not page:
            break
        Delivery.objects.bulk_create([Delivery(issue=issue, subscriber_id=pk) for pk in page])
        created += len(page)
        last_pk = page[-1]
    emails_queue_rendered(
        kind=ISSUE_EMAIL,
        objects=Delivery.objects.filter(issue=issue),
        stream=issue_stream(issue.pk),
        subject=issue.subject,
        reference=f"newsletter issue {issue.pk}",
        due_at=issue.started_at,
    )
    return created


def _issue_emails_build(delivery_ids: list[int]) -> dict[int, EmailMessage]:
    """The outbox's renderer for ``newsletter.issue``: each still-pending delivery's email, by delivery id.

    A delivery left out (its reader unsubscribed, was erased or is no longer confirmed) is
    cancelled by the outbox and recorded as skipped.
    """
    # The subscriber's status is checked here, not in the query: filtering on it in SQL lets SQLite
    # walk every confirmed subscriber instead of looking up these deliveries by key.
    deliveries = [
        delivery
        for delivery in Delivery.objects.filter(pk__in=delivery_ids, status=Delivery.Status.PENDING).select_related(
            "subscriber"
        )
        if delivery.subscriber is not None and delivery.subscriber.status == Subscriber.Status.CONFIRMED
    ]
    issues = Issue.objects.in_bulk({delivery.issue_id for delivery in deliveries})
    return {
        delivery.pk: issue_email_build(
            subject=issues[delivery.issue_id].subject,
            body_html=issues[delivery.issue_id].body_html,
            body_text=issues[delivery.issue_id].body_text,
            to=delivery.subscriber.email,
            subscriber_token=delivery.subscriber.token,
        )
        for delivery in deliveries
    }


def _issue_emails_record(delivery_ids: list[int], outcome: str) -> None:
    """Write the outbox's final word on the deliveries; it runs in the transaction that marks the emails."""
    deliveries = Delivery.objects.filter(pk__in=delivery_ids)
    if outcome == "sent":
        deliveries.update(status=Delivery.Status.SENT, sent_at=timezone.now())
    elif outcome == "failed":
        deliveries.filter(status=Delivery.Status.PENDING).update(status=Delivery.Status.FAILED)
    else:
        deliveries.filter(status=Delivery.Status.PENDING).update(status=Delivery.Status.SKIPPED)


renderer_register(ISSUE_EMAIL, build=_issue_emails_build, record=_issue_emails_record)


def issue_send_resume(*, issue: Issue) -> bool:
    """Start the batch task again for an issue still sending (after its queue was lost). Safe to repeat."""
    if issue.status != Issue.Status.SENDING:
        return False
    task_enqueue("newsletter.issue_send_batch", issue_id=issue.pk)
    return True


def issue_send_batch(*, issue_id: int, batch_size: int | None = None) -> BatchOutcome:
    """Send up to ``batch_size`` of the issue's due emails over one connection, then finish the issue if it is done."""
    counts = emails_send_batch(stream=issue_stream(issue_id), limit=batch_size or settings.NEWSLETTER_BATCH_SIZE)
    issue_send_finish(issue_id=issue_id)
    return BatchOutcome(
        sent=counts["sent"],
        failed=counts["failed"],
        skipped=counts["cancelled"],
        retried=counts["retry"],
        **issue_send_progress(issue_id=issue_id),
    )


def issue_send_progress(*, issue_id: int, now: datetime | None = None) -> dict:
    """What is left to send of an issue: ``pending``, ``due`` now, and ``next_due_at``. Reads only."""
    return stream_progress(stream=issue_stream(issue_id), now=now)


def issue_send_finish(*, issue_id: int) -> bool:
    """Mark a sending issue sent once none of its emails is left to send. Safe to repeat; True if it changed."""
    if issue_send_progress(issue_id=issue_id)["pending"]:
        return False
    return bool(
        Issue.objects.filter(pk=issue_id, status=Issue.Status.SENDING).update(
            status=Issue.Status.SENT, finished_at=timezone.now()
        )
    )


def issue_next_batch_at(*, issue_id: int, now: datetime | None = None) -> datetime | None:
    """When the next batch should start: one interval from now, or when the next email falls due if that is later.

    None when nothing is left to send, which ends the chain.
    """
    now = now or timezone.now()
    progress = issue_send_progress(issue_id=issue_id, now=now)
    if not progress["pending"]:
        return None
    return max(now + batch_interval(), progress["next_due_at"])


def issue_send_test(*, issue: Issue, to: str) -> None:
    """Send the issue as it stands now to one staff address; the unsubscribe link in it leads nowhere.

    It goes through the outbox like every email (listed there, retried if the server refuses it for
    now) and is attempted at once, because the person who asked for it is waiting.
    """
    body_html, body_text = issue_content_render(issue)
    message = issue_email_build(
        subject=f"[Test] {issue.subject}",
        body_html=body_html,
        body_text=body_text,
        to=to,
        subscriber_token=new_preview_token(),
    )
    with transaction.atomic():
        email = email_queue(message=message, reference=f"newsletter issue {issue.pk}: test send")
    email_retry_schedule(email_id=email.pk, delivery=email_deliver(email_id=email.pk))
