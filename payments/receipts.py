"""Receipts: an email for every charge and refund, and a printable page per booking for an HSA/FSA or an insurer.

The page's address carries a signed token of the booking's secret manage key (its own salt, valid
for ``RECEIPT_LINK_DAYS``), never an id or a name. It shows what an insurer asks for: the clinic's
name and address, the therapist's name and credentials, the service, the date, and what was paid.
"""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from bookings.models import Appointment
from core.outbox import email_queue
from core.site import clinic_details

from .models import LedgerEntry
from .selectors import MONEY_IN, appointment_paid

RECEIPT_SALT = "payments.receipt"
RECEIPT_LINK_DAYS = 400
MAX_TOKEN_LENGTH = 300


def receipt_token(appointment: Appointment) -> str:
    return signing.dumps(appointment.manage_key, salt=RECEIPT_SALT)


def receipt_path(appointment: Appointment) -> str:
    return reverse("payments:receipt", kwargs={"token": receipt_token(appointment)})


def receipt_url(appointment: Appointment) -> str:
    """The absolute address, for emails."""
    return settings.SITE_URL + receipt_path(appointment)


def appointment_from_receipt_token(token: str) -> Appointment | None:
    if len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        key = signing.loads(token, salt=RECEIPT_SALT, max_age=RECEIPT_LINK_DAYS * 86400)
    except signing.BadSignature:
        return None
    rows = Appointment.objects.select_related("service", "therapist")
    return rows.filter(manage_key=key).first() if isinstance(key, str) else None


def receipt_context(appointment: Appointment) -> dict:
    """The money paid for the session and given back (not credit moving between accounts)."""
    entries = appointment.ledger_entries.filter(kind__in=(*MONEY_IN, "refund")).order_by("created_at", "pk")
    return {
        "appointment": appointment,
        "entries": list(entries),
        "net": appointment_paid(appointment),
        "clinic": clinic_details(),
    }


def receipt_email_queue(*, entry: LedgerEntry) -> None:
    """Queue the client's receipt for one charge or refund (HTML and text), in the caller's transaction."""
    appointment = entry.appointment
    email = (appointment.client_email if appointment else "") or (entry.client.email if entry.client else "")
    if not email or appointment is None:
        return
    context = {**receipt_context(appointment), "entry": entry, "receipt_url": receipt_url(appointment)}
    refund = entry.kind == LedgerEntry.Kind.REFUND
    subject = f"{'Refund' if refund else 'Receipt'}: {appointment.service.name}, {settings.CLINIC_NAME}"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("payments/email/receipt.txt", context),
        to=[email],
        reply_to=[settings.CLINIC_EMAIL],
    )
    message.attach_alternative(render_to_string("payments/email/receipt.html", context), "text/html")
    email_queue(message=message, reference=f"ledger entry {entry.pk}: receipt")
