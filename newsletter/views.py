from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from core.clientip import client_ip
from core.httpcache import cross_site
from core.ratelimit import rate_limit_exceeded

from .forms import SubscribeForm
from .services import CONSENT_TEXT, ConfirmationSuperseded, subscription_confirm, subscription_end, subscription_request
from .tokens import TokenExpired, TokenInvalid, confirm_token_read, unsubscribe_token_read

SUBSCRIBE_ACCEPTED = "Almost there — check your inbox to confirm"
SUBSCRIBE_THROTTLED = "Too many sign-up attempts from your connection. Please wait a few minutes and try again."
SUBSCRIBE_CROSS_SITE = (
    "This sign-up form was sent from another website, so we did nothing. Please use the form on our own pages."
)
CONFIRMED = "Thank you! Your subscription has been confirmed. You'll hear from us soon."
# The pages' headings; the confirm page's script puts the same one in place of "Confirm your subscription".
CONFIRMED_HEADING = "Subscription confirmed"
CONFIRM_PROBLEM_HEADING = "We couldn't confirm with this link"
CONFIRM_PROBLEMS = {
    "expired": "This confirmation link has expired: links work for 7 days. Enter your address again and we'll send a fresh one.",
    "invalid": "This confirmation link is not valid — it may have been cut short when it was copied. Enter your address again and we'll send a fresh one.",
    "superseded": "This link was sent before you unsubscribed, so it can't subscribe you again. Enter your address again and we'll send a fresh confirmation link.",
}


def _wants_json(request: HttpRequest) -> bool:
    return (
        "application/json" in request.headers.get("Accept", "")
        or request.headers.get("X-Requested-With") == "XMLHttpRequest"
    )


@csrf_exempt  # the form is on every public page, which carries no CSRF token: see core.httpcache
@require_http_methods(["GET", "POST"])
def subscribe(request):
    """Same answer for every address, whatever its state; JSON for the widget, a page without JavaScript.

    Without a CSRF token the form is guarded by double opt-in, the rate limit, the honeypot, the
    fill-time stamp and the browser's word on where the request came from (``cross_site``).
    A sign-up without JavaScript is answered with a redirect to the "check your inbox" page, so
    reloading that page asks for nothing again; a GET here shows the form on its own page.
    """
    if request.method == "GET":
        return render(request, "newsletter/subscribe.html")
    wants_json = _wants_json(request)
    if cross_site(request):
        if wants_json:
            return JsonResponse({"ok": False, "message": SUBSCRIBE_CROSS_SITE}, status=403)
        return render(request, "newsletter/subscribe.html", {"subscribe_error": SUBSCRIBE_CROSS_SITE}, status=403)
    if rate_limit_exceeded(request, scope="newsletter:subscribe"):
        if wants_json:
            return JsonResponse({"ok": False, "message": SUBSCRIBE_THROTTLED}, status=429)
        context = {"subscribe_error": SUBSCRIBE_THROTTLED, "subscribe_email": request.POST.get("email", "")[:254]}
        return render(request, "newsletter/subscribe.html", context, status=429)
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        if wants_json:
            return JsonResponse({"ok": False, "message": form.first_error(), "errors": form.errors}, status=400)
        context = {"subscribe_error": form.first_error(), "subscribe_email": request.POST.get("email", "")[:254]}
        return render(request, "newsletter/subscribe.html", context, status=400)
    if not form.is_bot():
        subscription_request(
            email=form.cleaned_data["email"],
            source_url=form.source_url(),
            consent_text=CONSENT_TEXT,
            ip_address=client_ip(request),
        )
    if wants_json:
        return JsonResponse({"ok": True, "message": SUBSCRIBE_ACCEPTED})
    accepted = redirect("newsletter:subscribe_sent")
    accepted.status_code = 303  # See Other: the browser GETs the answer page (RFC 9110 15.4.4)
    return accepted


@require_GET
def subscribe_sent(request):
    """The "check your inbox" page: the same for everyone, whatever address was given, and safe to reload."""
    return render(request, "newsletter/subscribe_done.html", {"message": SUBSCRIBE_ACCEPTED})


def _confirm_problem(request, problem: str, *, wants_json: bool) -> HttpResponse:
    status = 410 if problem == "expired" else 400
    if wants_json:
        answer = {"ok": False, "heading": CONFIRM_PROBLEM_HEADING, "message": CONFIRM_PROBLEMS[problem]}
        return JsonResponse(answer, status=status)
    context = {"heading": CONFIRM_PROBLEM_HEADING, "problem": CONFIRM_PROBLEMS[problem]}
    return render(request, "newsletter/confirm_problem.html", context, status=status)


@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    """GET only shows the page (link scanners confirm nothing); the POST — by script or button — confirms."""
    wants_json = _wants_json(request)
    try:
        if request.method == "GET":
            confirm_token_read(token)
            return render(request, "newsletter/confirm.html")
        subscription_confirm(token=token)
    except TokenExpired:
        return _confirm_problem(request, "expired", wants_json=wants_json)
    except TokenInvalid:
        return _confirm_problem(request, "invalid", wants_json=wants_json)
    except ConfirmationSuperseded:
        return _confirm_problem(request, "superseded", wants_json=wants_json)
    if wants_json:
        return JsonResponse({"ok": True, "heading": CONFIRMED_HEADING, "message": CONFIRMED})
    return render(request, "newsletter/confirm_done.html", {"heading": CONFIRMED_HEADING, "message": CONFIRMED})


@csrf_exempt  # RFC 8058 one-click: mail clients POST without cookies; the signed token is the authorisation.
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET shows one button; POST unsubscribes at once and answers 200, with no redirect and no login."""
    try:
        subscriber_token = unsubscribe_token_read(token)
    except TokenInvalid:
        return render(request, "newsletter/unsubscribe_invalid.html", status=400)
    if request.method == "GET":
        return render(request, "newsletter/unsubscribe.html")
    subscription_end(subscriber_token=subscriber_token)
    return render(request, "newsletter/unsubscribe_done.html")
