"""A booking's no-show or late-cancel fee, charged at the desk to the client's card on file, once.

The fee is the policy's (bookings.payment_terms); the desk may charge less, never more. The first
attempt's key is ``fee:<kind>:<booking>``, an attempt after a declined card ``…:retry<n>``; any fee
entry on the booking, or a charge of it still waiting for Stripe, refuses another (desk.money has the
pattern).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from bookings.models import Appointment, BookingEvent, BookingPolicy
from bookings.payment_terms import appointment_terms
from core.locking import rows_lock
from core.money import currency, money_format
from payments import gateway
from payments.ledger import LedgerActor, ledger_entry_record
from payments.models import LedgerEntry, ProviderCall
from payments.selectors import card_on_file

from .money import MoneyRefused, call_failed, money_history

FEE_LABELS = {"no_show": "no-show fee", "late_cancel": "late-cancel fee"}


@dataclass(frozen=True)
class FeeDue:
    kind: str  # "no_show" or "late_cancel"
    amount: int  # the policy's fee, minor units: the most the desk may charge

    @property
    def label(self) -> str:
        return FEE_LABELS[self.kind]


def _late_cancel(appointment: Appointment) -> bool:
    if appointment.status != Appointment.Status.CANCELLED or appointment.cancelled_at is None:
        return False
    cutoff = timedelta(hours=BookingPolicy.current().cancel_cutoff_hours)
    return appointment.starts_at - appointment.cancelled_at < cutoff


def fee_due(appointment: Appointment) -> FeeDue | None:
    """The fee this booking's outcome calls for under the policy (None: no fee, or payments are off)."""
    terms = appointment_terms(appointment)
    if appointment.status == Appointment.Status.NO_SHOW and terms.no_show_fee:
        return FeeDue("no_show", terms.no_show_fee)
    if _late_cancel(appointment) and terms.late_cancel_fee:
        return FeeDue("late_cancel", terms.late_cancel_fee)
    return None


def fee_key(appointment: Appointment, kind: str, attempt: int) -> str:
    base = f"fee:{kind}:{appointment.pk}"
    return base if attempt == 1 else f"{base}:retry{attempt}"


def fee_entry(appointment: Appointment) -> LedgerEntry | None:
    """The fee already charged for this booking (a booking owes one fee at most)."""
    return LedgerEntry.objects.filter(appointment=appointment, kind=LedgerEntry.Kind.FEE).first()


def _fee_refusal(appointment: Appointment, *, due: FeeDue | None, amount: int) -> str | None:
    if due is None:
        return "This booking has no fee to charge: it is not a no-show or a late cancel with a fee in the policy."
    if fee_entry(appointment) is not None:
        return f"The {due.label} for this booking has already been charged."
    if ProviderCall.objects.filter(
        appointment=appointment, purpose=ProviderCall.Purpose.FEE, status=ProviderCall.Status.PENDING
    ).exists():
        return f"The {due.label} is being charged already; its answer from Stripe has not come back yet."
    if amount > due.amount:
        return f"The {due.label} is at most {money_format(due.amount)} under the policy; charge that or less."
    if amount <= 0:
        return "An amount must be more than nothing."
    return None


def fee_charge(*, appointment: Appointment, amount: int, charged_by, now=None) -> LedgerEntry:
    """Charge the booking's fee (``amount`` minor units, at most the policy's) to the client's card on file, once.

    Raises ``MoneyRefused`` with the reason (no fee due, already charged or being charged, more than the
    policy's fee, no card on file, the card declined); a refusal for the card is noted in the history.
    """
    now = now or timezone.now()
    current, due, card, call = _fee_call_open(appointment, amount=amount, charged_by=charged_by, now=now)
    if call is None:
        raise MoneyRefused(f"There is no card on file for {current.client_name}: the {due.label} was not charged.")
    key = call.idempotency_key
    try:
        intent = gateway.payment_intent_create(
            amount=amount,
            customer_id=card.customer_id,
            payment_method_id=card.payment_method_id,
            metadata={"ledger_key": key, "appointment": str(current.pk), "fee": due.kind},
            idempotency_key=key,
            off_session=True,
        )
    except gateway.CardDeclined as declined:
        call_failed(call, declined.message)
        money_history(
            current,
            action=BookingEvent.Action.FEE_NOT_CHARGED,
            user=charged_by,
            said=f"{due.label} of {money_format(amount)} declined: {declined.message}",
        )
        raise MoneyRefused(
            f"The card ending {card.last4 or '····'} was declined ({declined.message}). "
            f"Nothing was charged; the booking's history notes it."
        ) from declined
    except gateway.GatewayError as error:
        raise MoneyRefused(
            f"Stripe did not answer ({error}). The charge is recorded as waiting; it is settled against Stripe "
            "before anyone can charge it again."
        ) from error
    if intent.status != "succeeded":
        call_failed(
            call,
            intent.error_message or "the card asks the client to confirm (3-D Secure)",
            status=ProviderCall.Status.REQUIRES_ACTION if intent.status == "requires_action" else None,
        )
        money_history(
            current,
            action=BookingEvent.Action.FEE_NOT_CHARGED,
            user=charged_by,
            said=f"{due.label} of {money_format(amount)} not charged: the card needs the client to confirm",
        )
        raise MoneyRefused(
            "The card asks the client to confirm this payment themselves (3-D Secure), which they "
            "cannot do at the desk. Nothing was charged; ask them to pay at the desk instead."
        )
    with transaction.atomic():
        ProviderCall.objects.filter(pk=call.pk).update(
            status=ProviderCall.Status.SUCCEEDED, stripe_id=intent.id, updated_at=timezone.now()
        )
        entry = ledger_entry_record(
            kind=LedgerEntry.Kind.FEE,
            amount=amount,
            method=LedgerEntry.Method.CARD,
            idempotency_key=key,
            actor=LedgerActor.staff(charged_by),
            appointment=current,
            client=current.client,
            stripe_id=intent.id,
            note=due.label.capitalize(),
            now=now,
        )
        money_history(
            current,
            action=BookingEvent.Action.FEE_CHARGED,
            user=charged_by,
            now=now,
            said=f"{due.label} of {money_format(amount)} charged to the card ending {card.last4 or '····'}",
        )
    return entry


def _fee_call_open(appointment: Appointment, *, amount: int, charged_by, now):
    """Steps 1 and 2: lock, re-check, and write the ProviderCall (None when there is no card, noted in the history)."""
    with transaction.atomic():
        rows_lock(appointment)
        current = Appointment.objects.select_related("service", "client").get(pk=appointment.pk)
        due = fee_due(current)
        if refusal := _fee_refusal(current, due=due, amount=amount):
            raise MoneyRefused(refusal)
        card = card_on_file(current.client)
        if card is None:
            said = f"{due.label} of {money_format(amount)} not charged: no card on file"
            money_history(current, action=BookingEvent.Action.FEE_NOT_CHARGED, user=charged_by, said=said, now=now)
            return current, due, None, None
        attempt = ProviderCall.objects.filter(appointment=current, purpose=ProviderCall.Purpose.FEE).count() + 1
        try:
            with transaction.atomic():
                call = ProviderCall.objects.create(
                    idempotency_key=fee_key(current, due.kind, attempt),
                    purpose=ProviderCall.Purpose.FEE,
                    amount=amount,
                    currency=currency(),
                    appointment=current,
                    client=current.client,
                )
        except IntegrityError:  # the same key written a moment ago by another request
            raise MoneyRefused(
                f"The {due.label} is being charged already; its answer from Stripe has not come back yet."
            ) from None
    return current, due, card, call
