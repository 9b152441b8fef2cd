"""iCalendar (RFC 5545) documents — the attachment on booking emails, the client's download and each
therapist's feed — and the plain "add to Google Calendar / Outlook" links beside them."""

from collections.abc import Iterable
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from icalendar import Alarm, Calendar, Event

from core.clinictime import clinic_when, clinic_zone_name

from .models import Appointment
from .tokens import manage_url

PRODID = "-//Clinic site//Bookings//EN"
# The client's calendar pops up this long before the session; the reminder email goes a day ahead.
ALARM_BEFORE = timedelta(hours=1)
GOOGLE_CALENDAR = "https://calendar.google.com/calendar/render"
OUTLOOK_CALENDAR = "https://outlook.live.com/calendar/0/deeplink/compose"


def _uid(appointment: Appointment) -> str:
    # RFC 5545 3.8.4.7: a globally unique UID; the host keeps it unique across sites.
    return f"{appointment.uid}@{urlsplit(settings.SITE_URL).hostname or 'clinic'}"


def _clinic_time(appointment: Appointment) -> str:
    # DTSTART and DTEND are in UTC, so calendars place the session right in any zone; this line says
    # it as the clinic does, with the zone abbreviation on a day the clocks change.
    when = clinic_when(appointment.starts_at, appointment.ends_at)
    return f"At the clinic: {when} ({clinic_zone_name()})."


def _summary(appointment: Appointment) -> str:
    return f"{appointment.service.name} with {appointment.therapist.name}"


def _reminder(appointment: Appointment) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"{_summary(appointment)} at {settings.CLINIC_NAME} in one hour")
    alarm.add("trigger", -ALARM_BEFORE)  # relative to DTSTART (RFC 5545 3.8.6.3)
    return alarm


def _event(appointment: Appointment, *, for_client: bool) -> Event:
    event = Event()
    event.add("uid", _uid(appointment))
    event.add("sequence", appointment.sequence)
    event.add("dtstamp", appointment.updated_at)
    event.add("dtstart", appointment.starts_at)
    event.add("dtend", appointment.ends_at)
    if for_client:
        link = manage_url(appointment)
        event.add("summary", _summary(appointment))
        event.add("description", f"{_clinic_time(appointment)}\n\nSee, move or cancel your booking: {link}")
        event.add("url", link)
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


def appointment_ics(appointment: Appointment, *, download: bool = False) -> bytes:
    """The client's copy, with the manage link and a reminder an hour ahead.

    Emailed, it is METHOD:REQUEST while booked and METHOD:CANCEL once cancelled, same UID throughout,
    so mail programs update the one event. Downloaded from the confirmation page it is
    METHOD:PUBLISH (RFC 5546 3.2.1): a file to add, not an invitation to answer.
    """
    cancelled = appointment.status == Appointment.Status.CANCELLED
    calendar = _calendar("PUBLISH" if download else "CANCEL" if cancelled else "REQUEST")
    event = _event(appointment, for_client=True)
    event.add("organizer", f"mailto:{settings.CLINIC_EMAIL}")
    if not cancelled:
        event.add_component(_reminder(appointment))
    calendar.add_component(event)
    return calendar.to_ical()


def _web_calendar_details(appointment: Appointment) -> str:
    # No manage link here: these go to Google's and Microsoft's servers in the address itself.
    return (
        f"{_clinic_time(appointment)} To move or cancel, use the link in your confirmation email "
        f"or call {settings.CLINIC_PHONE}."
    )


def calendar_links(appointment: Appointment) -> dict[str, str]:
    """Plain links that open Google Calendar or Outlook.com with the session filled in, for a person to save."""
    location = f"{settings.CLINIC_NAME}, {settings.CLINIC_ADDRESS}"
    utc = "%Y%m%dT%H%M%SZ"
    google = {
        "action": "TEMPLATE",
        "text": _summary(appointment),
        "dates": f"{appointment.starts_at.strftime(utc)}/{appointment.ends_at.strftime(utc)}",
        "details": _web_calendar_details(appointment),
        "location": location,
    }
    outlook = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": _summary(appointment),
        "startdt": appointment.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "enddt": appointment.ends_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "body": _web_calendar_details(appointment),
        "location": location,
    }
    return {"google": f"{GOOGLE_CALENDAR}?{urlencode(google)}", "outlook": f"{OUTLOOK_CALENDAR}?{urlencode(outlook)}"}


def therapist_feed_ics(appointments: Iterable[Appointment], *, name: str) -> bytes:
    calendar = _calendar(None)
    calendar.add("x-wr-calname", name)
    for appointment in appointments:
        calendar.add_component(_event(appointment, for_client=False))
    return calendar.to_ical()
