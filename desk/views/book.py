"""Booking from the desk: a phone call or a walk-in, opened from an empty slot of the grid."""

from datetime import datetime, timedelta

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from bookings.availability import clinic_tz, slot_find, slots_available
from bookings.models import Appointment, BookingPolicy, Room, Service, Therapist
from bookings.refusals import BookingError, StartRefused
from bookings.services import appointment_book
from clients.models import Client
from clients.selectors import clients_search
from clients.services import client_intake_latest
from core.clinictime import clinic_time

from ..access import desk_view
from ..forms import DeskBookingForm
from .common import alternative_choices, booking_params, day_url, parse_start, picked_time, record_id, refusal_text

INTAKE = ("areas_to_avoid", "pregnant", "injuries", "medications", "allergies")


def _fitting_service(therapist: Therapist | None, room: Room | None, start: datetime | None) -> Service | None:
    """The first service (in the menu's order) that fits at ``start`` with this therapist or in this room."""
    services = Service.objects.filter(is_active=True)
    if therapist is not None:
        services = services.filter(therapists=therapist)
    if room is not None:
        services = services.filter(rooms=room)
    services = list(services)
    if start is None:
        return services[0] if services else None
    options = {"ignore_notice": True, "allow_past": True, "online_only": False, "policy": BookingPolicy.current()}
    for service in services:
        if slot_find(service=service, therapist=therapist, starts_at=start, **options) is not None:
            return service
    return services[0] if services else None


def _initial(request) -> dict:
    query = request.GET
    therapist = Therapist.objects.filter(slug=query.get("therapist", "")[:120], is_active=True).first()
    room = Room.objects.filter(slug=query.get("room", "")[:80]).first()
    service = Service.objects.filter(slug=query.get("service", "")[:120], is_active=True).first()
    start = parse_start(query.get("start", ""))
    now = timezone.localtime(timezone.now(), clinic_tz())
    walk_in = query.get("walk_in") == "1"
    if walk_in:
        step = BookingPolicy.current().slot_step_minutes
        start = now.replace(minute=now.minute - now.minute % step, second=0, microsecond=0)
    initial = {"therapist": therapist, "service": service or _fitting_service(therapist, room, start)}
    if start is not None:
        initial.update(date=start.date(), time=start.time().replace(second=0, microsecond=0))
        initial["record_past"] = walk_in or start < now
    else:
        initial["date"] = now.date()
    client_id = record_id(query.get("client"))
    client = Client.objects.filter(pk=client_id).first() if client_id else None
    if client is not None and client.erased_at is None:
        initial.update(client=client, name=client.name, phone=client.phone, email=client.email)
        intake = client_intake_latest(client)
        if intake is not None:
            initial.update({field: getattr(intake, field) for field in INTAKE})
    return initial


@desk_view
def book(request):
    booking_query = urlencode(booking_params(request.GET))
    if request.method == "GET" and "q" in request.GET:  # a search belongs in a POST, never in a URL
        return redirect(f"{reverse('desk:book')}?{booking_query}" if booking_query else "desk:book")
    searching = request.method == "POST" and "q" in request.POST
    data = picked_time(request.POST) if request.method == "POST" and not searching else None
    form = DeskBookingForm(data, initial=None if data else _initial(request))
    alternatives = []
    if data is not None and form.is_valid():
        cleaned = form.cleaned_data
        try:
            appointment = appointment_book(
                service=cleaned["service"],
                therapist=cleaned["therapist"],
                starts_at=cleaned["starts_at"],
                client=form.client_details(),
                client_record=cleaned["client"],
                source=Appointment.Source.STAFF,
                booked_by=request.user,
                ignore_notice=cleaned["override_notice"],
                allow_past=cleaned["record_past"],
            )
        except StartRefused as error:
            alternatives = alternative_choices(error.alternatives)
            form.add_error(None, refusal_text(error))
        except BookingError as error:
            form.add_error(None, error.message)
        else:
            told = (
                " The confirmation is on its way by email."
                if appointment.client_email and appointment.starts_at > timezone.now()
                else ""
            )
            messages.success(
                request,
                f"Booked {appointment.client_name}: {appointment.service.name} with {appointment.therapist.name} "
                f"at {clinic_time(appointment.starts_at)}.{told}",
            )
            return redirect(day_url(timezone.localtime(appointment.starts_at, clinic_tz()).date()))
    client = _chosen_client(form)
    if data is None and not request.GET.get("start") and form.initial.get("service"):
        alternatives = _next_free(form.initial["service"], form.initial.get("therapist"))
    query = request.POST.get("q", "").strip() if searching else ""
    context = {
        "desk_section": "book",
        "form": form,
        "alternatives": alternatives,
        "client": client,
        "intake": client_intake_latest(client) if client else None,
        "query": query,
        "matches": list(clients_search(query)) if query else [],
        "booking_query": booking_query,
    }
    return render(request, "desk/book.html", context)


def _next_free(service: Service, therapist: Therapist | None) -> list[dict]:
    """For "Book again": the first free times with the same therapist over the next two weeks, one click each."""
    today = timezone.localdate()
    slots = slots_available(
        service=service, therapist=therapist, start=today, end=today + timedelta(days=14), online_only=False
    )
    return alternative_choices(slots[:6])


def _chosen_client(form) -> Client | None:
    value = form["client"].value()
    if isinstance(value, Client):
        return value
    client_id = record_id(value)
    if client_id:
        return Client.objects.filter(pk=client_id, erased_at__isnull=True).first()
    return None
