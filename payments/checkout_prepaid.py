"""Paying at the payment step with a package credit or a gift card instead of (or before) the card.

- A package credit pays for the whole session: one credit is used for the held booking and the hold is
  confirmed through ``bookings.holds.appointment_hold_confirm``, with no card at all. Using it again (a double
  submit, the back button) finds the same ledger entry: one credit, one confirmation.
- A gift card pays what is due now, or as much of it as its balance allows. When it covers all of it the hold
  is confirmed the same way; otherwise the page asks for a card for the rest (``checkout.checkout_due``).

What was used for a hold that is then released (run out, given up) goes back on the package or the card
(``prepaid_listeners``), as a cancellation before the cutoff does.
"""

from bookings.models import Appointment
from bookings.payment_terms import appointment_terms

from .checkout import Outcome, checkout_due, checkout_hold_confirm
from .giftcards import UNKNOWN_CODE, GiftCardRefused, giftcard_find, giftcard_redeem, giftcard_return
from .ledger import LedgerActor
from .packages import PackageRefused, package_credit_return, package_credit_use, package_holding_find
from .prepaid_selectors import prepaid_for_appointment

UNKNOWN_PACKAGE = "We found no package with that email address and code. Check both against your receipt."


def checkout_prepaid_covers(appointment: Appointment) -> bool:
    """A package credit, or gift cards for all that is due, pay for this hold: no card is needed."""
    prepaid = prepaid_for_appointment(appointment)
    if prepaid.package is not None:
        return True
    due = appointment_terms(appointment).due_at_booking
    return due > 0 and prepaid.gift_card_taken >= due


def _still_held(appointment: Appointment) -> Outcome | None:
    current = Appointment.objects.get(pk=appointment.pk)
    if current.status == Appointment.Status.BOOKED:
        return Outcome(confirmed=True)
    if current.status != Appointment.Status.HELD:
        return Outcome(lost=True)
    return None


def checkout_package_use(*, appointment: Appointment, email: str, code: str) -> Outcome:
    """Pay for the held booking with one credit of the package this email and code prove; confirm it."""
    settled = _still_held(appointment)
    if settled is not None:
        return settled
    purchase = package_holding_find(email=email, code=code)
    if purchase is None:
        return Outcome(error=UNKNOWN_PACKAGE)
    try:
        package_credit_use(purchase=purchase, appointment=appointment, actor=LedgerActor.client())
    except PackageRefused as refused:
        return Outcome(error=refused.message)
    return _confirm_or_give_back(appointment)


def checkout_giftcard_use(*, appointment: Appointment, code: str) -> Outcome:
    """Take what is due now (or all the card has left) from the gift card; confirm the hold if nothing is left due."""
    settled = _still_held(appointment)
    if settled is not None:
        return settled
    due = checkout_due(appointment)
    if due <= 0:
        return Outcome(error="Nothing is due now for this booking; a gift card can pay at the clinic.")
    card = giftcard_find(code)
    if card is None:
        return Outcome(error=UNKNOWN_CODE)
    if card.balance <= 0:
        return Outcome(error="This gift card has been used up.")
    try:
        giftcard_redeem(
            code=card.code, appointment=appointment, amount=min(due, card.balance), actor=LedgerActor.client()
        )
    except GiftCardRefused as refused:
        return Outcome(error=refused.message)
    if checkout_prepaid_covers(appointment):
        return _confirm_or_give_back(appointment)
    return Outcome()


def _confirm_or_give_back(appointment: Appointment) -> Outcome:
    """Confirm the hold; if it was released meanwhile (after its own give-back ran), give back what was just used."""
    outcome = checkout_hold_confirm(appointment)
    if outcome.lost:
        package_credit_return(appointment=appointment, actor=LedgerActor.system())
        giftcard_return(appointment=appointment, actor=LedgerActor.system())
    return outcome
