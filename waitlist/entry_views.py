"""Joining the waitlist from the booking page, and the entry's own page behind its private link.

Every page works without JavaScript. A refusal is shown beside the field it concerns with
everything typed kept; a tampered, cut-short or revoked link is a page that says so (404), never
a 500. The entry page needs its token and shows only the person's own entry.
"""

from datetime import timedelta

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from bookings.models import BookingPolicy
from bookings.params import parse_date
from bookings.selectors import services_active, therapists_bookable
from bookings.tokens import manage_token
from core.ratelimit import rate_limit_count, rate_limit_exceeded, rate_limit_reached

from .confirmations import entry_confirmation_queue
from .entries import EntryRefused, entry_join, entry_leave, entry_update
from .forms import JoinForm, WishForm, window_initial
from .selectors import entry_offers
from .standing import Shown, entry_standing
from .tokens import entry_from_token, entry_token

SESSION_JOINED = "waitlist_joined_token"
DEFAULT_RANGE_DAYS = 14
WEEK_FROM_A_DAY = 7
TOO_MANY_JOINS = (
    "Too many waitlist requests from your network. Please wait a few minutes, or call us and we'll add you."
)
TOO_MANY_VIEWS = "Too many requests from your network. Please wait a few minutes and reload this page, or call us."
TOO_MANY_CHANGES = "Too many changes from your network. Please wait a few minutes, or call us."


def _join_initial(request) -> dict:
    """What the calendar was showing: its service, therapist and day, when the query names real ones.

    From a chosen day the range runs a week on, otherwise two weeks from today; never past the advance window.
    """
    today = timezone.localdate()
    last_day = today + timedelta(days=BookingPolicy.current().max_advance_days)
    asked = parse_date(request.GET.get("day", "")[:10])
    first = min(max(asked or today, today), last_day)
    span = timedelta(days=WEEK_FROM_A_DAY if asked else DEFAULT_RANGE_DAYS)
    initial = {"earliest_on": first, "latest_on": min(first + span, last_day)}
    service = services_active().filter(slug=request.GET.get("service", "")[:120]).first()
    if service is not None:
        initial["service"] = service.slug
    therapist = therapists_bookable().filter(slug=request.GET.get("therapist", "")[:120]).first()
    if therapist is not None:
        initial["therapist"] = therapist.slug
    return initial


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def join(request):
    context = {"policy": BookingPolicy.current()}
    if request.method != "POST":
        context["form"] = JoinForm(initial=_join_initial(request))
        return render(request, "waitlist/join.html", context)
    form = JoinForm(request.POST)
    context["form"] = form
    if rate_limit_reached(request, scope="waitlist:join"):
        context["error"] = TOO_MANY_JOINS
        return render(request, "waitlist/join.html", context, status=429)
    rate_limit_count(request, scope="waitlist:join")
    if not form.is_valid():
        return render(request, "waitlist/join.html", context, status=400)
    try:
        with transaction.atomic():
            entry = entry_join(wish=form.wish(service=form.cleaned_data["service"]), contact=form.contact())
            entry_confirmation_queue(entry=entry)
    except EntryRefused as refused:
        form.refusal_show(refused.errors)
        return render(request, "waitlist/join.html", context, status=400)
    request.session[SESSION_JOINED] = entry_token(entry)
    joined_page = redirect("waitlist:joined")
    joined_page.status_code = 303
    return joined_page


@never_cache
def joined(request):
    entry = entry_from_token(request.session.get(SESSION_JOINED, ""))
    if entry is None:
        return redirect("waitlist:join")
    entry_path = reverse("waitlist:entry", kwargs={"token": entry_token(entry)})
    context = {"entry": entry, "windows": list(entry.windows.all()), "entry_path": entry_path}
    return render(request, "waitlist/joined.html", context)


def _wish_form_initial(entry) -> dict:
    return {
        "therapist": entry.therapist.slug if entry.therapist else None,
        "earliest_on": entry.earliest_on,
        "latest_on": entry.latest_on,
        "parts_of_day": entry.parts_of_day,
        "notice_minutes": entry.notice_minutes,
        **window_initial(entry.windows.all()),
    }


def _wish_form(entry, **kwargs) -> WishForm:
    fixed = entry.therapist if entry.is_move_earlier else None
    return WishForm(prefix="change", fixed_therapist=fixed, **kwargs)


def _entry_page(request, entry, token, *, form=None, error="", status=200):
    now = timezone.now()
    standing = entry_standing(entry, now=now)
    context = {
        "now": now,
        "entry": entry,
        "token": token,
        "standing": standing,
        "windows": list(entry.windows.all()),
        "offers": list(entry_offers(entry)),
        "error": error,
        "policy": BookingPolicy.current(),
        "form": form or _wish_form(entry, initial=_wish_form_initial(entry)),
    }
    if standing.state == Shown.BOOKED and entry.booked is not None:
        context["booking_url"] = reverse("bookings:manage", kwargs={"token": manage_token(entry.booked)})
    return render(request, "waitlist/entry.html", context, status=status)


def _entry_or_missing(request, token):
    entry = entry_from_token(token)
    if entry is None:
        return None, render(request, "waitlist/entry_missing.html", status=404)
    return entry, None


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def entry(request, token):
    if request.method != "POST" and rate_limit_exceeded(request, scope="waitlist:entry_view"):
        return render(request, "bookings/too_many.html", {"error": TOO_MANY_VIEWS}, status=429)
    found, missing = _entry_or_missing(request, token)
    if missing:
        return missing
    if request.method != "POST":
        return _entry_page(request, found, token)
    form = _wish_form(found, data=request.POST)
    if rate_limit_exceeded(request, scope="waitlist:entry_change"):
        return _entry_page(request, found, token, form=form, error=TOO_MANY_CHANGES, status=429)
    if not form.is_valid():
        return _entry_page(request, found, token, form=form, status=400)
    try:
        entry_update(entry=found, wish=form.wish(service=found.service))
    except EntryRefused as refused:
        form.refusal_show(refused.errors)
        return _entry_page(request, found, token, form=form, status=400)
    messages.success(request, "Your waitlist entry is changed. Your place in the queue stays the same.")
    return redirect("waitlist:entry", token=token)


@never_cache
@require_POST
def entry_leave_view(request, token):
    found, missing = _entry_or_missing(request, token)
    if missing:
        return missing
    if rate_limit_exceeded(request, scope="waitlist:entry_change"):
        return _entry_page(request, found, token, error=TOO_MANY_CHANGES, status=429)
    entry_leave(entry=found)
    messages.success(request, "You have left the waitlist. We won't send you offers for this any more.")
    return redirect("waitlist:entry", token=token)
