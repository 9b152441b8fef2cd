"""What the waitlist adds to bookings' pages (core.panels): a link under the calendar, a form on the manage page."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from bookings.models import Appointment
from core.panels import panel_register

from .earlier import waiting_entry
from .forms import MoveEarlierForm
from .standing import entry_standing


@panel_register("bookings.day_times")
def calendar_panel(request, context: dict) -> str:
    """A quiet link under every day's times; a plain offer when the day has none."""
    service = context.get("service")
    if service is None or context.get("move_form"):
        return ""
    therapist = context.get("therapist")
    params = {"service": service.slug, "therapist": therapist.slug if therapist else "any"}
    if context.get("chosen_date"):
        params["day"] = context["chosen_date"].isoformat()
    panel = {
        "join_url": reverse("waitlist:join") + "?" + urlencode(params),
        "day_full": bool(context.get("chosen_date")) and not context.get("periods"),
        "nothing_free": context.get("first_free") is None,
    }
    return render_to_string("waitlist/_calendar_link.html", panel, request=request)


@panel_register("bookings.manage")
def manage_panel(request, context: dict) -> str:
    appointment, token = context.get("appointment"), context.get("token")
    if appointment is None or not token:
        return ""
    entry = waiting_entry(appointment)
    if entry is None and (context.get("refusal") or appointment.status != Appointment.Status.BOOKED):
        return ""
    panel = {"appointment": appointment, "token": token, "entry": entry, "form": MoveEarlierForm(prefix="earlier")}
    if entry is not None:
        standing = entry_standing(entry, now=timezone.now())
        panel["standing"] = standing
    return render_to_string("waitlist/_move_earlier.html", panel, request=request)
