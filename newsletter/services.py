"""Writes for subscribing, confirming, leaving and erasure. Sending issues lives in sending.py."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import OutgoingEmail
from core.outbox import email_queue
from core.queue import task_enqueue

from .emails import confirmation_email_build
from .models import Delivery, Subscriber, SubscribeRequest, Suppression
from .privacy import email_hashes, email_normalise, ip_hash
from .sending import ISSUE_EMAIL
from .tokens import TokenInvalid, confirm_token_read

CONSENT_TEXT = (
    "We'll email you about once a month with self-care tips and clinic news, never share your address, "
    "and every email has a one-click unsubscribe link."
)


class ConfirmationSuperseded(Exception):
    """The link was issued before the person unsubscribed: it may not subscribe them again."""


def subscription_request(*, email: str, source_url: str, consent_text: str, ip_address: str | None) -> None:
    """The footer form's way in: write the request down and leave it to the worker.

    Every address costs the web request the same two inserts (the request, the task), so its answer
    and its timing are the same whether the address is new, pending, confirmed or erased.
    """
    SubscribeRequest.objects.create(
        email=email_normalise(email)[:254],
        source_url=source_url[:500],
        consent_text=consent_text,
        ip_hash=ip_hash(ip_address),
    )
    transaction.on_commit(lambda: task_enqueue("newsletter.subscription_requests_process"))


def subscription_requests_process(*, batch_size: int = 100) -> int:
    """Turn waiting subscribe requests into subscriptions (see ``subscription_start``); returns how many.

    Each request is handled and deleted in one transaction, so a worker that dies leaves it for the
    next run, and two workers never take the same one (``skip_locked`` on PostgreSQL; SQLite
    serialises the writers).
    """
    handled = 0
    while True:
        with transaction.atomic():
            waiting = list(SubscribeRequest.objects.select_for_update(skip_locked=True).order_by("pk")[:batch_size])
            for request in waiting:
                _subscription_record(
                    email=request.email,
                    source_url=request.source_url,
                    consent_text=request.consent_text,
                    ip_hash_value=request.ip_hash,
                )
            SubscribeRequest.objects.filter(pk__in=[request.pk for request in waiting]).delete()
        handled += len(waiting)
        if len(waiting) < batch_size:
            return handled


def subscription_start(*, email: str, source_url: str, consent_text: str, ip_address: str | None) -> None:
    """Someone asked to subscribe: record their consent and (at most every 10 minutes) email a confirmation link.

    Used directly by the booking form's opt-in (after the booking commits) and, through the worker,
    by the footer form (``subscription_request``). It returns nothing and behaves the same to the
    caller whatever the address's state, so no response can reveal who is on the list. A confirmed
    address is left as it is; an unsubscribed or pending one only becomes confirmed through the
    link; a suppressed (erased) address is never written to or mailed.
    """
    _subscription_record(
        email=email, source_url=source_url, consent_text=consent_text, ip_hash_value=ip_hash(ip_address)
    )


def _subscription_record(*, email: str, source_url: str, consent_text: str, ip_hash_value: str) -> None:
    email = email_normalise(email)
    if Suppression.objects.filter(email_hash__in=email_hashes(email)).exists():
        return
    now = timezone.now()
    consent = {
        "consented_at": now,
        "source_url": source_url[:500],
        "consent_text": consent_text,
        "ip_hash": ip_hash_value,
    }
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
        if subscriber is None:
            try:
                with transaction.atomic():
                    subscriber = Subscriber.objects.create(email=email, **consent)
            except IntegrityError:  # a simultaneous request created it first
                subscriber = Subscriber.objects.select_for_update().get(email=email)
        if subscriber.status == Subscriber.Status.CONFIRMED:
            return
        for field, value in consent.items():
            setattr(subscriber, field, value)
        resend_after = timedelta(seconds=settings.NEWSLETTER_CONFIRM_RESEND_SECONDS)
        last_sent = subscriber.last_confirmation_sent_at
        # A link sent before an unsubscribe can no longer be used, so it does not count against the limit.
        recently_sent = (
            last_sent is not None
            and now - last_sent < resend_after
            and (subscriber.unsubscribed_at is None or last_sent > subscriber.unsubscribed_at)
        )
        if not recently_sent:
            subscriber.last_confirmation_sent_at = now
        subscriber.save()
        if not recently_sent:
            # Through the outbox, in this transaction: when the mail server is down the email is
            # retried until it goes, instead of being lost behind the 10-minute resend limit.
            email_queue(message=confirmation_email_build(subscriber), reference=_confirmation_reference(subscriber))


def _confirmation_reference(subscriber: Subscriber) -> str:
    return f"subscriber {subscriber.pk}: confirmation"


def subscription_confirm(*, token: str) -> Subscriber:
    """Confirm the subscription a link was issued for. Idempotent: confirming twice changes nothing.

    Raises TokenInvalid / TokenExpired for bad links and ConfirmationSuperseded when the link
    predates an unsubscribe (a fresh request, and so a fresh link, is needed).
    """
    claim = confirm_token_read(token)
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(token=claim.subscriber_token).first()
        if subscriber is None:
            raise TokenInvalid
        if subscriber.status == Subscriber.Status.CONFIRMED:
            return subscriber
        if subscriber.status == Subscriber.Status.UNSUBSCRIBED and claim.issued_at <= subscriber.unsubscribed_at:
            raise ConfirmationSuperseded
        subscriber.status = Subscriber.Status.CONFIRMED
        subscriber.confirmed_at = timezone.now()
        subscriber.save(update_fields=["status", "confirmed_at"])
    return subscriber


def subscription_end(*, subscriber_token: str) -> None:
    """Unsubscribe at once; deliveries still waiting in a send are skipped. Idempotent.

    An unknown token means the subscriber's data was erased: their address is suppressed already.
    """
    now = timezone.now()
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(token=subscriber_token).first()
        if subscriber is None or subscriber.status == Subscriber.Status.UNSUBSCRIBED:
            return
        subscriber.status = Subscriber.Status.UNSUBSCRIBED
        subscriber.unsubscribed_at = now
        subscriber.save(update_fields=["status", "unsubscribed_at"])
        Delivery.objects.filter(subscriber=subscriber, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.SKIPPED
        )


def subscriber_erase(*, subscriber: Subscriber, reason: str = "Erasure requested") -> None:
    """Delete everything we hold about a subscriber, keeping only a keyed hash of the address as a suppression."""
    with transaction.atomic():
        Suppression.objects.get_or_create(email_hash=email_hashes(subscriber.email)[0], defaults={"reason": reason})
        SubscribeRequest.objects.filter(email=subscriber.email).delete()
        OutgoingEmail.objects.filter(reference=_confirmation_reference(subscriber)).delete()
        deliveries = Delivery.objects.filter(subscriber=subscriber)
        deliveries.filter(status=Delivery.Status.PENDING).update(status=Delivery.Status.SKIPPED)
        # A mail server's refusal quotes the address.
        OutgoingEmail.objects.filter(kind=ISSUE_EMAIL, object_id__in=deliveries.values("pk")).update(last_error="")
        subscriber.delete()
