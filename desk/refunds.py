"""Refunds at the desk: all or part of one of the booking's payments, never more than is left of it.

A card payment made online goes back through Stripe (a ProviderCall first, under the refund's key);
cash and terminal payments are given back in person and recorded here. The refund form's own token is
part of the key, so the same form sent twice is one refund; refunds still waiting for Stripe count as
given back when the next one is checked.
"""

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from bookings.models import Appointment, BookingEvent
from core.locking import rows_lock
from core.money import money_format
from payments import gateway
from payments.ledger import LedgerActor, ledger_entry_record, refundable_left
from payments.models import LedgerEntry, LedgerRefused, ProviderCall

from .money import MONEY_IN, MoneyRefused, call_failed, money_history


def payments_refundable(appointment: Appointment) -> list[LedgerEntry]:
    """The booking's payments with what is left of each to give back (``entry.left``), oldest first."""
    entries = list(
        LedgerEntry.objects.filter(appointment=appointment, kind__in=MONEY_IN)
        .annotate(refunded=Sum("reversals__amount", filter=Q(reversals__kind=LedgerEntry.Kind.REFUND)))
        .order_by("created_at", "pk")
    )
    pending = _pending_refunds(appointment)
    for entry in entries:
        entry.left = entry.amount + (entry.refunded or 0) - pending.get(entry.pk, 0)
    return [entry for entry in entries if entry.left > 0]


def _pending_refunds(appointment: Appointment) -> dict[int, int]:
    """Refunds sent to Stripe with no answer yet, by the payment they give back: they count as given back."""
    pending: dict[int, int] = {}
    for key, amount in ProviderCall.objects.filter(
        appointment=appointment, purpose=ProviderCall.Purpose.REFUND, status=ProviderCall.Status.PENDING
    ).values_list("idempotency_key", "amount"):
        payment_pk = int(key.split(":")[1])
        pending[payment_pk] = pending.get(payment_pk, 0) + amount
    return pending


def payment_refund(*, payment: LedgerEntry, amount: int, intention: str, refunded_by, now=None) -> LedgerEntry:
    """Give back ``amount`` of one payment: to the card through Stripe when it was paid by card online,
    in cash or on the terminal (recorded here) otherwise. Never more than is left of it.

    ``intention`` is the refund form's own token: the same form sent twice is one refund.
    """
    now = now or timezone.now()
    key = f"refund:{payment.pk}:{intention[:40]}"
    if existing := LedgerEntry.objects.filter(idempotency_key=key).first():
        return existing
    appointment = payment.appointment
    with transaction.atomic():
        rows_lock(appointment)
        if existing := LedgerEntry.objects.filter(idempotency_key=key).first():
            return existing
        if ProviderCall.objects.filter(idempotency_key=key).exists():
            raise MoneyRefused("This refund is already on its way to Stripe.")
        left = refundable_left(payment) - _pending_refunds(appointment).get(payment.pk, 0)
        if amount <= 0:
            raise MoneyRefused("A refund must be for more than nothing.")
        if amount > left:
            raise MoneyRefused(
                f"At most {money_format(left)} of this payment can be refunded "
                f"({money_format(payment.amount)} paid, {money_format(payment.amount - left)} already given back)."
            )
        by_stripe = bool(payment.stripe_id)
        if by_stripe:
            call = ProviderCall.objects.create(
                idempotency_key=key,
                purpose=ProviderCall.Purpose.REFUND,
                amount=amount,
                currency=payment.currency,
                appointment=appointment,
                client=payment.client,
            )
        else:
            return _refund_record(payment, amount=amount, key=key, user=refunded_by, stripe_id="", now=now)
    try:
        refund = gateway.refund_create(
            payment_intent_id=payment.stripe_id,
            amount=amount,
            metadata={"ledger_key": key, "appointment": str(appointment.pk)},
            idempotency_key=key,
        )
    except gateway.GatewayError as error:
        call_failed(call, str(error))
        raise MoneyRefused(f"Stripe refused the refund ({error}). Nothing was given back.") from error
    with transaction.atomic():
        ProviderCall.objects.filter(pk=call.pk).update(
            status=ProviderCall.Status.SUCCEEDED, stripe_id=refund.id, updated_at=timezone.now()
        )
        return _refund_record(payment, amount=amount, key=key, user=refunded_by, stripe_id=refund.id, now=now)


def _refund_record(payment, *, amount, key, user, stripe_id, now) -> LedgerEntry:
    try:
        entry = ledger_entry_record(
            kind=LedgerEntry.Kind.REFUND,
            amount=-amount,
            method=payment.method,
            idempotency_key=key,
            actor=LedgerActor.staff(user),
            reverses=payment,
            stripe_id=stripe_id,
            now=now,
        )
    except LedgerRefused as refused:
        raise MoneyRefused(str(refused)) from refused
    money_history(
        payment.appointment,
        action=BookingEvent.Action.REFUNDED,
        user=user,
        now=now,
        said=f"{money_format(amount)} of the {payment.get_kind_display().split(' (')[0].lower()} "
        f"refunded ({payment.get_method_display().lower()})",
    )
    return entry
