"""Refunds at the desk: all or part of one of the booking's payments, never more than is left of it.

A card payment made online goes back through Stripe by the payments app's one refund path
(``payments.refunds.refund_settle``, receipt included), under a ProviderCall this module writes first
with the refund form's key; cash and terminal payments are given back in person and recorded here. The refund form's own token is
part of the key, so the same form sent twice is one refund; refunds still waiting for Stripe count as
given back when the next one is checked.
"""

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from bookings.models import Appointment, BookingEvent
from core.money import money_format
from payments import gateway
from payments.ledger import LedgerActor, ledger_entry_record, refundable_left
from payments.models import LedgerEntry, LedgerRefused, ProviderCall
from payments.receipts import receipt_email_queue
from payments.refunds import refund_settle

from .money import MONEY_IN, MoneyRefused, money_history

REASON = "Refunded at the desk"


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
        # The payment's row, locked as payments.refunds locks it: refunds of one payment queue here.
        payment = LedgerEntry.objects.select_for_update().get(pk=payment.pk)
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
        if not payment.stripe_id:
            return _refund_record(payment, amount=amount, key=key, user=refunded_by, now=now)
        call = ProviderCall.objects.create(
            idempotency_key=key,
            purpose=ProviderCall.Purpose.REFUND,
            amount=amount,
            currency=payment.currency,
            appointment=appointment,
            client=payment.client,
        )
    try:
        entry = refund_settle(call=call, entry=payment, actor=LedgerActor.staff(refunded_by), reason=REASON)
    except gateway.GatewayError as error:
        raise MoneyRefused(f"Stripe refused the refund ({error}). Nothing was given back.") from error
    _refund_noted(payment, amount=amount, user=refunded_by, now=now)
    return entry


def _refund_record(payment, *, amount, key, user, now) -> LedgerEntry:
    """A cash or terminal payment given back in person: the ledger entry, its receipt and the history."""
    try:
        entry = ledger_entry_record(
            kind=LedgerEntry.Kind.REFUND,
            amount=-amount,
            method=payment.method,
            idempotency_key=key,
            actor=LedgerActor.staff(user),
            reverses=payment,
            note=REASON,
            now=now,
        )
    except LedgerRefused as refused:
        raise MoneyRefused(str(refused)) from refused
    receipt_email_queue(entry=entry)
    _refund_noted(payment, amount=amount, user=user, now=now)
    return entry


def _refund_noted(payment, *, amount, user, now) -> None:
    money_history(
        payment.appointment,
        action=BookingEvent.Action.REFUNDED,
        user=user,
        now=now,
        said=f"{money_format(amount)} of the {payment.get_kind_display().split(' (')[0].lower()} "
        f"refunded ({payment.get_method_display().lower()})",
    )
