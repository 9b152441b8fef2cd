"""What a booking's changes cost, as bookings announces them (bookings.signals), connected in PaymentsConfig.ready.

- Cancelled before the cutoff: every card payment for it is refunded in full (or, with the policy's
  ``refund_as_credit``, kept as credit for the client's next booking).
- Cancelled after the cutoff: the late-cancel fee of its terms is kept from what was paid and the rest
  refunded; if the fee is more than was paid, the difference is charged to the card on file.
- A payment hold released after its payment went through: refunded in full.
- Moved: the payment stays with the booking; nothing to do.

Signals arrive after the booking's change has committed; a failure here (Stripe down) is logged and
left to reconciliation, and never undoes the cancel.
"""

import logging

from bookings import signals
from bookings.models import Appointment
from bookings.payment_terms import appointment_terms
from core.money import payments_enabled

from . import gateway
from .fees import appointment_fee_charge
from .ledger import LedgerActor, ledger_entry_record, refundable_left
from .models import LedgerEntry, LedgerRefused
from .prepaid_selectors import prepaid_for_appointment
from .refunds import payment_refund

logger = logging.getLogger(__name__)


def _card_payments(appointment) -> list[LedgerEntry]:
    entries = LedgerEntry.objects.filter(
        appointment=appointment, kind__in=("charge", "fee"), method=LedgerEntry.Method.CARD
    ).order_by("-created_at", "-pk")
    return list(entries)


def _give_back(appointment, amount: int, *, reason: str, as_credit: bool) -> None:
    """Give back ``amount`` of the booking's card payments, newest first (to the card, or as credit)."""
    for entry in _card_payments(appointment):
        if amount <= 0:
            return
        part = min(amount, refundable_left(entry))
        if part <= 0:
            continue
        if as_credit:
            # Kept as credit: the payment stays, the client's credit grows by the same amount.
            ledger_entry_record(
                kind=LedgerEntry.Kind.CREDIT,
                amount=part,
                method=LedgerEntry.Method.CREDIT,
                idempotency_key=f"credit:{entry.pk}:cancel",
                actor=LedgerActor.system(),
                appointment=appointment,
                client=appointment.client,
                note=reason,
            )
        else:
            payment_refund(entry=entry, amount=part, actor=LedgerActor.system(), reason=reason)
        amount -= part


def appointment_cancelled_settle(*, appointment_id: int, late: bool) -> None:
    appointment = Appointment.objects.select_related("service", "client").get(pk=appointment_id)
    terms = appointment_terms(appointment)
    paid = sum(refundable_left(entry) for entry in _card_payments(appointment))
    if not late:
        _give_back(appointment, paid, reason="Cancelled before the cutoff", as_credit=terms.refund_as_credit)
        return
    prepaid = prepaid_for_appointment(appointment)
    if prepaid.package is not None:
        return  # paid with a package credit: a late cancel keeps the credit used, and that is its fee
    # What a gift card paid is kept too (prepaid_listeners gives it back only before the cutoff): it counts.
    fee = max(0, terms.late_cancel_fee - prepaid.gift_card_taken)
    if paid > fee:
        _give_back(appointment, paid - fee, reason="Cancelled late: the fee is kept", as_credit=False)
    elif fee > paid and appointment.client is not None:
        appointment_fee_charge(
            appointment=appointment, kind="late_cancel", amount=fee - paid, actor=LedgerActor.system()
        )


def _on_cancelled(sender, *, appointment_id, late, **kwargs):
    if not payments_enabled():
        return
    try:
        appointment_cancelled_settle(appointment_id=appointment_id, late=late)
    except (gateway.GatewayError, LedgerRefused):
        logger.exception("The money of cancelled appointment %s is left to reconciliation", appointment_id)


def _on_hold_released(sender, *, appointment_id, **kwargs):
    if not payments_enabled():
        return
    appointment = Appointment.objects.get(pk=appointment_id)
    paid = sum(refundable_left(entry) for entry in _card_payments(appointment))
    if paid:
        try:
            _give_back(appointment, paid, reason="Held time was released", as_credit=False)
        except (gateway.GatewayError, LedgerRefused):
            logger.exception("The payment of released hold %s is left to reconciliation", appointment_id)


def connect() -> None:
    signals.appointment_cancelled.connect(_on_cancelled, dispatch_uid="payments.cancelled")
    signals.hold_released.connect(_on_hold_released, dispatch_uid="payments.hold_released")
