"""The offer email: HTML and text, through the site's one email engine (core.outbox).

It names the time, the service and the therapist, how long the offer holds, and carries the one
"Take this time" link and the private link to the entry page (signed tokens, no personal data); queued in the transaction that makes
the offer, so an offer that rolls back sends nothing.
"""

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from bookings.payment_terms import payment_terms
from core.clinictime import clinic_when
from core.outbox import email_queue
from core.site import clinic_details

from .confirmations import entry_url
from .models import Offer
from .tokens import offer_url


def offer_email_queue(*, offer: Offer) -> None:
    entry = offer.entry
    context = {
        "offer": offer,
        "entry": entry,
        "service": entry.service,
        "therapist": offer.therapist,
        "ends_at": offer.starts_at + timedelta(minutes=entry.service.duration_minutes),
        "take_url": offer_url(offer),
        "entry_url": entry_url(entry),
        "terms": payment_terms(entry.service),
        "clinic": clinic_details(),
    }
    subject = f"A time opened up: {entry.service.name} on {clinic_when(offer.starts_at, day_format='l j F')}"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("waitlist/email/offer.txt", context),
        to=[entry.email],
        reply_to=[settings.CLINIC_EMAIL],
    )
    message.attach_alternative(render_to_string("waitlist/email/offer.html", context), "text/html")
    email_queue(message=message, reference=f"waitlist offer {offer.pk}")
