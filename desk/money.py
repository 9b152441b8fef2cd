"""The desk's money on one booking: what is shared by its actions, and the payments taken at the desk.

The actions are a fee charged to the card on file (desk.fees), a refund (desk.refunds) and a payment
taken at the desk (here). Each writes one ledger entry (payments.ledger) and one line of the booking's
history, with the staff user who did it. What goes to Stripe goes through the payments app's own fee
and refund paths, which write a ``ProviderCall`` under the ledger entry's idempotency key before Stripe
is asked, so a double click or two people at the desk meet at that unique key and never charge twice.
A form that records money carries its own token (desk.moneyforms), part of the entry's key, so the
same form sent twice is one entry.
"""

from decimal import Decimal, InvalidOperation

from babel.numbers import get_currency_symbol
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from bookings.history import Actor, booking_event_record
from bookings.models import Appointment, BookingEvent
from core.money import currency, minor_digits, money_format, to_minor
from payments.ledger import LedgerActor, ledger_entry_record
from payments.models import LedgerEntry, LedgerRefused

DESK_METHODS = (LedgerEntry.Method.CASH, LedgerEntry.Method.TERMINAL)
MONEY_IN = (LedgerEntry.Kind.CHARGE, LedgerEntry.Kind.FEE, LedgerEntry.Kind.DESK_PAYMENT, LedgerEntry.Kind.SALE)
LARGEST_AMOUNT = 10**9  # minor units: ten million dollars is not a massage


class MoneyRefused(Exception):
    """A money action the desk may not do, with the reason in words for the person at the desk."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def amount_parse(text) -> int:
    """What someone typed as an amount ("45", "45.5", "$1,045.50") in minor units; ``MoneyRefused`` says what is wrong."""
    cleaned = str(text or "").strip().replace(",", "").replace(" ", "")
    symbol = get_currency_symbol(currency(), locale=settings.LANGUAGE_CODE.replace("-", "_"))
    cleaned = cleaned.removeprefix(symbol)
    if not cleaned:
        raise MoneyRefused("Enter an amount.")
    try:
        value = Decimal(cleaned[:30])
    except InvalidOperation:
        raise MoneyRefused(f"“{str(text)[:30]}” is not an amount: write it as a number, e.g. 45.00.") from None
    if not value.is_finite():
        raise MoneyRefused("Enter an amount as a number, e.g. 45.00.")
    if value < 0:
        raise MoneyRefused("An amount cannot be negative.")
    digits = minor_digits()
    if value.as_tuple().exponent < -digits:
        raise MoneyRefused(f"Use at most {digits} digits after the point." if digits else "Use whole amounts.")
    amount = to_minor(value)
    if amount == 0:
        raise MoneyRefused("An amount must be more than nothing.")
    if amount > LARGEST_AMOUNT:
        raise MoneyRefused("That amount is far beyond anything the clinic charges.")
    return amount


def money_history(appointment: Appointment, *, action: str, user, said: str, now=None) -> None:
    booking_event_record(
        appointment=appointment, action=action, actor=Actor.staff(user), changes={"money": [None, said]}, at=now
    )


# --- payments taken at the desk -----------------------------------------------------------------------


def desk_payment_record(
    *, appointment: Appointment, amount: int, method: str, note: str, intention: str, recorded_by, now=None
) -> LedgerEntry:
    """Record money the client paid at the desk (cash, card terminal); the same form sent twice is one payment."""
    if method not in DESK_METHODS:
        raise MoneyRefused("Choose how the client paid: cash or the card terminal.")
    if amount <= 0:
        raise MoneyRefused("An amount must be more than nothing.")
    now = now or timezone.now()
    key = f"desk-payment:{appointment.pk}:{intention[:40]}"
    with transaction.atomic():
        if existing := LedgerEntry.objects.filter(idempotency_key=key).first():
            return existing
        try:
            entry = ledger_entry_record(
                kind=LedgerEntry.Kind.DESK_PAYMENT,
                amount=amount,
                method=method,
                idempotency_key=key,
                actor=LedgerActor.staff(recorded_by),
                appointment=appointment,
                client=appointment.client,
                note=note,
                now=now,
            )
        except (LedgerRefused, IntegrityError) as refused:
            raise MoneyRefused(str(refused)) from refused
        money_history(
            appointment,
            action=BookingEvent.Action.PAYMENT_RECORDED,
            user=recorded_by,
            now=now,
            said=f"{money_format(amount)} paid at the desk ({LedgerEntry.Method(method).label.lower()})",
        )
    return entry
