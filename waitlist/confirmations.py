"""The email confirming a place on the waitlist: HTML and text, through the site's one email engine.

It repeats what the person asked for and carries the private link to their entry page (a signed
token, no personal data). Queued in the caller's transaction, so a join that rolls back sends nothing.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

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
