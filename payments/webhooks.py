"""Stripe's webhook events: verified by signature, stored once by event id, processed at most once.

``stripe_event_receive`` checks the signature (payments.gateway.event_verify), stores the event and
processes it, all under a lock on the stored row, so the same event delivered twice, or by two
workers at once, changes things once. Handlers are registered per event type (``handles``); an event
of a type nobody handles is stored and marked processed with nothing done.
"""

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import gateway
from .models import StripeEvent

HANDLERS: dict[str, Callable[[dict], str]] = {}


def handles(event_type: str):
    """Register ``function(stripe_object: dict) -> outcome`` for one event type."""

    def register(function):
        HANDLERS[event_type] = function
        return function

    return register


def stripe_event_receive(*, payload: bytes, signature: str) -> StripeEvent:
    """Verify, store and process one webhook delivery; raises ``gateway.BadSignature`` for a forged or stale one."""
    event = gateway.event_verify(payload, signature)
    obj = (event.get("data") or {}).get("object") or {}
    try:
        with transaction.atomic():
            stored, _ = StripeEvent.objects.get_or_create(
                event_id=event["id"],
                defaults={"type": event.get("type", ""), "object_id": obj.get("id", ""), "payload": event},
            )
    except IntegrityError:  # the same event arriving at the same moment elsewhere
        stored = StripeEvent.objects.get(event_id=event["id"])
    return stripe_event_process(event=stored)


def stripe_event_process(*, event: StripeEvent) -> StripeEvent:
    """Run the event's handler once: a second call for a processed event changes nothing."""
    with transaction.atomic():
        current = StripeEvent.objects.select_for_update().get(pk=event.pk)
        if current.processed_at is not None:
            return current
        handler = HANDLERS.get(current.type)
        obj = (current.payload.get("data") or {}).get("object") or {}
        current.outcome = (handler(obj) if handler else "ignored: no handler for this type")[:200]
        current.processed_at = timezone.now()
        current.save(update_fields=["outcome", "processed_at"])
    return current
