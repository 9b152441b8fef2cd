"""Giving money back to the card it came from: the one refund path, for the client's cancel and the front desk alike.

Under a lock on the payment's ledger entry, the refund's key is decided (the payment's id and the
how-many-th refund of it) and a ProviderCall is written before Stripe is asked, so two refunds at
once (two staff, a double click) cannot together give back more than was paid, and a retry after
a crash reuses the same key. The ledger entry follows Stripe's answer, with the same key.
"""

from django.db import transaction
from django.db.models import Sum

from . import gateway
from .ledger import LedgerActor, ledger_entry_record, refundable_left
from .models import LedgerEntry, LedgerRefused, ProviderCall
from .receipts import receipt_email_queue


def _in_flight(entry: LedgerEntry) -> int:
    pending = ProviderCall.objects.filter(
        purpose=ProviderCall.Purpose.REFUND,
        idempotency_key__startswith=f"refund:{entry.pk}:",
        status=ProviderCall.Status.PENDING,
    )
    return pending.aggregate(total=Sum("amount"))["total"] or 0


def payment_refund(*, entry: LedgerEntry, amount: int, actor: LedgerActor, reason: str = "") -> LedgerEntry:
    """Refund ``amount`` minor units of a card payment (all or part). Raises ``LedgerRefused`` beyond what is left,
    ``gateway.GatewayError`` when Stripe refuses (the ProviderCall stays to be reconciled)."""
    if amount <= 0:
        raise LedgerRefused("A refund must be for more than nothing.")
    if entry.method != LedgerEntry.Method.CARD or not entry.stripe_id:
        raise LedgerRefused("Only a card payment made online can be refunded to the card.")
    with transaction.atomic():
        locked = LedgerEntry.objects.select_for_update().get(pk=entry.pk)
        if amount > refundable_left(locked) - _in_flight(locked):
            raise LedgerRefused("A refund cannot give back more than was paid.")
        number = ProviderCall.objects.filter(idempotency_key__startswith=f"refund:{locked.pk}:").count() + 1
        call = ProviderCall.objects.create(
            idempotency_key=f"refund:{locked.pk}:{number}",
            purpose=ProviderCall.Purpose.REFUND,
            amount=amount,
            currency=locked.currency,
            appointment=locked.appointment,
            client=locked.client,
        )
    return refund_settle(call=call, entry=entry, actor=actor, reason=reason)


def refund_settle(*, call: ProviderCall, entry: LedgerEntry, actor: LedgerActor, reason: str = "") -> LedgerEntry:
    """Ask Stripe for the refund under the call's key (again, after a crash) and record it once."""
    try:
        refund = gateway.refund_create(
            payment_intent_id=entry.stripe_id,
            amount=call.amount,
            metadata={"idempotency_key": call.idempotency_key},
            idempotency_key=call.idempotency_key,
        )
    except gateway.GatewayError as error:
        call.error = str(error)[:500]
        call.save(update_fields=["error", "updated_at"])
        raise
    given_back = ledger_entry_record(
        kind=LedgerEntry.Kind.REFUND,
        amount=-call.amount,
        method=LedgerEntry.Method.CARD,
        idempotency_key=call.idempotency_key,
        actor=actor,
        reverses=entry,
        stripe_id=refund.id,
        note=reason,
    )
    call.status, call.stripe_id = ProviderCall.Status.SUCCEEDED, refund.id
    call.save(update_fields=["status", "stripe_id", "updated_at"])
    receipt_email_queue(entry=given_back)
    return given_back
