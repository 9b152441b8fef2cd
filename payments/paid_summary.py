"""How one booking was paid, in the sentences its summary and emails show (registered with core.paysummary).

One place says it, from the ledger: a package credit (and the credits left), what gift cards paid (and what is
left on them), what the card paid or was refunded, what is still due at the clinic and what a cancellation gives
back. A booking paid with a credit never reads "due at the clinic".
"""

from dataclasses import dataclass

from bookings.models import Appointment
from bookings.payment_terms import appointment_terms
from core.clinictime import clinic_date
from core.money import money_format

from .models import CardOnFile, LedgerEntry
from .prepaid_models import PackagePurchase
from .prepaid_selectors import appointment_price
from .selectors import MONEY_IN


@dataclass(frozen=True)
class _Prepaid:
    package: PackagePurchase | None
    gift_card_taken: int
    gift_card_left: int


def appointment_paid_summary(appointment: Appointment) -> list[str]:
    """The sentences saying how ``appointment`` is paid; empty when nothing is paid and no card is kept.

    One read of the booking's ledger entries (with their package and gift card) and one of its card."""
    entries = list(LedgerEntry.objects.filter(appointment=appointment).select_related("package__package", "gift_card"))
    package_uses = [entry for entry in entries if entry.method == LedgerEntry.Method.PACKAGE]
    gift_entries = [entry for entry in entries if entry.gift_card_id and entry.kind != LedgerEntry.Kind.SALE]
    prepaid = _Prepaid(
        package=package_uses[-1].package if len(package_uses) % 2 == 1 else None,  # a use not given back
        gift_card_taken=-sum(entry.amount for entry in gift_entries),
        gift_card_left=sum({entry.gift_card_id: entry.gift_card.balance for entry in gift_entries}.values()),
    )
    paid = sum(entry.amount for entry in entries if entry.kind in (*MONEY_IN, "refund"))
    refunded = -sum(entry.amount for entry in entries if entry.kind == "refund")
    card = CardOnFile.objects.filter(appointment=appointment).first()
    said = []
    if prepaid.package is not None:
        purchase = prepaid.package
        until = f", to use by {clinic_date(purchase.expires_at, 'j F Y')}" if purchase.expires_at else ""
        said.append(
            f"Paid with a credit from {purchase.package.name}: "
            f"{purchase.credits_left} of {purchase.sessions} credits left{until}."
        )
    if prepaid.gift_card_taken:
        said.append(
            f"{money_format(prepaid.gift_card_taken)} paid with a gift card "
            f"({money_format(prepaid.gift_card_left)} left on it)."
        )
    if refunded and paid:
        said.append(f"Paid online for this booking: {money_format(paid)}, after a refund of {money_format(refunded)}.")
    elif refunded:
        said.append(f"Your payment of {money_format(refunded)} was refunded in full.")
    elif paid:
        said.append(f"Paid online for this booking: {money_format(paid)}.")
    if not said and card is None:
        return _nothing_taken(appointment)
    if appointment.status == Appointment.Status.BOOKED:
        said.extend(_still_due_and_give_back(appointment, prepaid, paid))
    if card is not None:
        said.append(f"Card on file: {card}.")
    return said


def _still_due_and_give_back(appointment, prepaid, paid: int) -> list[str]:
    if prepaid.package is not None:
        return [
            "Nothing is due at the clinic.",
            "Cancel or move before the cutoff and the credit goes back on your package; "
            "a late cancel or a missed session uses it.",
        ]
    rest = appointment_price(appointment) - prepaid.gift_card_taken - paid
    said = [f"Still due at the clinic: {money_format(rest)}." if rest > 0 else "Nothing is due at the clinic."]
    if prepaid.gift_card_taken:
        said.append("Cancel or move before the cutoff and the gift card amount goes back on the card.")
    terms = appointment_terms(appointment)
    # The terms' own sentences, less the one about paying at booking (done, and said above).
    said.extend(sentence for sentence in terms.sentences() if "when you book" not in sentence)
    return said


def _nothing_taken(appointment) -> list[str]:
    """A booking whose terms take a card that was booked without one (by phone at the desk, or before payments
    were on): nothing was paid online and the terms' "charged when you book" is not what happened."""
    terms = appointment_terms(appointment)
    if appointment.status != Appointment.Status.BOOKED or not terms.takes_card:
        return []
    said = [f"Nothing was paid online: {money_format(terms.price)} is due at the clinic."]
    said.extend(
        sentence for sentence in terms.sentences() if "when you book" not in sentence and "before" not in sentence
    )
    return said
