"""What a session costs to book and to miss: the clinic's payment rules, per service with a clinic-wide default.

Bookings owns these rules because they are part of the booking's terms (the policy text the client
agreed to); the payments app reads them through ``payment_terms`` and takes the money. Every amount
is an integer of minor units of ``CLINIC_CURRENCY`` (core.money). A fee or a deposit is either a
fixed amount or a percentage of the service's price, never both (the database says so).

With payments off (core.money.payments_enabled) the terms say nothing is due, whatever is stored,
so the site runs and reads exactly as it would with no rules at all.
"""

from dataclasses import asdict, dataclass

from core.money import money_format, payments_enabled, percent_of, to_minor

from .models import Appointment, BookingPolicy, Service
from .payment_fields import PAYMENT_TERM_FIELDS, PaymentAtBooking

__all__ = ["PAYMENT_TERM_FIELDS", "PaymentAtBooking", "PaymentTerms", "appointment_terms", "payment_terms"]


@dataclass(frozen=True)
class PaymentTerms:
    """What one service costs to book and to miss, resolved from the service and the clinic's default."""

    mode: str
    price: int
    due_at_booking: int
    late_cancel_fee: int
    no_show_fee: int
    refund_as_credit: bool

    @property
    def takes_card(self) -> bool:
        """The booking needs the client's card: to charge now (deposit, prepayment) or to keep on file."""
        return self.mode != PaymentAtBooking.NONE

    def sentences(self) -> list[str]:
        """The terms in words, for the policy text on the booking page, in the email and on the manage page."""
        said = []
        if self.mode == PaymentAtBooking.CARD:
            said.append("We keep your card on file; nothing is charged when you book.")
        elif self.mode == PaymentAtBooking.DEPOSIT:
            said.append(f"A deposit of {money_format(self.due_at_booking)} is charged when you book.")
        elif self.mode == PaymentAtBooking.FULL:
            said.append(f"The full price, {money_format(self.due_at_booking)}, is charged when you book.")
        if self.due_at_booking:
            back = "kept as credit for your next booking" if self.refund_as_credit else "refunded in full"
            said.append(f"Cancel or move before the cutoff and it is {back}.")
        if self.late_cancel_fee:
            said.append(f"Cancelling after the cutoff costs {money_format(self.late_cancel_fee)}.")
        if self.no_show_fee:
            said.append(f"Missing the session without cancelling costs {money_format(self.no_show_fee)}.")
        return said


NOTHING_DUE = "none"


def _pick(service, policy, prefix: str, price: int) -> int:
    for source in (service, policy):
        amount, percent = getattr(source, f"{prefix}_amount"), getattr(source, f"{prefix}_percent")
        if amount is not None:
            return min(amount, price) if prefix == "deposit" else amount
        if percent is not None:
            return percent_of(price, percent)
    return 0


def payment_terms(service: Service, policy: BookingPolicy | None = None) -> PaymentTerms:
    """The service's own rules where it has them, the clinic's default otherwise; nothing at all with payments off."""
    policy = policy or BookingPolicy.current()
    price = to_minor(service.price)
    if not payments_enabled():
        return PaymentTerms(NOTHING_DUE, price, 0, 0, 0, False)
    mode = service.payment_at_booking or policy.payment_at_booking or PaymentAtBooking.NONE
    due = {PaymentAtBooking.DEPOSIT: _pick(service, policy, "deposit", price), PaymentAtBooking.FULL: price}.get(
        mode, 0
    )
    if mode == PaymentAtBooking.DEPOSIT and due == 0:
        mode = PaymentAtBooking.CARD  # a deposit of nothing is a card kept on file
    return PaymentTerms(
        mode=mode,
        price=price,
        due_at_booking=due,
        late_cancel_fee=_pick(service, policy, "late_cancel_fee", price),
        no_show_fee=_pick(service, policy, "no_show_fee", price),
        refund_as_credit=policy.refund_as_credit,
    )


def terms_to_keep(service: Service) -> dict | None:
    """The terms a new booking is made under, to be kept on it; None with payments off (nothing was agreed)."""
    return asdict(payment_terms(service)) if payments_enabled() else None


def appointment_terms(appointment: Appointment) -> PaymentTerms:
    """The terms one booking was made under: a fee or refund follows what the client was shown, not later edits.

    A booking made while payments were off (or before terms were kept) has today's terms of its service;
    with payments off now, nothing is due whatever was kept.
    """
    if appointment.terms_agreed and payments_enabled():
        return PaymentTerms(**appointment.terms_agreed)
    return payment_terms(appointment.service)
