"""The client's booking flow: service → therapist or first available → month → time → details.

Every step is a plain GET link or form, so it all works without JavaScript; static/bookings/js
only fetches parts of the calendar page (picker.py) to show a day's times without a page load.
"""

from datetime import timedelta

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache

from core.clientip import client_ip
from core.paystep import payment_step_url
from core.ratelimit import rate_limit_count, rate_limit_reached
from newsletter.interface import OPT_IN_LABEL

from ..availability import slot_find, slots_nearest
from ..calendar import calendar_links
from ..forms import DetailsForm
from ..models import BookingPolicy
from ..params import format_start, parse_start
from ..payment_terms import appointment_terms, payment_terms
from ..refusals import StartRefused, start_refusal
from ..selectors import services_active, services_listed, therapists_bookable
from ..services import NewsletterOptIn, appointment_book
from ..tokens import appointment_from_manage_token, manage_token
from .picker import BadChoice, calendar_context, fragment_asked

SESSION_CONFIRMED = "bookings_confirmed_token"
# The manage token of a booking held while the client pays (bookings.holds); the payment step reads it.
SESSION_HELD = "bookings_held_token"
# What one submission of the details form costs against the "bookings:book" limit: a booking made
# costs twice a refused one (a form to correct, a time just taken), so mistakes and lost races
# leave room to try again while the bookings one address can make stay bounded.
BOOKED_COST = 2
REFUSED_COST = 1


def _choices(params):
    """The service and therapist named in the query; ``therapist`` is None for "any"."""
    service = therapist = None
    any_therapist = params.get("therapist") == "any"
    if params.get("therapist") and not any_therapist:
        therapist = therapists_bookable().filter(slug=params["therapist"][:120]).first()
        if therapist is None:
            raise BadChoice("We couldn't find that therapist for online booking. Please choose from the list.")
    if params.get("service"):
        service = services_active().filter(slug=params["service"][:120]).first()
        if service is None:
            raise BadChoice("We couldn't find that service. Please choose one of the sessions below.")
        if therapist is not None and not therapist.services.filter(pk=service.pk).exists():
            raise BadChoice(f"{therapist.name} doesn't offer {service.name}. Please choose another therapist.", 200)
    return service, therapist, any_therapist


def _details_url(service, therapist, start) -> str:
    params = {
        "service": service.slug,
        "therapist": therapist.slug if therapist else "any",
        "start": format_start(start),
    }
    return reverse("bookings:details") + "?" + urlencode(params)


def start(request):
    services = services_active()
    try:
        service, therapist, any_therapist = _choices(request.GET)
    except BadChoice as error:
        chosen_service = services.filter(slug=request.GET.get("service", "")[:120]).first()
        if error.status == 200 and chosen_service is not None:
            return _choose_therapist(request, chosen_service, error.message)
        return render(
            request, "bookings/book_service.html", {"services": services, "error": error.message}, status=error.status
        )
    if service is None:
        services = services.filter(therapists=therapist) if therapist is not None else services_listed()
        return render(request, "bookings/book_service.html", {"services": services, "therapist": therapist})
    if therapist is None and not any_therapist:
        return _choose_therapist(request, service)

    link_params = {"service": service.slug, "therapist": therapist.slug if therapist else "any"}
    fragment = fragment_asked(request)
    try:
        context = calendar_context(
            request, service=service, therapist=therapist, link_params=link_params, choose_first=fragment != "month"
        )
    except BadChoice as error:
        return render(
            request,
            "bookings/book_calendar.html",
            {"service": service, "therapist": therapist, "error": error.message},
            status=error.status,
        )
    for period in context["periods"]:
        for time in period["times"]:
            time["url"] = _details_url(service, therapist, time["slot"].start)
    first_free = context["first_free"]
    context.update(
        service=service,
        therapist=therapist,
        first_free_url=_details_url(service, therapist, first_free.start) if first_free else None,
    )
    if fragment == "times":
        return render(request, "bookings/_day_times.html", context)
    if fragment == "month":
        return render(request, "bookings/_month.html", context)
    return render(request, "bookings/book_calendar.html", context)


def _choose_therapist(request, service, error=None):
    therapists = therapists_bookable(service=service)
    return render(
        request, "bookings/book_therapist.html", {"service": service, "therapists": therapists, "error": error}
    )


@never_cache
def details(request):
    params = request.POST if request.method == "POST" else request.GET
    try:
        service, therapist, any_therapist = _choices(request.GET)
        if service is None or (therapist is None and not any_therapist):
            raise BadChoice("Please choose a service and a therapist first.")
    except BadChoice as error:
        return render(
            request, "bookings/book_service.html", {"services": services_active(), "error": error.message}, status=404
        )
    context = {"service": service, "therapist": therapist, "show_therapist": therapist is None}
    context["policy"] = BookingPolicy.current()
    context["terms"] = payment_terms(service, context["policy"])
    back_params = {"service": service.slug, "therapist": therapist.slug if therapist else "any"}
    context["back_url"] = reverse("bookings:start") + "?" + urlencode(back_params)
    starts_at = parse_start(params.get("start", ""))

    if request.method == "POST":
        form = DetailsForm(request.POST)
        context.update(form=form, starts_at=starts_at)
        if rate_limit_reached(request, scope="bookings:book"):
            context["error"] = "Too many booking attempts from your network. Please wait a few minutes or call us."
            return render(request, "bookings/book_details.html", context, status=429)
        response = _details_submit(request, context, form, service=service, therapist=therapist, starts_at=starts_at)
        cost = BOOKED_COST if response.status_code == 302 else REFUSED_COST
        rate_limit_count(request, scope="bookings:book", cost=cost)
        return response

    if starts_at is None:
        context["error"] = "That time doesn't look right. Please pick one from the calendar."
        return render(request, "bookings/book_details.html", context, status=400)
    slot = slot_find(service=service, therapist=therapist, starts_at=starts_at)
    if slot is None:
        refusal = start_refusal(service=service, therapist=therapist, starts_at=starts_at)
        alternatives = slots_nearest(service=service, therapist=therapist, around=refusal.around)
        refused = StartRefused(refusal, alternatives)
        context.update(error=refused.message, alternatives=alternatives, form=DetailsForm())
        return render(request, "bookings/book_details.html", context, status=refused.status)
    context.update(slot=slot, starts_at=starts_at, form=DetailsForm(initial={"start": format_start(starts_at)}))
    return render(request, "bookings/book_details.html", context)


@never_cache
def confirmed(request):
    token = request.session.get(SESSION_CONFIRMED, "")
    appointment = appointment_from_manage_token(token) if token else None
    if appointment is None:
        return redirect("bookings:start")
    context = {
        "appointment": appointment,
        "manage_url": reverse("bookings:manage", kwargs={"token": token}),
        "ics_url": reverse("bookings:manage_calendar", kwargs={"token": token}),
        "calendar_links": calendar_links(appointment),
        "terms": appointment_terms(appointment),
        "token": token,
    }
    return render(request, "bookings/book_confirmed.html", context)


def _details_submit(request, context, form, *, service, therapist, starts_at):
    """Book from the details form: the confirmation on success, else the form again with what went wrong."""
    if starts_at is None:
        form.add_error(None, "Please choose a time from the calendar.")
    if form.is_valid():
        newsletter = None
        if form.cleaned_data["newsletter"]:
            newsletter = NewsletterOptIn(
                source_url=request.build_absolute_uri(),
                consent_text=OPT_IN_LABEL,
                ip_address=client_ip(request),
            )
        step = payment_step_url() if context["terms"].takes_card else None
        hold_until = timezone.now() + timedelta(minutes=settings.PAYMENT_HOLD_MINUTES) if step else None
        try:
            appointment = appointment_book(
                service=service,
                therapist=therapist,
                starts_at=starts_at,
                client=form.client_details(),
                newsletter=newsletter,
                hold_until=hold_until,
            )
        except StartRefused as refused:
            context.update(error=refused.message, alternatives=refused.alternatives)
            return render(request, "bookings/book_details.html", context, status=refused.status)
        if step:
            request.session[SESSION_HELD] = manage_token(appointment)
            return redirect(step)
        request.session[SESSION_CONFIRMED] = manage_token(appointment)
        return redirect("bookings:confirmed")
    context["starts_at"] = starts_at
    return render(request, "bookings/book_details.html", context, status=400)
