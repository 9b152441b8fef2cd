"""A booked client's "move me earlier if something opens up", on their booking's manage page.

The manage page (bookings) does not know the waitlist exists: it leaves a named place
(``{% panels "bookings.manage" %}``, core.panels) that waitlist.panels fills with the small form or
the request's state. The form posts here with the booking's own manage token, and every answer
goes back to the manage page with a message; a new request is confirmed by email (what we look
for, and how to stop).
"""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from bookings.models import Appointment
from bookings.tokens import appointment_from_manage_token
from core.ratelimit import rate_limit_exceeded

from .confirmations import move_earlier_confirmation_queue
from .entries import EntryRefused, entry_leave, move_earlier_request
from .forms import MoveEarlierForm
from .models import Entry

TOO_MANY = "Too many changes from your network. Please wait a few minutes or call us."


def waiting_entry(appointment: Appointment) -> Entry | None:
    return appointment.waitlist_entries.filter(state=Entry.State.WAITING).first()


@never_cache
@require_POST
def move_earlier(request, token):
    appointment = appointment_from_manage_token(token)
    if appointment is None:
        return render(request, "bookings/manage_missing.html", status=404)
    if rate_limit_exceeded(request, scope="bookings:manage"):
        messages.error(request, TOO_MANY)
        return redirect("bookings:manage", token=token)
    form = MoveEarlierForm(request.POST, prefix="earlier")
    if not form.is_valid():
        messages.error(request, "Please choose the parts of the day and the notice from the lists.")
        return redirect("bookings:manage", token=token)
    try:
        with transaction.atomic():
            already = waiting_entry(appointment)
            entry = move_earlier_request(
                appointment=appointment,
                parts_of_day=tuple(form.cleaned_data["parts_of_day"]),
                notice_minutes=form.cleaned_data["notice_minutes"],
            )
            if already is None:
                move_earlier_confirmation_queue(entry=entry)
    except EntryRefused as refused:
        messages.error(request, " ".join(refused.errors.values()))
    else:
        messages.success(
            request, "We'll email you if an earlier time opens up. Your booking stays as it is until you take one."
        )
    return redirect("bookings:manage", token=token)


@never_cache
@require_POST
def move_earlier_stop(request, token):
    appointment = appointment_from_manage_token(token)
    if appointment is None:
        return render(request, "bookings/manage_missing.html", status=404)
    if rate_limit_exceeded(request, scope="bookings:manage"):
        messages.error(request, TOO_MANY)
        return redirect("bookings:manage", token=token)
    entry = waiting_entry(appointment)
    if entry is not None:
        entry_leave(entry=entry)
    messages.success(request, "We won't look for an earlier time any more. Your booking stays as it is.")
    return redirect("bookings:manage", token=token)
