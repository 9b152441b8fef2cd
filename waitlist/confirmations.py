"""The emails confirming a place on the waitlist or a "move me earlier" request: HTML and text, one engine.

Each repeats what the person asked for and carries private links (signed tokens, no personal data):
the entry page, and for "move me earlier" the booking's manage page where they stop looking. Queued
in the caller's transaction, so a request that rolls back sends nothing.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from bookings.tokens import manage_token
from core.outbox import email_queue
from core.site import clinic_details

from .models import Entry
from .tokens import entry_token


def entry_url(entry: Entry) -> str:
    """The absolute address of the entry's own page, as the emails carry it."""
    return settings.SITE_URL + reverse("waitlist:entry", kwargs={"token": entry_token(entry)})


def entry_confirmation_queue(*, entry: Entry) -> None:
    context = {
        "entry": entry,
        "windows": list(entry.windows.all()),
        "entry_url": entry_url(entry),
        "clinic": clinic_details(),
    }
    message = EmailMultiAlternatives(
        subject=f"You're on the waitlist: {entry.service.name}",
        body=render_to_string("waitlist/email/joined.txt", context),
        to=[entry.email],
        reply_to=[settings.CLINIC_EMAIL],
    )
    message.attach_alternative(render_to_string("waitlist/email/joined.html", context), "text/html")
    email_queue(message=message, reference=f"waitlist entry {entry.pk}")


def move_earlier_confirmation_queue(*, entry: Entry) -> None:
    """Confirm a booked client's "move me earlier": what we look for, and how to stop."""
    appointment = entry.appointment
    context = {
        "entry": entry,
        "appointment": appointment,
        "windows": list(entry.windows.all()),
        "entry_url": entry_url(entry),
        "manage_url": settings.SITE_URL + reverse("bookings:manage", kwargs={"token": manage_token(appointment)}),
        "clinic": clinic_details(),
    }
    message = EmailMultiAlternatives(
        subject=f"We're looking for an earlier time: {entry.service.name}",
        body=render_to_string("waitlist/email/earlier.txt", context),
        to=[entry.email],
        reply_to=[settings.CLINIC_EMAIL],
    )
    message.attach_alternative(render_to_string("waitlist/email/earlier.html", context), "text/html")
    email_queue(message=message, reference=f"waitlist earlier {entry.pk}")
