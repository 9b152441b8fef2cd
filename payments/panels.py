"""What payments adds to bookings' pages (core.panels): what was paid, the card on file and the receipt link."""

from django.template.loader import render_to_string

from core.money import payments_enabled
from core.panels import panel_register

from .models import CardOnFile
from .receipts import receipt_url
from .selectors import appointment_paid


def _paid_panel(request, context: dict) -> str:
    appointment = context.get("appointment")
    if appointment is None or not payments_enabled():
        return ""
    card = CardOnFile.objects.filter(appointment=appointment).first()
    has_entries = appointment.ledger_entries.exists()
    if card is None and not has_entries:
        return ""
    panel = {
        "paid": appointment_paid(appointment) if has_entries else 0,
        "card": card,
        "receipt_url": receipt_url(appointment) if has_entries else "",
    }
    return render_to_string("payments/_paid.html", panel, request=request)


panel_register("bookings.manage")(_paid_panel)
panel_register("bookings.confirmed")(_paid_panel)
