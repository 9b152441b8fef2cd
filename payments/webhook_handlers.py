"""What each Stripe event does (payments.webhooks stores and dedupes them first).

A webhook never trusts its own body for money: the PaymentIntent is matched to the ProviderCall by
the idempotency key in its metadata (or its id) and settled from what Stripe says when asked.
Events about objects the site did not make (another app on the same account) are ignored.
"""

from . import gateway
from .checkout import booking_payment_settle
from .ledger import LedgerActor, ledger_entry_record
from .models import CardOnFile, LedgerEntry, ProviderCall
from .webhooks import handles


def _call_for(obj: dict) -> ProviderCall | None:
    key = (obj.get("metadata") or {}).get("idempotency_key", "")
    call = ProviderCall.objects.filter(idempotency_key=key).first() if key else None
    return call or ProviderCall.objects.filter(stripe_id=obj.get("id", "")).first()


@handles("payment_intent.succeeded")
def payment_intent_succeeded(obj: dict) -> str:
    call = _call_for(obj)
    if call is None:
        return "ignored: not one of ours"
    if call.purpose != ProviderCall.Purpose.BOOKING_PAYMENT:
        return f"noted: {call.purpose} is settled by its own request"
    if call.status == ProviderCall.Status.SUCCEEDED:
        return "already recorded"
    booking_payment_settle(call=call, intent=gateway.payment_intent_get(obj["id"]))
    return "booking payment settled"


@handles("payment_intent.payment_failed")
def payment_intent_failed(obj: dict) -> str:
    call = _call_for(obj)
    if call is None:
        return "ignored: not one of ours"
    if call.status in (ProviderCall.Status.PENDING, ProviderCall.Status.REQUIRES_ACTION):
        message = ((obj.get("last_payment_error") or {}).get("message") or "Payment failed")[:500]
        ProviderCall.objects.filter(pk=call.pk).update(status=ProviderCall.Status.FAILED, error=message)
        return "marked failed"
    return "nothing to change"


@handles("charge.refunded")
def charge_refunded(obj: dict) -> str:
    """A refund made outside the site (Stripe's dashboard) joins the ledger; ours are already there."""
    payment = LedgerEntry.objects.filter(stripe_id=obj.get("payment_intent") or "", kind__in=("charge", "fee")).first()
    if payment is None:
        return "ignored: not one of ours"
    recorded = 0
    for refund in (obj.get("refunds") or {}).get("data") or []:
        if LedgerEntry.objects.filter(kind="refund", stripe_id=refund["id"]).exists():
            continue
        ledger_entry_record(
            kind=LedgerEntry.Kind.REFUND,
            amount=-int(refund["amount"]),
            method=LedgerEntry.Method.CARD,
            idempotency_key=f"stripe-refund:{refund['id']}",
            actor=LedgerActor.system(),
            reverses=payment,
            stripe_id=refund["id"],
            note="Refunded at Stripe",
        )
        recorded += 1
    return f"{recorded} refund(s) recorded"


@handles("setup_intent.succeeded")
def setup_intent_succeeded(obj: dict) -> str:
    from .customers import card_on_file_record
    from .models import BookingCheckout

    checkout = (
        BookingCheckout.objects.select_related("appointment__client").filter(setup_intent_id=obj.get("id")).first()
    )
    if checkout is None:
        return "ignored: not one of ours"
    if CardOnFile.objects.filter(setup_intent_id=checkout.setup_intent_id).exists():
        return "already kept"
    intent = gateway.setup_intent_get(checkout.setup_intent_id)
    card_on_file_record(
        client=checkout.appointment.client,
        appointment=checkout.appointment,
        customer_id=checkout.customer_id,
        setup_intent_id=intent.id,
        payment_method_id=intent.payment_method_id,
    )
    return "card kept"
