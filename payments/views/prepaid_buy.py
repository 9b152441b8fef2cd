"""Buying a package or a gift card online: the details form, then the pay page with Stripe's card element.

The pay page is reached through a signed, expiring token naming the pending purchase (no personal data
in the address), loads Stripe.js and widens the Content-Security-Policy for that response alone
(payments.stripejs), and shares the booking payment step's script (payments/js/checkout.js): the script
confirms the card and posts back only the SetupIntent's or PaymentIntent's id. The amount is the
purchase's own. With payments off none of these pages exists.
"""

from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from core.ratelimit import rate_limit_exceeded
from core.site import clinic_details

from .. import gateway
from ..giftcards import GiftCardRefused, giftcard_start
from ..packages import PackageRefused, package_purchase_start
from ..prepaid_checkout import (
    Checkout,
    checkout_authenticated,
    checkout_begin,
    checkout_complete,
    checkout_from_token,
    checkout_token,
)
from ..prepaid_forms import GiftCardBuyForm, PackageBuyForm
from ..prepaid_models import Package, SaleMethod
from ..stripejs import stripe_js_csp, stripe_js_url
from .prepaid import payments_required

MAX_ID_LENGTH = 255
TOO_MANY = "Too many purchases started from your network. Please wait a while, or call us."
UNREACHABLE = "We could not reach the card processor. Nothing was charged; please try again in a moment."


def packages_list(request):
    payments_required()
    packages = Package.objects.filter(is_active=True).prefetch_related("services")
    context = {"packages": packages, "clinic": clinic_details()}
    return render(request, "payments/packages.html", context)


def _begin(request, checkout: Checkout):
    try:
        checkout_begin(checkout)
    except gateway.GatewayError:
        return None
    return redirect("payments:prepaid_pay", token=checkout_token(checkout))


@never_cache
def package_buy(request, pk):
    payments_required()
    package = get_object_or_404(Package, pk=pk, is_active=True)
    form = PackageBuyForm(request.POST if request.method == "POST" else None)  # an empty POST is refused, not unbound
    context = {"package": package, "form": form, "clinic": clinic_details()}
    if request.method == "POST":
        if rate_limit_exceeded(request, scope="payments:checkout"):
            return render(request, "payments/package_buy.html", {**context, "error": TOO_MANY}, status=429)
        if form.is_valid():
            try:
                purchase = package_purchase_start(package=package, method=SaleMethod.CARD, **form.cleaned_data)
            except PackageRefused as refused:
                form.add_error(None, refused.message)
            else:
                answer = _begin(request, Checkout("package", purchase))
                if answer is not None:
                    return answer
                context["error"] = UNREACHABLE
        return render(request, "payments/package_buy.html", context, status=400 if form.errors else 503)
    return render(request, "payments/package_buy.html", context)


@never_cache
def giftcard_buy(request):
    payments_required()
    form = GiftCardBuyForm(request.POST if request.method == "POST" else None)
    context = {"form": form, "clinic": clinic_details()}
    if request.method == "POST":
        if rate_limit_exceeded(request, scope="payments:checkout"):
            return render(request, "payments/giftcard_buy.html", {**context, "error": TOO_MANY}, status=429)
        if form.is_valid():
            try:
                card = giftcard_start(method=SaleMethod.CARD, **form.cleaned_data)
            except GiftCardRefused as refused:
                form.add_error(None, refused.message)
            else:
                answer = _begin(request, Checkout("giftcard", card))
                if answer is not None:
                    return answer
                context["error"] = UNREACHABLE
        return render(request, "payments/giftcard_buy.html", context, status=400 if form.errors else 503)
    return render(request, "payments/giftcard_buy.html", context)


def _pay_page(request, checkout: Checkout, token: str, *, error="", action_secret="", client_secret="", status=200):
    if not client_secret and not action_secret:
        try:
            client_secret = checkout_begin(checkout).client_secret
        except gateway.GatewayError:
            error, status = UNREACHABLE, 503
    context = {
        "checkout": checkout,
        "token": token,
        "error": error,
        "client_secret": client_secret,
        "action_secret": action_secret,
        "stripe_js_url": stripe_js_url(),
        "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        "clinic": clinic_details(),
    }
    response = render(request, "payments/prepaid_pay.html", context, status=status)
    response._csp_update = stripe_js_csp()
    return response


def _found(token):
    payments_required()
    return checkout_from_token(token)


@never_cache
def prepaid_pay(request, token):
    checkout = _found(token)
    if checkout is None:
        return render(request, "payments/prepaid_missing.html", {"clinic": clinic_details()}, status=404)
    if checkout.paid:
        return redirect("payments:prepaid_done", token=token)
    if request.method != "POST":
        return _pay_page(request, checkout, token)
    if rate_limit_exceeded(request, scope="bookings:book"):
        return _pay_page(
            request, checkout, token, error="Too many attempts from your network. Please wait.", status=429
        )
    setup_intent = request.POST.get("setup_intent", "")[:MAX_ID_LENGTH]
    payment_intent = request.POST.get("payment_intent", "")[:MAX_ID_LENGTH]
    try:
        if payment_intent:
            outcome = checkout_authenticated(checkout)
        elif setup_intent:
            outcome = checkout_complete(checkout, setup_intent_id=setup_intent)
        else:
            return _pay_page(request, checkout, token, error="Please enter your card details.", status=400)
    except gateway.GatewayError:
        return _pay_page(request, checkout, token, error=UNREACHABLE, status=503)
    if outcome.paid:
        return redirect("payments:prepaid_done", token=token)
    if outcome.action_needed:
        return _pay_page(request, checkout, token, action_secret=outcome.client_secret)
    return _pay_page(request, checkout, token, error=outcome.error, client_secret=outcome.client_secret, status=402)


@never_cache
def prepaid_done(request, token):
    checkout = _found(token)
    if checkout is None or not checkout.paid:
        return render(request, "payments/prepaid_missing.html", {"clinic": clinic_details()}, status=404)
    checkout.record.refresh_from_db()
    return render(request, "payments/prepaid_done.html", {"checkout": checkout, "clinic": clinic_details()})
