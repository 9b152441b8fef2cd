"""The client's payment step, between the details form and the confirmation.

The booking is held (bookings.holds) and named only in the session (bookings' SESSION_HELD), never
in the address. GET shows the card element; the script confirms the card with Stripe.js and posts
back the SetupIntent's id; the server checks it against this booking and charges what is due
(payments.checkout). A card that needs 3-D Secure for the charge comes back with the charge's
secret for the script to confirm, then posts the PaymentIntent's id. Without JavaScript the page
says that the card form needs it and how to book by phone instead.
"""

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from bookings.holds import appointment_hold_release
from bookings.models import Appointment
from bookings.payment_terms import appointment_terms
from bookings.tokens import appointment_from_manage_token, manage_token
from bookings.views.booking import SESSION_CONFIRMED, SESSION_HELD
from core.money import payments_enabled
from core.ratelimit import rate_limit_exceeded

from .. import gateway
from ..checkout import CheckoutRefused, checkout_card_saved, checkout_open, checkout_payment_authenticated
from ..checkout_prepaid import checkout_giftcard_use, checkout_package_use
from ..prepaid_forms import GiftCardCodeForm, PackageCodeForm
from ..prepaid_selectors import prepaid_for_appointment
from ..stripejs import stripe_js_csp, stripe_js_url

MAX_ID_LENGTH = 255
TOO_MANY_CODES = "Too many codes tried from your network. Please wait a few minutes, or call us."


def _held(request) -> Appointment | None:
    token = request.session.get(SESSION_HELD, "")
    return appointment_from_manage_token(token) if token else None


def _page(request, appointment, *, error="", action_secret="", status=200, package_form=None, gift_form=None):
    context = {
        "appointment": appointment,
        "terms": appointment_terms(appointment),
        "prepaid": prepaid_for_appointment(appointment),
        "package_form": package_form or PackageCodeForm(prefix="package"),
        "gift_form": gift_form or GiftCardCodeForm(prefix="gift"),
        "error": error,
        "action_secret": action_secret,
        "stripe_js_url": stripe_js_url(),
        "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
    }
    try:
        checkout = checkout_open(appointment=appointment)
    except gateway.GatewayError:
        context["error"] = "We could not reach the card processor. Please try again in a moment, or call us."
        return render(request, "payments/checkout.html", context, status=503)
    context.update(client_secret=checkout.client_secret, amount_due=checkout.amount_due)
    response = render(request, "payments/checkout.html", context, status=status)
    response._csp_update = stripe_js_csp()
    return response


def _confirmed(request, appointment):
    request.session.pop(SESSION_HELD, None)
    request.session[SESSION_CONFIRMED] = manage_token(appointment)
    return redirect("bookings:confirmed")


def _finished(request, appointment, outcome):
    if outcome.confirmed:
        return _confirmed(request, appointment)
    if outcome.lost:
        return _lost(request, appointment)
    status = 402 if outcome.error else 200
    return _page(request, appointment, error=outcome.error, action_secret=outcome.action_secret, status=status)


def _lost(request, appointment):
    request.session.pop(SESSION_HELD, None)
    return render(request, "payments/checkout_lost.html", {"appointment": appointment}, status=409)


@never_cache
def checkout(request):
    if not payments_enabled():
        raise Http404("Payments are not set up.")
    appointment = _held(request)
    if appointment is None:
        return render(request, "payments/checkout_lost.html", {"appointment": None}, status=404)
    if appointment.status == Appointment.Status.BOOKED:
        return _confirmed(request, appointment)
    if appointment.status != Appointment.Status.HELD:
        return _lost(request, appointment)
    if request.method != "POST":
        return _page(request, appointment)
    if rate_limit_exceeded(request, scope="bookings:book"):
        return _page(
            request, appointment, error="Too many attempts from your network. Please wait or call us.", status=429
        )
    if request.POST.get("give_up"):
        appointment_hold_release(appointment=appointment, reason="Client left the payment step")
        return _lost(request, appointment)
    if request.POST.get("use_package") or request.POST.get("use_gift"):
        return _prepaid(request, appointment)
    setup_intent = request.POST.get("setup_intent", "")[:MAX_ID_LENGTH]
    payment_intent = request.POST.get("payment_intent", "")[:MAX_ID_LENGTH]
    try:
        if payment_intent:
            outcome = checkout_payment_authenticated(appointment=appointment, payment_intent_id=payment_intent)
        elif setup_intent:
            outcome = checkout_card_saved(appointment=appointment, setup_intent_id=setup_intent)
        else:
            return _page(request, appointment, error="Please enter your card details.", status=400)
    except CheckoutRefused as refused:
        return _page(request, appointment, error=refused.message, status=400)
    except gateway.GatewayError:
        return _page(
            request,
            appointment,
            error="We could not reach the card processor. Nothing was charged; please try again.",
            status=503,
        )
    return _finished(request, appointment, outcome)


def _prepaid(request, appointment):
    """A package credit or a gift card offered at the payment step; what was typed stays in the form on a refusal."""
    if rate_limit_exceeded(request, scope="payments:giftcard_lookup"):
        return _page(request, appointment, error=TOO_MANY_CODES, status=429)
    if request.POST.get("use_package"):
        form = PackageCodeForm(request.POST, prefix="package")
        forms = {"package_form": form}
        if form.is_valid():
            data = form.cleaned_data
            outcome = checkout_package_use(appointment=appointment, email=data["email"], code=data["code"])
    else:
        form = GiftCardCodeForm(request.POST, prefix="gift")
        forms = {"gift_form": form}
        if form.is_valid():
            outcome = checkout_giftcard_use(appointment=appointment, code=form.cleaned_data["code"])
    if not form.is_valid():
        message = " ".join(str(error) for errors in form.errors.values() for error in errors)
        return _page(request, appointment, error=message, status=400, **forms)
    if outcome.error:
        return _page(request, appointment, error=outcome.error, status=400, **forms)
    return _finished(request, appointment, outcome)
