"""Reconciliation: the ledger and Stripe agree again after a crash between our write and Stripe's answer.

Every money request to Stripe is a ProviderCall written first (payments.models). One left pending or
waiting for 3-D Secure for longer than ``STALE_AFTER`` is looked up at Stripe: by its PaymentIntent
id when we got that far, else among the recent PaymentIntents by the idempotency key in their
metadata. What Stripe says is then settled exactly as the live request would have settled it (the
ledger entry under the same key, so at most once). A booking payment Stripe never saw is marked
failed, freeing its booking to be paid again; a refund Stripe never answered is asked for again
under its own key (Stripe's Idempotency-Key makes that safe). What cannot be settled is counted as
flagged and logged for staff, never guessed.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from . import gateway
from .checkout import booking_payment_settle
from .ledger import LedgerActor, ledger_entry_record
from .models import LedgerEntry, ProviderCall
from .refunds import refund_settle

logger = logging.getLogger(__name__)
STALE_AFTER = timedelta(minutes=15)
GIVE_UP_AFTER = timedelta(hours=24)
RECENT_INTENTS = 100


@dataclass
class Reconciled:
    settled: int = 0
    failed: int = 0
    flagged: list[str] = field(default_factory=list)


def _intent_for(call: ProviderCall, recent: dict[str, gateway.Intent]) -> gateway.Intent | None:
    if call.stripe_id:
        return gateway.payment_intent_get(call.stripe_id)
    return recent.get(call.idempotency_key)


def payments_reconcile(*, now: datetime | None = None) -> Reconciled:
    now = now or timezone.now()
    result = Reconciled()
    stale = ProviderCall.objects.filter(
        status__in=(ProviderCall.Status.PENDING, ProviderCall.Status.REQUIRES_ACTION),
        updated_at__lte=now - STALE_AFTER,
    ).select_related("appointment", "client")
    recent = None
    for call in stale:
        try:
            if call.purpose == ProviderCall.Purpose.REFUND:
                _refund(call, result)
                continue
            if recent is None:
                recent = {
                    intent.metadata.get("idempotency_key"): intent
                    for intent in gateway.payment_intents_recent(limit=RECENT_INTENTS)
                    if intent.metadata.get("idempotency_key")
                }
            intent = _intent_for(call, recent)
            if intent is None:
                if now - call.created_at >= STALE_AFTER:
                    ProviderCall.objects.filter(pk=call.pk).update(
                        status=ProviderCall.Status.FAILED, error="Stripe never received this request."
                    )
                    result.failed += 1
                continue
            if call.purpose == ProviderCall.Purpose.BOOKING_PAYMENT:
                booking_payment_settle(call=call, intent=intent)
                result.settled += 1
            elif call.purpose == ProviderCall.Purpose.FEE:
                _fee(call, intent, result)
            else:
                result.flagged.append(f"{call.idempotency_key}: {call.purpose} is settled by its own app")
        except gateway.GatewayError as error:
            result.flagged.append(f"{call.idempotency_key}: {error}")
    for line in result.flagged:
        logger.warning("Reconciliation could not settle %s", line)
    return result


def _fee(call: ProviderCall, intent: gateway.Intent, result: Reconciled) -> None:
    if intent.status != "succeeded":
        ProviderCall.objects.filter(pk=call.pk).update(status=ProviderCall.Status.FAILED, error=intent.error_message)
        result.failed += 1
        return
    ledger_entry_record(
        kind=LedgerEntry.Kind.FEE,
        amount=call.amount,
        method=LedgerEntry.Method.CARD,
        idempotency_key=call.idempotency_key,
        actor=LedgerActor.system(),
        appointment=call.appointment,
        client=call.client,
        stripe_id=intent.id,
        note="Fee (recorded by reconciliation)",
    )
    ProviderCall.objects.filter(pk=call.pk).update(status=ProviderCall.Status.SUCCEEDED, stripe_id=intent.id)
    result.settled += 1


def _refund(call: ProviderCall, result: Reconciled) -> None:
    payment_pk = call.idempotency_key.split(":")[1]
    payment = LedgerEntry.objects.filter(pk=payment_pk).first()
    if payment is None:
        result.flagged.append(f"{call.idempotency_key}: its payment is not in the ledger")
        return
    refund_settle(call=call, entry=payment, actor=LedgerActor.system(), reason="Refund (finished by reconciliation)")
    result.settled += 1
