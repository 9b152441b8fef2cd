"""Charging a late-cancel or no-show fee to the client's card on file, off-session: once per booking and kind.

The key ``fee:<kind>:<appointment>`` is the ProviderCall's, Stripe's Idempotency-Key and the ledger
entry's, so two front-desk users pressing "charge" at once, or a retry, charge once: the second
finds the first's call (the unique key) and is told it is already charged or under way.
"""

from django.db import IntegrityError, transaction

from core.money import currency

from . import gateway
from .ledger import LedgerActor, ledger_entry_record
from .models import LedgerEntry, LedgerRefused, ProviderCall
from .receipts import receipt_email_queue
from .selectors import card_on_file

FEE_KINDS = {"late_cancel": "Late-cancel fee", "no_show": "No-show fee"}


def appointment_fee_charge(*, appointment, kind: str, amount: int, actor: LedgerActor) -> LedgerEntry:
    """Charge ``amount`` minor units to the card on file as the booking's ``kind`` fee.

    Raises ``LedgerRefused`` (no card, a bad amount, already charged or under way) or
    ``gateway.CardDeclined`` with the bank's message (the call is then marked failed and may be retried).
    """
    if kind not in FEE_KINDS:
        raise ValueError(f"Not a fee: {kind}")
    if amount <= 0:
        raise LedgerRefused("A fee must be more than nothing.")
    card = card_on_file(appointment.client)
    if card is None:
        raise LedgerRefused("There is no card on file for this client.")
    key = f"fee:{kind}:{appointment.pk}"
    try:
        with transaction.atomic():
            call, created = ProviderCall.objects.get_or_create(
                idempotency_key=key,
                defaults={
                    "purpose": ProviderCall.Purpose.FEE,
                    "amount": amount,
                    "currency": currency(),
                    "appointment": appointment,
                    "client": appointment.client,
                },
            )
    except IntegrityError:
        call, created = ProviderCall.objects.get(idempotency_key=key), False
    if not created:
        if call.status == ProviderCall.Status.SUCCEEDED:
            raise LedgerRefused(f"The {FEE_KINDS[kind].lower()} is already charged.")
        if call.status != ProviderCall.Status.FAILED:
            raise LedgerRefused(f"The {FEE_KINDS[kind].lower()} is being charged already.")
        with transaction.atomic():  # a retry after a refused card: this one claims the call
            claimed = ProviderCall.objects.filter(pk=call.pk, status=ProviderCall.Status.FAILED).update(
                status=ProviderCall.Status.PENDING, amount=amount, error=""
            )
        if not claimed:
            raise LedgerRefused(f"The {FEE_KINDS[kind].lower()} is being charged already.")
        call.refresh_from_db()
        key = f"{key}:retry:{call.updated_at.timestamp():.0f}"
    try:
        intent = gateway.payment_intent_create(
            amount=call.amount,
            customer_id=card.customer_id,
            payment_method_id=card.payment_method_id,
            metadata={"appointment": str(appointment.pk), "fee": kind, "idempotency_key": call.idempotency_key},
            idempotency_key=key,
            off_session=True,
        )
    except gateway.GatewayError as error:
        ProviderCall.objects.filter(pk=call.pk).update(status=ProviderCall.Status.FAILED, error=str(error)[:500])
        raise
    ProviderCall.objects.filter(pk=call.pk).update(stripe_id=intent.id)
    if intent.status != "succeeded":
        ProviderCall.objects.filter(pk=call.pk).update(
            status=ProviderCall.Status.FAILED, error="The bank asked the client to confirm; charge refused."
        )
        raise gateway.CardDeclined("The bank wants the client to confirm this charge, so it could not be made now.")
    entry = ledger_entry_record(
        kind=LedgerEntry.Kind.FEE,
        amount=call.amount,
        method=LedgerEntry.Method.CARD,
        idempotency_key=call.idempotency_key,
        actor=actor,
        appointment=appointment,
        client=appointment.client,
        stripe_id=intent.id,
        note=FEE_KINDS[kind],
    )
    ProviderCall.objects.filter(pk=call.pk).update(status=ProviderCall.Status.SUCCEEDED)
    receipt_email_queue(entry=entry)
    return entry
