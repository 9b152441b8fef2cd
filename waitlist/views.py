"""The "Take this time" link of an offer email: GET shows the time and one button, POST takes it.

The page is reached only through the signed token; it shows no personal data beyond the person's
own first name, is never cached, and every way the offer can no longer be taken is a page with a
clear sentence (a tampered link is a 404 page, never a 500). A service paid for at booking goes on to
the payment step, holding the time (waitlist.accept, waitlist.paid).
"""

from datetime import timedelta

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from bookings.payment_terms import payment_terms
from bookings.tokens import manage_token
from bookings.views.booking import SESSION_HELD
from core.paystep import payment_step_url
from core.ratelimit import rate_limit_exceeded
from core.site import clinic_details

from .accept import Outcome, offer_accept, offer_refusal
from .tokens import offer_from_token

TOO_MANY = "Too many requests from your network. Please wait a few minutes and try the link again, or call us."
STATUS = {Outcome.TAKEN: 409, Outcome.LAPSED: 410, Outcome.CLOSED: 410, Outcome.STALE: 409}


@never_cache
def offer(request, token):
    scope = "waitlist:offer_take" if request.method == "POST" else "waitlist:offer_view"
    if rate_limit_exceeded(request, scope=scope):
        return render(request, "waitlist/offer.html", {"error": TOO_MANY, "clinic": clinic_details()}, status=429)
    found = offer_from_token(token)
    if found is None:
        return render(request, "waitlist/offer_missing.html", {"clinic": clinic_details()}, status=404)
    if request.method == "POST":
        result = offer_accept(offer=found, now=timezone.now())
        if result.outcome == Outcome.PAY and payment_step_url():
            # The same payment step as the details form: it reads the held booking from the session.
            request.session[SESSION_HELD] = manage_token(result.appointment)
            return redirect(payment_step_url())
        if result.succeeded or result.outcome == Outcome.ALREADY:
            messages.success(request, result.message)
            return redirect(_booking_path(result.appointment))
    elif request.method in ("GET", "HEAD"):
        result = offer_refusal(found, now=timezone.now())
    else:
        return render(request, "waitlist/offer_missing.html", {"clinic": clinic_details()}, status=405)
    context = {"offer": found, "entry": found.entry, "result": result, "clinic": clinic_details()}
    context["ends_at"] = found.starts_at + timedelta(minutes=found.entry.service.duration_minutes)
    context["terms"] = payment_terms(found.entry.service)
    if result is not None and result.appointment is not None and result.outcome != Outcome.PAY:
        context["booking_url"] = _booking_path(result.appointment)
    status = STATUS.get(result.outcome, 200) if result is not None else 200
    return render(request, "waitlist/offer.html", context, status=status)


def _booking_path(appointment) -> str:
    return reverse("bookings:manage", kwargs={"token": manage_token(appointment)})
