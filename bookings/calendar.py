"""iCalendar (RFC 5545) documents: the attachment on booking emails and each therapist's feed."""

from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from icalendar import Calendar, Event

from core.clinictime import clinic_when, clinic_zone_name

from .models import Appointment

PRODID = "-//Clinic site//Bookings//EN"


def _uid(appointment: Appointment) -> str:
    # RFC 5545 3.8.4.7: a globally unique UID; the host keeps it unique across sites.
    return f"{appointment.uid}@{urlsplit(settings.SITE_URL).hostname or 'clinic'}"


def _clinic_time(appointment: Appointment) -> str:
    # DTSTART and DTEND are in UTC, so calendars place the session right in any zone; this line says
    # it as the clinic does, with the zone abbreviation on a day the clocks change.
    when = clinic_when(appointment.starts_at, appointment.ends_at)
    return f"At the clinic: {when} ({clinic_zone_name()})."


def _event(appointment: Appointment, *, for_client: bool) -> Event:
    event = Event()
    event.add("uid", _uid(appointment))
    event.add("sequence", appointment.sequence)
    event.add("dtstamp", appointment.updated_at)
    event.add("dtstart", appointment.starts_at)
    event.add("dtend", appointment.ends_at)
    if for_client:
        event.add("summary", f"{appointment.service.name} with {appointment.therapist.name}")
        event.add("description", _clinic_time(appointment))
    else:
        event.add("summary", f"{appointment.service.name}: {appointment.client_name}")
        event.add(
            "description",
            f"{_clinic_time(appointment)} Room: {appointment.room.name}. "
            f"Intake provided: {'yes' if appointment.has_intake else 'no'}.",
        )
    event.add("location", f"{settings.CLINIC_NAME}, {settings.CLINIC_ADDRESS}")
    cancelled = appointment.status == Appointment.Status.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def _calendar(method: str | None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    return calendar


def appointment_ics(appointment: Appointment) -> bytes:
    """The client's copy: METHOD:REQUEST while booked, METHOD:CANCEL once cancelled, same UID throughout."""
    cancelled = appointment.status == Appointment.Status.CANCELLED
    calendar = _calendar("CANCEL" if cancelled else "REQUEST")
    event = _event(appointment, for_client=True)
    event.add("organizer", f"mailto:{settings.CLINIC_EMAIL}")
    calendar.add_component(event)
    return calendar.to_ical()


def therapist_feed_ics(appointments: Iterable[Appointment], *, name: str) -> bytes:
    calendar = _calendar(None)
    calendar.add("x-wr-calname", name)
    for appointment in appointments:
        calendar.add_component(_event(appointment, for_client=False))
    return calendar.to_ical()
