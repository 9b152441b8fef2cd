"""Sending the outbox's rows (core.outbox): the same for every row, one message or a batch over one connection.

1. *Claim*, in one short transaction: due rows (pending and due, or sending with an expired lease)
   become "sending", attempts + 1, leased for ``OUTBOX_LEASE_SECONDS``. On PostgreSQL they are
   read ``FOR UPDATE SKIP LOCKED`` (``_due_rows_lock``), so two workers never claim the same row;
   on SQLite the IMMEDIATE transaction serialises claims.
2. *Send* outside any transaction.
3. *Mark* each row as soon as the server has answered, in its own transaction together with the
   kind's record of the outcome (the newsletter's ``Delivery``), so the two never disagree.

**The retry rule** (core/mailfailures.py). A 5xx reply about this recipient or this message
is permanent: the row fails at once. Anything else — no connection, a timeout, a disconnect, a
4xx reply, a misconfigured server — is temporary: pending again after
``OUTBOX_RETRY_BASE_SECONDS × 2^(attempts-1)``, failed (and logged) after ``OUTBOX_MAX_ATTEMPTS``
attempts. A failure that is not about one message (the server is unreachable) ends the batch: the
rest of it is recorded as failing the same way, rather than waiting out one timeout each.

**Exactly once.** A second claim of a row (a duplicated task, the sweeper, a second worker) finds
it sending or sent and leaves it alone. A worker that dies mid-send leaves its rows "sending" until
the lease ends; they are then due again. A batch stops sending once half its lease has gone and
gives back the rows it has not tried, so a slow server never lets a second worker take over a row
this one still holds. The one window where a message can go out twice is between the mail server
accepting it and its "sent" mark committing: a crash there (one UPDATE, per message) means one
duplicate, never a loss. No mail server protocol lets a client close that window. On PostgreSQL
the marks commit without waiting for the disk (``_commit_without_waiting_for_disk``): a crash of
the database server itself, not of a worker, may also forget the last fraction of a second of
marks, and those messages go out again.
"""

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection as database
from django.db import transaction
from django.db.models import Count, F, Min, Q, QuerySet
from django.utils import timezone

from .mailfailures import MessageNotAccepted, failure_is_about_one_message, failure_is_permanent, retry_delay
from .mailrenderers import renderer_named
from .models import OutgoingEmail
from .outbox import as_message, enqueue_send

logger = logging.getLogger(__name__)

Status = OutgoingEmail.Status


@dataclass(frozen=True)
class Delivery:
    status: str  # "sent", "retry", "failed", "cancelled", or "skipped" (not due, or claimed by another worker)
    retry_at: datetime | None = None


# --- Claiming --------------------------------------------------------------------------------


def _due(now: datetime) -> Q:
    return Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(status=Status.SENDING, lease_until__lte=now)


def _due_in_stream(stream: str, now: datetime) -> list[QuerySet]:
    """A stream's due rows, as two queries each served by its partial index: abandoned claims first."""
    rows = OutgoingEmail.objects.filter(stream=stream)
    return [
        rows.filter(status=Status.SENDING, lease_until__lte=now).order_by("lease_until", "pk"),
        rows.filter(status=Status.PENDING, next_attempt_at__lte=now).order_by("next_attempt_at", "pk"),
    ]


def _due_rows_lock(querysets: list[QuerySet], limit: int) -> list[OutgoingEmail]:
    """Read up to ``limit`` rows from ``querysets`` in order and lock them until the claim commits.

    Rows another worker is claiming right now are skipped, not waited for.
    """
    rows: list[OutgoingEmail] = []
    for queryset in querysets:
        if len(rows) >= limit:
            break
        rows += queryset.select_for_update(skip_locked=True)[: limit - len(rows)]
    return rows


def _claim(querysets: list[QuerySet], *, limit: int, now: datetime) -> list[OutgoingEmail]:
    lease_until = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    with transaction.atomic():
        emails = _due_rows_lock(querysets, limit)
        if emails:
            OutgoingEmail.objects.filter(pk__in=[email.pk for email in emails]).update(
                status=Status.SENDING, attempts=F("attempts") + 1, lease_until=lease_until
            )
    for email in emails:
        email.status, email.attempts, email.lease_until = Status.SENDING, email.attempts + 1, lease_until
    return emails


# --- Sending and marking ---------------------------------------------------------------------


def _commit_without_waiting_for_disk() -> None:
    """On PostgreSQL, let this mark's COMMIT return before its WAL reaches the disk.

    A commit per message otherwise waits for an fsync each time, which caps sending at the disk's
    flush rate. A killed worker loses nothing by this (PostgreSQL still writes the commit); only a
    crash of the database server itself may forget the last fraction of a second of marks, and
    those messages would go out again.
    """
    if database.vendor == "postgresql":
        with database.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _held(emails: list[OutgoingEmail]) -> QuerySet:
    """The rows of ``emails`` this worker still holds: sending, under the lease its claim set."""
    return OutgoingEmail.objects.filter(
        pk__in=[email.pk for email in emails], status=Status.SENDING, lease_until=emails[0].lease_until
    )


def _mark(emails: list[OutgoingEmail], outcome: str, **fields) -> int:
    """Write ``fields`` on the rows this worker still holds, and the kind's record of ``outcome``, in one transaction.

    ``emails`` come from one claim. A row whose lease ran out and that another worker claimed is
    left to that worker, record and all.
    """
    with transaction.atomic():
        _commit_without_waiting_for_disk()
        if len(emails) > 1:
            held_ids = set(_held(emails).select_for_update().values_list("pk", flat=True))
            emails = [email for email in emails if email.pk in held_ids]
        updated = _held(emails).update(lease_until=None, **fields) if emails else 0
        if updated and outcome != "retry":
            _record(emails, outcome)
    return updated


def _record(emails: list[OutgoingEmail], outcome: str) -> None:
    by_kind: dict[str, list[int]] = {}
    for email in emails:
        if email.kind:
            by_kind.setdefault(email.kind, []).append(email.object_id)
    for kind, object_ids in by_kind.items():
        record = renderer_named(kind).record
        if record is not None:
            record(object_ids, outcome)


def _failure(email: OutgoingEmail, error: Exception, now: datetime) -> Delivery:
    # The class name only: mail server messages can quote addresses, which do not belong in logs.
    reason = type(error).__name__
    last_error = f"{reason}: {error}"[:500]
    permanent = failure_is_permanent(error)
    if permanent or email.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        _mark([email], "failed", status=Status.FAILED, last_error=last_error)
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
    _mark([email], "retry", status=Status.PENDING, next_attempt_at=retry_at, last_error=last_error)
    logger.warning(
        "Outgoing email %s (%s): attempt %s failed (%s); retrying at %s",
        email.pk,
        email.reference,
        email.attempts,
        reason,
        retry_at.isoformat(),
    )
    return Delivery("retry", retry_at)


def _messages_build(emails: list[OutgoingEmail]) -> tuple[dict[int, EmailMessage], dict[int, Exception]]:
    """The message for each row (by row id), and the error for each row whose message could not be built.

    Rows missing from both are no longer wanted. A build error is a temporary failure: a fix
    deployed within the backoff lets the email go.
    """
    messages: dict[int, EmailMessage] = {}
    errors: dict[int, Exception] = {}
    by_kind: dict[str, list[OutgoingEmail]] = {}
    for email in emails:
        if not email.kind:
            try:
                messages[email.pk] = as_message(email)
            except Exception as error:
                errors[email.pk] = error
        else:
            by_kind.setdefault(email.kind, []).append(email)
    for kind, rows in by_kind.items():
        try:
            built = renderer_named(kind).build([email.object_id for email in rows])
        except Exception as error:
            logger.exception("Could not build %s emails", kind)
            errors.update((email.pk, error) for email in rows)
            continue
        messages.update((email.pk, built[email.object_id]) for email in rows if email.object_id in built)
    return messages, errors


def _send(emails: list[OutgoingEmail], *, now: datetime) -> dict[int, Delivery]:
    """Send claimed rows over one mail connection; the outcome of each, by row id."""
    if not emails:
        return {}
    outcomes: dict[int, Delivery] = {}
    messages, errors = _messages_build(emails)
    for email in emails:
        if email.pk in errors:
            outcomes[email.pk] = _failure(email, errors[email.pk], now)
    unwanted = [email for email in emails if email.pk not in messages and email.pk not in errors]
    if unwanted:
        _mark(unwanted, "cancelled", status=Status.CANCELLED)
        outcomes.update((email.pk, Delivery("cancelled")) for email in unwanted)
    queue = [email for email in emails if email.pk in messages]
    # Stop well inside the lease: past it another worker may claim what this one still holds.
    stop_at = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS / 2)
    mail = get_connection()
    try:
        try:
            mail.open()
        except Exception as error:
            outcomes.update((email.pk, _failure(email, error, now)) for email in queue)
            return outcomes
        for position, email in enumerate(queue):
            if timezone.now() >= stop_at:
                _release(queue[position:])
                break
            try:
                if mail.send_messages([messages[email.pk]]) != 1:
                    raise MessageNotAccepted("The mail backend did not accept the message.")
            except Exception as error:
                outcomes[email.pk] = _failure(email, error, now)
                if not failure_is_about_one_message(error):
                    outcomes.update((rest.pk, _failure(rest, error, now)) for rest in queue[position + 1 :])
                    break
                continue
            _mark([email], "sent", status=Status.SENT, sent_at=timezone.now(), last_error="")
            outcomes[email.pk] = Delivery("sent")
    finally:
        mail.close()
    return outcomes


def _release(emails: list[OutgoingEmail]) -> None:
    """Give back claimed rows this worker did not try: due again at once, the attempt not counted."""
    _held(emails).update(status=Status.PENDING, attempts=F("attempts") - 1, lease_until=None)


# --- Entry points ----------------------------------------------------------------------------


def email_deliver(*, email_id: int, now: datetime | None = None) -> Delivery:
    """Send one outbox row if it is due; see the module docstring for the states and the guarantee."""
    now = now or timezone.now()
    emails = _claim([OutgoingEmail.objects.filter(_due(now), pk=email_id)], limit=1, now=now)
    if not emails:
        return Delivery("skipped")
    return _send(emails, now=now)[email_id]


def email_retry_schedule(*, email_id: int, delivery: Delivery) -> None:
    """After a failed attempt, queue the next one for when it is due (the worker's backoff)."""
    if delivery.status == "retry":
        enqueue_send(email_id, run_after=delivery.retry_at)


def emails_send_batch(*, stream: str, limit: int, now: datetime | None = None) -> Counter:
    """Send up to ``limit`` of ``stream``'s due emails over one connection; counts by outcome.

    The stream's own task calls this at the pace it keeps (the newsletter's rate limit).
    """
    now = now or timezone.now()
    emails = _claim(_due_in_stream(stream, now), limit=limit, now=now)
    return Counter(delivery.status for delivery in _send(emails, now=now).values())


def stream_progress(*, stream: str, now: datetime | None = None) -> dict:
    """What is left of a stream: rows not yet sent, failed or cancelled; how many are due; when the next is."""
    now = now or timezone.now()
    summary = OutgoingEmail.objects.filter(stream=stream, status__in=[Status.PENDING, Status.SENDING]).aggregate(
        pending=Count("pk"),
        due=Count("pk", filter=_due(now)),
        next_attempt_at=Min("next_attempt_at", filter=Q(status=Status.PENDING)),
        next_lease_end=Min("lease_until", filter=Q(status=Status.SENDING)),
    )
    times = [summary["next_attempt_at"], summary["next_lease_end"]]
    return {
        "pending": summary["pending"],
        "due": summary["due"],
        "next_due_at": min((time for time in times if time is not None), default=None),
    }


def emails_flush(*, now: datetime | None = None) -> dict[str, int]:
    """Send every due email outside a stream, including ones whose worker died mid-send, 500 at most."""
    now = now or timezone.now()
    counts = {"sent": 0, "retry": 0, "failed": 0, "cancelled": 0}
    emails = _claim(_due_in_stream("", now), limit=500, now=now)
    for email_id, delivery in _send(emails, now=now).items():
        email_retry_schedule(email_id=email_id, delivery=delivery)
        counts[delivery.status] += 1
    return counts
