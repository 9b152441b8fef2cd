"""The site's one email engine: every message is a row here, sent once, retried by one rule.

This module is the queueing side; core.mailsending sends the rows, core.mailrenderers builds bulk mail.

**Queueing.** A message becomes an ``OutgoingEmail`` row inside the caller's transaction, so it
exists if and only if the change it reports commits:

* ``email_queue`` stores a ready message (booking mail and reminders, confirmations, test sends);
  once the transaction commits, the ``core.email_send`` task (core/tasks.py) sends it.
* ``emails_queue_rendered`` is for bulk mail: each row names a *kind* and an ``object_id`` and
  stores no body; the renderer its app registered with ``core.mailrenderers.renderer_register``
  builds the messages when they go. Such rows belong to a *stream* (one newsletter issue), which
  the app's own chain of tasks sends at its own pace with ``core.mailsending.emails_send_batch``;
  the sweeper leaves streams to them.

Staff's "try again now" and the pruning of old rows change the queue too, and live here.
"""

import base64
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import connection as database
from django.db import transaction
from django.db.models import F, Q, QuerySet, Value
from django.utils import timezone

from .models import OutgoingEmail
from .queue import task_enqueue

logger = logging.getLogger(__name__)

Status = OutgoingEmail.Status


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
    transaction.on_commit(lambda: enqueue_send(email.pk))
    return email


def emails_queue_rendered(
    *, kind: str, objects: QuerySet, stream: str, subject: str, reference: str, due_at: datetime | None = None
) -> int:
    """Queue one email of ``kind`` per row of ``objects`` (its primary key is the object id) for ``stream``.

    One ``INSERT … SELECT`` in the caller's transaction: the database copies the ids itself, so
    queueing 100,000 emails costs one statement and no Python objects. Nothing is enqueued here:
    the stream's own task sends its rows (see ``core.mailsending.emails_send_batch``). Returns how many were queued.
    """
    now = timezone.now()
    constants = {
        "reference": reference[:120],
        "kind": kind,
        "stream": stream,
        "subject": subject[:998],
        "recipients": [],
        "payload": {},
        "status": Status.PENDING,
        "attempts": 0,
        "next_attempt_at": due_at or now,
        "last_error": "",
        "created_at": now,
    }
    fields = {name: OutgoingEmail._meta.get_field(name) for name in [*constants, "object_id"]}
    rows = (
        objects.order_by()
        .annotate(
            **{f"outbox_{name}": Value(value, output_field=fields[name]) for name, value in constants.items()},
            outbox_object_id=F("pk"),
        )
        .values_list(*(f"outbox_{name}" for name in fields))
    )
    select_sql, params = rows.query.sql_with_params()
    quote = database.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields.values())
    with database.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(OutgoingEmail._meta.db_table)} ({columns}) {select_sql}", params)
        return cursor.rowcount


def enqueue_send(email_id: int, run_after: datetime | None = None) -> None:
    # Without a deferring backend the sweeper sends a retry when it is due.
    try:
        task_enqueue("core.email_send", run_after=run_after, email_id=email_id)
    except Exception:
        # The row is committed: the sweeper sends it even if the queue refused the task.
        logger.exception("Could not enqueue outgoing email %s; the outbox sweeper will send it", email_id)


def as_message(email: OutgoingEmail) -> EmailMultiAlternatives:
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


def emails_prune(*, now: datetime | None = None) -> int:
    """Delete sent and cancelled emails older than ``OUTBOX_KEEP_DAYS``: bodies hold personal data and manage links.

    Failed ones stay until staff have looked at them (the admin lists them).
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.OUTBOX_KEEP_DAYS)
    deleted, _ = OutgoingEmail.objects.filter(
        Q(status=Status.SENT, sent_at__lt=cutoff) | Q(status=Status.CANCELLED, created_at__lt=cutoff)
    ).delete()
    return deleted


def emails_retry_now(*, email_ids: Iterable[int], now: datetime | None = None) -> int:
    """Staff's "try again now": failed or waiting emails outside a bulk stream become due at once with a
    fresh set of attempts. Returns how many; emails already sent, being sent, or in a newsletter
    issue's stream (which its issue's resume restarts) are left as they are."""
    now = now or timezone.now()
    with transaction.atomic():
        retried = list(
            OutgoingEmail.objects.select_for_update()
            .filter(pk__in=list(email_ids), stream="", status__in=[Status.FAILED, Status.PENDING])
            .values_list("pk", flat=True)
        )
        OutgoingEmail.objects.filter(pk__in=retried).update(status=Status.PENDING, attempts=0, next_attempt_at=now)
        for email_id in retried:
            transaction.on_commit(lambda email_id=email_id: enqueue_send(email_id))
    return len(retried)
