"""One appointment at the desk: its page, and checking in, marking, cancelling, moving and undoing.

Every change goes through the bookings services (one place per rule); a change that loses
something (cancel, completed, no-show) is confirmed on its own page first, and can be undone for
``UNDO_WINDOW`` from the banner the next page shows.
"""

from datetime import timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from bookings.availability import clinic_tz
from bookings.models import Appointment, BookingPolicy
from bookings.moves import appointment_reschedule
from bookings.refusals import BookingError, StartRefused
from bookings.status import outcomes_open
from bookings.status_changes import appointment_cancel, appointment_mark
from bookings.undo import appointment_check_in, appointment_undo, latest_change, undo_refusal
from clients.services import client_intake_latest
from core.clinictime import clinic_time

from ..access import desk_view
from ..forms import CancelForm, DeskMoveForm
from ..grid import appointment_state
from .common import alternative_choices, day_url, picked_time, refusal_text, undo_context, undo_offer
from .money import money_panel

CONFIRMED_ACTIONS = {
    "cancel": "Cancel the session",
    "completed": "Mark as completed",
    "no_show": "Mark as a no-show",
}


def _appointment(pk) -> Appointment:
    return get_object_or_404(Appointment.objects.select_related("service", "therapist", "room", "client"), pk=pk)


def _who(appointment: Appointment) -> str:
    return f"{appointment.client_name}'s {appointment.service.name} at {clinic_time(appointment.starts_at)}"


@desk_view
def appointment(request, pk):
    current = _appointment(pk)
    now = timezone.now()
    latest_event = latest_change(current)
    context = {
        "desk_section": "day",
        "a": current,
        "state": appointment_state(current),
        "events": current.events.select_related("actor").order_by("at", "pk"),
        "outcomes": outcomes_open(current, now=now),
        "can_check_in": current.status == "booked"
        and current.arrived_at is None
        and timezone.localtime(current.starts_at, clinic_tz()).date() == timezone.localdate(),
        "undoable": latest_event if undo_refusal(current, latest_event, now=now) is None else None,
        "intake": client_intake_latest(current.client) if current.client else None,
        "money": money_panel(current) if request.payments_on else None,
        "day_url": day_url(timezone.localtime(current.starts_at, clinic_tz()).date()),
        **undo_context(request),
    }
    return render(request, "desk/appointment.html", context)


@desk_view
def act(request, pk, action):
    if action not in (*CONFIRMED_ACTIONS, "check_in"):
        raise Http404("No such action.")
    current = _appointment(pk)
    if action == "check_in":
        if request.method != "POST":
            return redirect("desk:appointment", pk=pk)
        return _perform(request, current, action, reason="")
    form = CancelForm(request.POST or None) if action == "cancel" else None
    if request.method == "POST" and (form is None or form.is_valid()):
        return _perform(request, current, action, reason=form.cleaned_data["reason"] if form else "")
    context = {
        "desk_section": "day",
        "a": current,
        "action": action,
        "title": CONFIRMED_ACTIONS[action],
        "form": form,
        "late": action == "cancel" and current.starts_at - timezone.now() < _cutoff(),
    }
    return render(request, "desk/confirm.html", context)


def _cutoff():
    return timedelta(hours=BookingPolicy.current().cancel_cutoff_hours)


def _perform(request, current: Appointment, action: str, *, reason: str):
    try:
        if action == "check_in":
            appointment_check_in(appointment=current, changed_by=request.user)
            done = f"Checked in {_who(current)}."
        elif action == "cancel":
            appointment_cancel(appointment=current, by_client=False, changed_by=request.user, reason=reason)
            done = f"Cancelled {_who(current)}."
        else:
            appointment_mark(appointment=current, status=action, changed_by=request.user)
            done = f"Marked {_who(current)} as {'completed' if action == 'completed' else 'a no-show'}."
    except BookingError as error:
        messages.error(request, error.message)
        return redirect("desk:appointment", pk=current.pk)
    undo_offer(request, appointment=current, text=done)
    return redirect(day_url(timezone.localtime(current.starts_at, clinic_tz()).date()))


@desk_view
@require_POST
def undo(request, pk):
    current = _appointment(pk)
    try:
        appointment_undo(appointment=current, changed_by=request.user)
    except BookingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Undone: {_who(current)} is as it was.")
    request.session.pop("desk_undo", None)
    return redirect(day_url(timezone.localtime(current.starts_at, clinic_tz()).date()))


@desk_view
def move(request, pk):
    current = _appointment(pk)
    local = timezone.localtime(current.starts_at, clinic_tz())
    data = picked_time(request.POST) if request.method == "POST" else None
    form = DeskMoveForm(data, initial={"date": local.date(), "time": local.time()})
    alternatives = []
    if data is not None and form.is_valid():
        data = form.cleaned_data
        try:
            moved = appointment_reschedule(
                appointment=current,
                starts_at=data["starts_at"],
                therapist=data["therapist"],
                by_client=False,
                changed_by=request.user,
                ignore_notice=data["override_notice"],
            )
        except StartRefused as error:
            alternatives = error.alternatives
            form.add_error(None, refusal_text(error))
        except BookingError as error:
            form.add_error(None, error.message)
        else:
            told = (
                " The client is told by email."
                if moved.client_email
                else " Tell the client: there is no email on file."
            )
            messages.success(request, f"Moved {_who(moved)}.{told}")
            return redirect(day_url(timezone.localtime(moved.starts_at, clinic_tz()).date()))
    context = {
        "desk_section": "day",
        "a": current,
        "form": form,
        "alternatives": alternative_choices(alternatives),
    }
    return render(request, "desk/move.html", context)
