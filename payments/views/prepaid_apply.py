"""Paying for a booking from its manage page with a package credit or a gift card (forms of prepaid_panels).

The booking is named by its signed manage token (never personal data); the holder proves the package with
its email and private code, the gift card with its code. Each attempt counts against the visitor's
``payments:giftcard_lookup`` limit, found or not. Refusals come back to the manage page as a message.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from bookings.models import Appointment
from bookings.tokens import appointment_from_manage_token
from core.money import money_format, payments_enabled
from core.ratelimit import rate_limit_exceeded

from ..giftcards import UNKNOWN_CODE, GiftCardRefused, giftcard_find, giftcard_redeem
from ..ledger import LedgerActor
from ..packages import PackageRefused, package_credit_use, package_holding_find
from ..prepaid_forms import GiftCardCodeForm, PackageCodeForm
from ..prepaid_selectors import appointment_price, prepaid_for_appointment
from ..selectors import appointment_paid

TOO_MANY = "Too many codes tried from your network. Please wait a few minutes, or call us."
NOT_PAYABLE = "This booking cannot be paid for here any more."
UNKNOWN_PACKAGE = "We found no package with that email address and code. Check both against your receipt."


def _booking(request, token) -> Appointment:
    if not payments_enabled():
        raise Http404("The clinic takes no payments online.")
    appointment = appointment_from_manage_token(token)
    if appointment is None:
        raise Http404("No booking for that link.")
    return appointment


def _payable(appointment) -> bool:
    return appointment.status == Appointment.Status.BOOKED and appointment_paid(appointment) == 0


def _first_error(form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


@never_cache
@require_POST
def package_apply(request, token):
    appointment = _booking(request, token)
    if rate_limit_exceeded(request, scope="payments:giftcard_lookup"):
        messages.error(request, TOO_MANY)
        return redirect("bookings:manage", token=token)
    form = PackageCodeForm(request.POST, prefix="package")
    if not form.is_valid():
        messages.error(request, _first_error(form))
    elif not _payable(appointment):
        messages.error(request, NOT_PAYABLE)
    else:
        purchase = package_holding_find(email=form.cleaned_data["email"], code=form.cleaned_data["code"])
        if purchase is None:
            messages.error(request, UNKNOWN_PACKAGE)
        else:
            try:
                package_credit_use(purchase=purchase, appointment=appointment, actor=LedgerActor.client())
            except PackageRefused as refused:
                messages.error(request, refused.message)
            else:
                purchase.refresh_from_db()
                messages.success(
                    request,
                    f"Paid with a credit from {purchase.package.name}: "
                    f"{purchase.credits_left} of {purchase.sessions} credits left.",
                )
    return redirect("bookings:manage", token=token)


@never_cache
@require_POST
def giftcard_apply(request, token):
    appointment = _booking(request, token)
    if rate_limit_exceeded(request, scope="payments:giftcard_lookup"):
        messages.error(request, TOO_MANY)
        return redirect("bookings:manage", token=token)
    form = GiftCardCodeForm(request.POST, prefix="gift")
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("bookings:manage", token=token)
    prepaid = prepaid_for_appointment(appointment)
    due = appointment_price(appointment) - prepaid.gift_card_taken
    if not _payable(appointment) or prepaid.package is not None or due <= 0:
        messages.error(request, NOT_PAYABLE)
        return redirect("bookings:manage", token=token)
    card = giftcard_find(form.cleaned_data["code"])
    if card is None:
        messages.error(request, UNKNOWN_CODE)
        return redirect("bookings:manage", token=token)
    amount = min(due, card.balance)
    try:
        giftcard_redeem(code=card.code, appointment=appointment, amount=amount, actor=LedgerActor.client())
    except GiftCardRefused as refused:
        messages.error(request, refused.message)
    else:
        card.refresh_from_db()
        rest = due - amount
        messages.success(
            request,
            f"{money_format(amount)} taken from your gift card; {money_format(card.balance)} is left on it."
            + (f" {money_format(rest)} is still due at the clinic." if rest else ""),
        )
    return redirect("bookings:manage", token=token)
