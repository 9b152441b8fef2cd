"""Transactional outbox for email: nothing a committed change promised to send is lost, nothing is sent twice.

``email_queue`` stores the message as a row inside the caller's transaction and, once that commits,
enqueues the ``core.email_send`` task (core/tasks.py). Delivery claims the row, talks to the mail server
outside any transaction, then marks it:

* pending → sending (attempts + 1, a lease of ``OUTBOX_LEASE_SECONDS``) → sent;
* on a temporary failure (no connection, a timeout, a 4xx reply) → pending again, due after
  ``OUTBOX_RETRY_BASE_SECONDS × 2^(attempts-1)``, or failed (and logged) after ``OUTBOX_MAX_ATTEMPTS``
  attempts; on a 5xx refusal of the recipients or the message → failed at once (core/mailfailures.py).

A second delivery of the same row (a duplicated task, the sweeper) finds it sending or sent and does
nothing. If the worker dies while sending, the row stays "sending" until its lease ends; the sweeper
(``outbox_sweep`` task or ``manage.py send_outbox``) then sends it again. The one window where a
message can go out twice is between the mail server accepting it and the "sent" mark committing: a
crash there (a fraction of a second, per message) means one duplicate, never a loss. No mail server
protocol lets a client close that window; we keep it as small as one UPDATE.
"""

import base64
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .mailfailures import failure_is_permanent, retry_delay
from .models import OutgoingEmail
from .queue import task_enqueue

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    status: str  # "sent", "retry", "failed" or "skipped"
    retry_at: datetime | None = None


def _encode(content) -> dict:
    if isinstance(content, bytes):
        return {"base64": base64.b64encode(content).decode("ascii")}
    return {"text": content}


def _decode(content: dict):
    return base64.b64decode(content["base64"]) if "base64" in content else content["text"]


def email_queue(*, message: EmailMessage, reference: str) -> OutgoingEmail:
    """Store ``message`` for delivery after the surrounding transaction commits (and not at all if it rolls back)."""
    payload = {
        "from_email": message.from_email,
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "body": message.body,
        "alternatives": [
            {"content": _encode(content), "mimetype": mimetype}
            for content, mimetype in getattr(message, "alternatives", [])
        ],
        "attachments": [
            {"filename": filename, "content": _encode(content), "mimetype": mimetype}
            for filename, content, mimetype in message.attachments
        ],
    }
    email = OutgoingEmail.objects.create(
        reference=reference[:120],
        subject=message.subject,
        recipients=list(message.to),
        payload=payload,
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(lambda: _enqueue_send(email.pk))
    return email


def _enqueue_send(email_id: int, run_after: datetime | None = None) -> None:
    # Without a deferring backend the sweeper sends a retry when it is due.
    try:
        task_enqueue("core.email_send", run_after=run_after, email_id=email_id)
    except Exception:
        # The row is committed: the sweeper sends it even if the queue refused the task.
        logger.exception("Could not enqueue outgoing email %s; the outbox sweeper will send it", email_id)


def _as_message(email: OutgoingEmail) -> EmailMultiAlternatives:
    payload = email.payload
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=payload["body"],
        from_email=payload["from_email"],
        to=email.recipients,
        cc=payload["cc"],
        bcc=payload["bcc"],
        reply_to=payload["reply_to"],
        headers=payload["headers"],
    )
    for alternative in payload["alternatives"]:
        message.attach_alternative(_decode(alternative["content"]), alternative["mimetype"])
    for attachment in payload["attachments"]:
        message.attach(attachment["filename"], _decode(attachment["content"]), attachment["mimetype"])
    return message


def _is_due(email: OutgoingEmail, now: datetime) -> bool:
    if email.status == OutgoingEmail.Status.PENDING:
        return email.next_attempt_at <= now
    return email.status == OutgoingEmail.Status.SENDING and email.lease_until <= now


def _due(now: datetime):
    return OutgoingEmail.objects.filter(
        Q(status=OutgoingEmail.Status.PENDING, next_attempt_at__lte=now)
        | Q(status=OutgoingEmail.Status.SENDING, lease_until__lte=now)
    )


def email_deliver(*, email_id: int, now: datetime | None = None) -> Delivery:
    """Send one outbox row if it is due; see the module docstring for the states and the guarantee."""
    now = now or timezone.now()
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or not _is_due(email, now):
            return Delivery("skipped")
        email.status = OutgoingEmail.Status.SENDING
        email.attempts += 1
        email.lease_until = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
        email.save(update_fields=["status", "attempts", "lease_until"])
    claimed = OutgoingEmail.objects.filter(pk=email.pk, status=OutgoingEmail.Status.SENDING, attempts=email.attempts)
    try:
        _as_message(email).send()
    except Exception as error:
        return _record_failure(email, claimed, error, now)
    claimed.update(status=OutgoingEmail.Status.SENT, sent_at=timezone.now(), lease_until=None, last_error="")
    return Delivery("sent")


def _record_failure(email: OutgoingEmail, claimed, error: Exception, now: datetime) -> Delivery:
    # The class name only: mail server messages can quote addresses, which do not belong in logs.
    reason = type(error).__name__
    last_error = f"{reason}: {error}"[:500]
    permanent = failure_is_permanent(error)
    if permanent or email.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        claimed.update(status=OutgoingEmail.Status.FAILED, lease_until=None, last_error=last_error)
        logger.error(
            "Outgoing email %s (%s) %s after %s attempt(s) (%s); gave up",
            email.pk,
            email.reference,
            "was refused for good" if permanent else "failed",
            email.attempts,
            reason,
        )
        return Delivery("failed")
    retry_at = now + retry_delay(email.attempts)
    claimed.update(
        status=OutgoingEmail.Status.PENDING, next_attempt_at=retry_at, lease_until=None, last_error=last_error
    )
    logger.warning(
        "Outgoing email %s (%s): attempt %s failed (%s); retrying at %s",
        email.pk,
        email.reference,
        email.attempts,
        reason,
        retry_at.isoformat(),
    )
    return Delivery("retry", retry_at)


def email_retry_schedule(*, email_id: int, delivery: Delivery) -> None:
    """After a failed attempt, queue the next one for when it is due (the worker's backoff)."""
    if delivery.status == "retry":
        _enqueue_send(email_id, run_after=delivery.retry_at)


def emails_flush(*, now: datetime | None = None) -> dict[str, int]:
    """Send every due email: pending ones whose time has come and ones whose sender died mid-send."""
    now = now or timezone.now()
    counts = {"sent": 0, "retry": 0, "failed": 0, "skipped": 0}
    for email_id in _due(now).order_by("next_attempt_at").values_list("pk", flat=True)[:500]:
        delivery = email_deliver(email_id=email_id, now=now)
        email_retry_schedule(email_id=email_id, delivery=delivery)
        counts[delivery.status] += 1
    return counts


def emails_prune(*, now: datetime | None = None) -> int:
    """Delete sent emails older than ``OUTBOX_KEEP_DAYS``: their bodies hold personal data and manage links.

    Failed ones stay until staff have looked at them (the admin lists them).
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.OUTBOX_KEEP_DAYS)
    deleted, _ = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENT, sent_at__lt=cutoff).delete()
    return deleted
