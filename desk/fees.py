"""A booking's no-show or late-cancel fee, charged at the desk to the client's card on file, once.

The charge itself is the payments app's one fee path (``payments.fees.appointment_fee_charge``: a
ProviderCall under ``fee:<kind>:<booking>`` written before Stripe is asked, the same key on the
ledger entry, a receipt emailed); the automatic late-cancel fee goes through it too, so the desk and
a client's late cancel never both charge. Here: what the desk may charge (the policy's fee less what
was already paid for the session, never more), a refusal in words, and the booking's history.
"""

from dataclasses import dataclass
from datetime import timedelta

from bookings.models import Appointment, BookingEvent, BookingPolicy
from bookings.payment_terms import appointment_terms
from core.money import money_format
from payments import gateway
from payments.fees import appointment_fee_charge
from payments.ledger import LedgerActor
from payments.models import LedgerEntry, LedgerRefused, ProviderCall
from payments.selectors import appointment_paid, card_on_file

from .money import MoneyRefused, money_history

FEE_LABELS = {"no_show": "no-show fee", "late_cancel": "late-cancel fee"}


@dataclass(frozen=True)
class FeeDue:
    kind: str  # "no_show" or "late_cancel"
    policy_fee: int  # minor units
    paid: int  # already paid for the session (a deposit kept), which counts towards the fee

    @property
    def label(self) -> str:
        return FEE_LABELS[self.kind]

    @property
    def amount(self) -> int:
        """The most the desk may charge."""
        return max(0, self.policy_fee - self.paid)


def _late_cancel(appointment: Appointment) -> bool:
    if appointment.status != Appointment.Status.CANCELLED or appointment.cancelled_at is None:
        return False
    cutoff = timedelta(hours=BookingPolicy.current().cancel_cutoff_hours)
    return appointment.starts_at - appointment.cancelled_at < cutoff


def fee_due(appointment: Appointment) -> FeeDue | None:
    """The fee this booking's outcome calls for under the policy (None: no fee, or payments are off)."""
    terms = appointment_terms(appointment)
    if appointment.status == Appointment.Status.NO_SHOW and terms.no_show_fee:
        kind, fee = "no_show", terms.no_show_fee
    elif _late_cancel(appointment) and terms.late_cancel_fee:
        kind, fee = "late_cancel", terms.late_cancel_fee
    else:
        return None
    return FeeDue(kind, fee, paid=max(0, appointment_paid(appointment)))


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
    if due.amount == 0:
        return f"Nothing to charge: the {money_format(due.paid)} already paid for this session covers the {due.label}."
    if amount > due.amount:
        return f"The {due.label} is at most {money_format(due.amount)}; charge that or less."
    if amount <= 0:
        return "An amount must be more than nothing."
    return None


def fee_charge(*, appointment: Appointment, amount: int, charged_by) -> LedgerEntry:
    """Charge the booking's fee (``amount`` minor units, at most what ``fee_due`` allows) to the card on file, once.

    Raises ``MoneyRefused`` with the reason (no fee due, already charged or being charged, more than the
    fee, no card on file, the card declined); a refusal for the card is noted in the booking's history.
    """
    current = Appointment.objects.select_related("service", "client").get(pk=appointment.pk)
    due = fee_due(current)
    if refusal := _fee_refusal(current, due=due, amount=amount):
        raise MoneyRefused(refusal)
    tried = f"{due.label} of {money_format(amount)}"
    card = card_on_file(current.client)
    if card is None:
        money_history(
            current,
            action=BookingEvent.Action.FEE_NOT_CHARGED,
            user=charged_by,
            said=f"{tried} not charged: no card on file",
        )
        raise MoneyRefused(f"There is no card on file for {current.client_name}: the {due.label} was not charged.")
    try:
        entry = appointment_fee_charge(
            appointment=current, kind=due.kind, amount=amount, actor=LedgerActor.staff(charged_by)
        )
    except gateway.CardDeclined as declined:
        money_history(
            current,
            action=BookingEvent.Action.FEE_NOT_CHARGED,
            user=charged_by,
            said=f"{tried} declined: {declined.message}",
        )
        raise MoneyRefused(
            f"The card ending {card.last4 or '····'} was declined ({declined.message}). "
            "Nothing was charged; the booking's history notes it."
        ) from declined
    except gateway.GatewayError as error:
        raise MoneyRefused(
            f"Stripe did not answer ({error}). Nothing is recorded as charged; try again in a moment."
        ) from error
    except LedgerRefused as refused:  # another request charged it, or is charging it, a moment ago
        raise MoneyRefused(str(refused)) from refused
    said = f"{tried} charged to the card ending {card.last4 or '····'}"
    money_history(current, action=BookingEvent.Action.FEE_CHARGED, user=charged_by, said=said)
    return entry
