"""Booking emails: the client's (HTML + text, .ics, manage link) and the clinic's and therapist's.

Intake answers are health information: they never go into an email. Staff emails say only
whether intake was provided; the details are on the staff schedule page behind a login.

The services queue these in the transaction that makes the change (core.outbox), so a booking
never waits for the mail server, and its emails are retried until the server takes them.
"""

from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from core.clinictime import clinic_when
from core.outbox import email_queue
from core.site import clinic_details

from .calendar import appointment_ics, calendar_links
from .models import Appointment, BookingPolicy, Therapist
from .payment_terms import appointment_terms
from .tokens import manage_url

CLIENT_SUBJECTS = {
    "booked": "Your booking: {service} on {when}",
    "moved": "Your booking has moved to {when}",
    "cancelled": "Cancelled: {service} on {when}",
    "reminder": "Reminder: {service} on {when}",
}
STAFF_SUBJECTS = {
    "booked": "New booking: {service} with {therapist} on {when}",
    "moved": "Booking moved: {service} with {therapist}, now {when}",
    "cancelled": "Booking cancelled: {service} with {therapist} on {when}",
}


def _when(appointment: Appointment) -> str:
    return clinic_when(appointment.starts_at, day_format="l j F")


def _context(appointment: Appointment, event: str) -> dict:
    policy = BookingPolicy.current()
    return {
        "appointment": appointment,
        "event": event,
        "policy": policy,
        "terms": appointment_terms(appointment),
        "manage_url": manage_url(appointment),
        "calendar_links": calendar_links(appointment),
        "schedule_url": settings.SITE_URL + reverse("bookings:staff_schedule"),
        "clinic": clinic_details(),
    }


def _message(*, subject: str, template: str, context: dict, to: list[str]) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"bookings/email/{template}.txt", context),
        to=to,
        reply_to=[settings.CLINIC_EMAIL],
    )
    message.attach_alternative(render_to_string(f"bookings/email/{template}.html", context), "text/html")
    return message


def booking_emails_queue(
    *, appointment: Appointment, event: str, moved_from: tuple[Therapist, datetime] | None = None
) -> None:
    """Queue the client's email (and for changes the clinic's and therapist's) in the caller's transaction.

    ``moved_from`` is the therapist and start a moved booking had: the staff email names them,
    and a therapist who lost the session to a colleague is told too.
    """
    context = _context(appointment, event)
    if moved_from is not None:
        context["previous_therapist"], context["previous_starts_at"] = moved_from
    names = {"service": appointment.service.name, "therapist": appointment.therapist.name, "when": _when(appointment)}

    client_message = _message(
        subject=CLIENT_SUBJECTS[event].format(**names),
        template="client",
        context=context,
        to=[appointment.client_email],
    )
    if event != "reminder":
        method = "CANCEL" if event == "cancelled" else "REQUEST"
        client_message.attach(
            "session.ics", appointment_ics(appointment), f"text/calendar; method={method}; charset=utf-8"
        )
    messages = [client_message] if appointment.client_email else []  # booked by phone, without an email

    if event in STAFF_SUBJECTS:
        recipients = [settings.CLINIC_EMAIL]
        therapists = [appointment.therapist]
        if moved_from is not None and moved_from[0].pk != appointment.therapist_id:
            therapists.append(moved_from[0])
        for therapist in therapists:
            if therapist.user is not None and therapist.user.email and therapist.user.email not in recipients:
                recipients.append(therapist.user.email)
        messages.append(
            _message(subject=STAFF_SUBJECTS[event].format(**names), template="staff", context=context, to=recipients)
        )
    for message in messages:
        email_queue(message=message, reference=f"appointment {appointment.pk}: {event}")
