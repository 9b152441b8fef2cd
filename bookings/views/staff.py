"""Staff side: the schedule, phone bookings and moves, completed/no-show, and therapists' calendar feeds.

The front desk (and superusers) see and change everything; a therapist's own login sees their own
schedule and feed and can mark their own sessions. Every write goes through the bookings services.
"""

from datetime import datetime, time, timedelta
from functools import wraps

from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ..access import intake_visible_to, is_front_desk
from ..availability import clinic_tz
from ..calendar import therapist_feed_ics
from ..forms import StaffBookingForm, StaffMoveForm
from ..models import Appointment, Room, Therapist
from ..moves import appointment_reschedule
from ..params import parse_date, parse_start
from ..refusals import BookingError
from ..selectors import appointments_for_schedule
from ..services import appointment_book, therapist_feed_key_rotate
from ..status import outcomes_open
from ..status_changes import appointment_mark
from ..tokens import feed_token, therapist_from_feed_token


def staff_signed_in(view):
    """Active staff, signed in with the second factor the admin asks of them: these pages show intake answers."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not admin.site.has_permission(request):
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        return view(request, *args, **kwargs)

    return wrapped


def _own_therapist(user) -> Therapist | None:
    return Therapist.objects.filter(user=user).first()


def _require_front_desk(request):
    if not is_front_desk(request.user):
        raise PermissionDenied


@never_cache
@staff_signed_in
def schedule(request):
    front_desk = is_front_desk(request.user)
    own = _own_therapist(request.user)
    if not front_desk and own is None:
        raise PermissionDenied
    tz = clinic_tz()
    day = parse_date(request.GET.get("date", "")) or timezone.localdate()
    view = "week" if request.GET.get("view") == "week" else "day"
    first = day - timedelta(days=day.weekday()) if view == "week" else day
    days = [first + timedelta(days=offset) for offset in range(7 if view == "week" else 1)]
    therapist = room = None
    if front_desk:
        if request.GET.get("therapist"):
            therapist = get_object_or_404(Therapist, slug=request.GET["therapist"][:120])
        elif request.GET.get("room"):
            room = get_object_or_404(Room, slug=request.GET["room"][:80])
    else:
        therapist = own
    appointments = list(
        appointments_for_schedule(
            start=datetime.combine(days[0], time.min, tzinfo=tz),
            end=datetime.combine(days[-1] + timedelta(days=1), time.min, tzinfo=tz),
            therapist=therapist,
            room=room,
        )
    )
    now = timezone.now()
    by_day = {d: [] for d in days}
    for appointment in appointments:
        appointment.intake_visible = intake_visible_to(request.user, appointment, front_desk=front_desk)
        appointment.outcomes_open = outcomes_open(appointment, now=now)
        by_day.setdefault(timezone.localtime(appointment.starts_at, tz).date(), []).append(appointment)
    step = timedelta(days=7 if view == "week" else 1)
    context = {
        "view": view,
        "day": day,
        "days": [(d, by_day.get(d, [])) for d in days],
        "therapist": therapist,
        "room": room,
        "front_desk": front_desk,
        "therapists": Therapist.objects.filter(is_active=True) if front_desk else [],
        "rooms": Room.objects.filter(is_active=True) if front_desk else [],
        "previous_day": day - step,
        "next_day": day + step,
        "feed_url": request.build_absolute_uri(reverse("bookings:therapist_feed", args=[feed_token(own)]))
        if own
        else None,
    }
    return render(request, "bookings/staff_schedule.html", context)


def _appointment_for(request, pk) -> Appointment:
    appointment = get_object_or_404(Appointment.objects.select_related("service", "therapist", "room"), pk=pk)
    if not is_front_desk(request.user):
        own = _own_therapist(request.user)
        if own is None or appointment.therapist_id != own.pk:
            raise PermissionDenied
    return appointment


@staff_signed_in
@require_POST
def appointment_mark_view(request, pk):
    appointment = _appointment_for(request, pk)
    try:
        appointment_mark(appointment=appointment, status=request.POST.get("status", ""), changed_by=request.user)
    except BookingError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"Marked {appointment.client_name}'s session as {request.POST['status'].replace('_', '-')}."
        )
    return redirect(_back_to_schedule(appointment))


def _back_to_schedule(appointment: Appointment) -> str:
    day = timezone.localtime(appointment.starts_at, clinic_tz()).date()
    return reverse("bookings:staff_schedule") + f"?date={day.isoformat()}"


def _picked(request) -> tuple[datetime, str] | None:
    """The nearest free time a refused form offered and staff chose: (start, therapist pk), or None."""
    start, _, therapist_pk = request.POST.get("pick", "").partition("|")
    starts_at = parse_start(start)
    return (starts_at, therapist_pk) if starts_at is not None and therapist_pk.isdigit() else None


def _form_data(request):
    """What was posted, with the date, time and therapist of a picked nearest time filled in."""
    if request.method != "POST":
        return None, None
    picked = _picked(request)
    if picked is None:
        return request.POST, None
    data = request.POST.copy()
    local = timezone.localtime(picked[0], clinic_tz())
    data.update({"date": local.date().isoformat(), "time": f"{local:%H:%M}", "therapist": picked[1]})
    return data, picked[0]


def _staff_form(request, form_class, *, initial=None):
    """The bound form and the exact start to use: a pick keeps its instant, even in the hour that repeats."""
    data, picked_start = _form_data(request)
    form = form_class(data, initial=initial)
    if data is not None and form.is_valid() and picked_start is not None:
        form.cleaned_data["starts_at"] = picked_start
    return form


def _form_page(request, form, context: dict, *, error: BookingError | None = None):
    """The staff form again: 400 when it does not validate, the refusal's own status when the rules say no."""
    status = 200
    if error is not None:
        form.add_error(None, error.message)
        context["alternatives"] = getattr(error, "alternatives", None)
        status = error.status
    elif form.is_bound:
        status = 400
    return render(request, "bookings/staff_form.html", {"form": form, **context}, status=status)


@never_cache
@staff_signed_in
def appointment_new(request):
    _require_front_desk(request)
    form = _staff_form(request, StaffBookingForm)
    context = {"title": "New booking for a phone client", "pick_verb": "Book"}
    if not form.is_bound or not form.is_valid():
        return _form_page(request, form, context)
    data = form.cleaned_data
    try:
        appointment = appointment_book(
            service=data["service"],
            therapist=data["therapist"],
            starts_at=data["starts_at"],
            client=form.client_details(),
            source=Appointment.Source.STAFF,
            booked_by=request.user,
            ignore_notice=data["override_notice"],
        )
    except BookingError as error:
        return _form_page(request, form, context, error=error)
    messages.success(request, f"Booked {appointment.client_name} with {appointment.therapist.name}.")
    return redirect(_back_to_schedule(appointment))


@never_cache
@staff_signed_in
def appointment_move(request, pk):
    _require_front_desk(request)
    appointment = _appointment_for(request, pk)
    local = timezone.localtime(appointment.starts_at, clinic_tz())
    form = _staff_form(request, StaffMoveForm, initial={"date": local.date(), "time": local.time()})
    title = f"Move {appointment.client_name}'s {appointment.service.name}"
    context = {"title": title, "appointment": appointment, "pick_verb": "Move to"}
    if not form.is_bound or not form.is_valid():
        return _form_page(request, form, context)
    data = form.cleaned_data
    try:
        moved = appointment_reschedule(
            appointment=appointment,
            starts_at=data["starts_at"],
            therapist=data["therapist"],
            by_client=False,
            changed_by=request.user,
            ignore_notice=data["override_notice"],
        )
    except BookingError as error:
        return _form_page(request, form, context, error=error)
    messages.success(request, f"Moved {moved.client_name}'s session.")
    return redirect(_back_to_schedule(moved))


@staff_signed_in
@require_POST
def feed_revoke(request):
    own = _own_therapist(request.user)
    if own is None:
        raise PermissionDenied
    therapist_feed_key_rotate(therapist=own)
    messages.success(request, "Your calendar feed has a new address. The old one no longer works.")
    return redirect("bookings:staff_schedule")


def feed(request, token):
    """A therapist's own sessions from 30 days back to 120 ahead, for a phone calendar subscription."""
    therapist = therapist_from_feed_token(token)
    if therapist is None:
        raise Http404("No such calendar feed.")
    now = timezone.now()
    appointments = (
        Appointment.objects.active()
        .filter(therapist=therapist, starts_at__gte=now - timedelta(days=30), starts_at__lte=now + timedelta(days=120))
        .select_related("service", "therapist", "room")
    )
    body = therapist_feed_ics(appointments, name=f"{therapist.name} — sessions")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
