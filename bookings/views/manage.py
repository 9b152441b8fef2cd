"""The client's private manage page, reached only through the signed link in their email."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from clients.services import client_email_verify
from core.ratelimit import rate_limit_exceeded

from ..calendar import appointment_ics
from ..models import BookingPolicy
from ..moves import appointment_reschedule
from ..params import parse_start
from ..payment_terms import appointment_terms
from ..refusals import ChangeRefused, StartRefused
from ..selectors import therapists_bookable
from ..status_changes import appointment_cancel, client_change_refusal
from ..tokens import appointment_from_manage_token
from .picker import BadChoice, calendar_context, fragment_asked


def _appointment_or_missing(request, token):
    appointment = appointment_from_manage_token(token)
    if appointment is None:
        return None, render(request, "bookings/manage_missing.html", status=404)
    return appointment, None


def _refusal(appointment):
    return client_change_refusal(appointment, policy=BookingPolicy.current(), now=timezone.now())


TOO_MANY_CHANGES = "Too many changes from your network. Please wait a few minutes or call us."
TOO_MANY_VIEWS = "Too many requests from your network. Please wait a few minutes and reload this page, or call us."


def _manage_page(request, appointment, token, *, error: str = "", status: int = 200):
    policy = BookingPolicy.current()
    context = {
        "appointment": appointment,
        "token": token,
        "refusal": _refusal(appointment),
        "policy": policy,
        "terms": appointment_terms(appointment),
        "is_past": appointment.starts_at <= timezone.now(),
        "error": error,
    }
    return render(request, "bookings/manage.html", context, status=status)


@never_cache
def manage(request, token):
    if rate_limit_exceeded(request, scope="bookings:manage_view"):
        return render(request, "bookings/too_many.html", {"error": TOO_MANY_VIEWS}, status=429)
    appointment, missing = _appointment_or_missing(request, token)
    if missing:
        return missing
    if appointment.client is not None:
        # The link reached the client through the booking's email address: the address is theirs.
        client_email_verify(client=appointment.client)
    return _manage_page(request, appointment, token)


@never_cache
@require_POST
def manage_cancel(request, token):
    appointment, missing = _appointment_or_missing(request, token)
    if missing:
        return missing
    if rate_limit_exceeded(request, scope="bookings:manage"):
        return _manage_page(request, appointment, token, error=TOO_MANY_CHANGES, status=429)
    try:
        appointment_cancel(appointment=appointment, by_client=True)
    except ChangeRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "Your booking is cancelled. We've sent you an email to confirm.")
    return redirect("bookings:manage", token=token)


def _move_therapist(appointment, params):
    """The therapist the client is looking at for the move: their own unless they chose another who gives the service."""
    slug = params.get("therapist", "")
    if not slug or slug == appointment.therapist.slug:
        return appointment.therapist
    therapist = therapists_bookable(service=appointment.service).filter(slug=slug[:120]).first()
    if therapist is None:
        raise BadChoice(
            f"We couldn't find that therapist for {appointment.service.name}. Please choose from the list.", 400
        )
    return therapist


@never_cache
def manage_move(request, token):
    appointment, missing = _appointment_or_missing(request, token)
    if missing:
        return missing
    refusal = _refusal(appointment)
    if refusal:
        messages.error(request, refusal)
        return redirect("bookings:manage", token=token)
    context = {
        "appointment": appointment,
        "token": token,
        "manage_url": reverse("bookings:manage", args=[token]),
        "move_action": reverse("bookings:manage_move", args=[token]),
        "move_form": True,
        "therapists": therapists_bookable(service=appointment.service),
        "therapist": appointment.therapist,
    }
    status = 200
    try:
        therapist = _move_therapist(appointment, request.POST if request.method == "POST" else request.GET)
    except BadChoice as error:
        context["error"] = error.message
        return render(request, "bookings/manage_move.html", context, status=error.status)
    context["therapist"] = therapist
    if request.method == "POST":
        starts_at = parse_start(request.POST.get("start", ""))
        if rate_limit_exceeded(request, scope="bookings:manage"):
            context["error"] = TOO_MANY_CHANGES
            status = 429
            if starts_at is not None:
                # Nothing changed: the calendar shows the day and time chosen, ready to send again.
                request.GET = request.GET.copy()
                request.GET["date"] = f"{timezone.localtime(starts_at):%Y-%m-%d}"
                request.GET["start"] = request.POST["start"]
        elif starts_at is None:
            context["error"] = "Please choose one of the free times."
            status = 400
        else:
            try:
                appointment_reschedule(
                    appointment=appointment, starts_at=starts_at, therapist=therapist, by_client=True
                )
            except StartRefused as refused:
                context.update(error=refused.message, alternatives=refused.alternatives)
                status = refused.status
            except ChangeRefused as refused:
                messages.error(request, refused.message)
                return redirect("bookings:manage", token=token)
            else:
                messages.success(request, "Your booking has moved. We've sent you an email with the new time.")
                return redirect("bookings:manage", token=token)
    fragment = fragment_asked(request)
    link_params = {} if therapist == appointment.therapist else {"therapist": therapist.slug}
    try:
        context.update(
            calendar_context(
                request,
                service=appointment.service,
                therapist=therapist,
                link_params=link_params,
                exclude_appointment_id=appointment.pk,
                # After a refusal the nearest free times are the one list of times to choose from.
                choose_first=fragment != "month" and "alternatives" not in context,
            )
        )
    except BadChoice as error:
        context["error"] = error.message
        status = 400
    first_free = context.get("first_free")
    if first_free is not None:
        pick = {**link_params, "date": f"{first_free.local_start:%Y-%m-%d}", "start": first_free.param}
        context["first_free_url"] = "?" + urlencode(pick) + "#times-heading"
    context["picked"] = request.GET.get("start", "")
    context["chosen_by_visitor"] = context.get("chosen_by_visitor") or "therapist" in request.GET
    if fragment == "times" and status == 200:
        return render(request, "bookings/_day_times.html", context)
    if fragment == "month" and status == 200:
        return render(request, "bookings/_month.html", context)
    return render(request, "bookings/manage_move.html", context, status=status)


@never_cache
def manage_calendar(request, token):
    """The session as a calendar file to add: the confirmation page's "Add to your calendar"."""
    if rate_limit_exceeded(request, scope="bookings:manage_view"):
        return render(request, "bookings/too_many.html", {"error": TOO_MANY_VIEWS}, status=429)
    appointment, missing = _appointment_or_missing(request, token)
    if missing:
        return missing
    response = HttpResponse(appointment_ics(appointment, download=True), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="session.ics"'
    return response
