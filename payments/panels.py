"""What payments adds to bookings' pages (core.panels): what was paid, the card on file and the receipt link."""

from django.template.loader import render_to_string

from core.money import payments_enabled
from core.panels import panel_register

from .models import CardOnFile
from .receipts import receipt_path
from .selectors import appointment_paid


def _paid_panel(request, context: dict) -> str:
    appointment = context.get("appointment")
    if appointment is None or not payments_enabled():
        return ""
    card = CardOnFile.objects.filter(appointment=appointment).first()
    has_entries = appointment.ledger_entries.exists()
    if card is None and not has_entries:
        return ""
    paid = appointment_paid(appointment) if has_entries else 0
    refunded = (
        -sum(appointment.ledger_entries.filter(kind="refund").values_list("amount", flat=True)) if has_entries else 0
    )
    panel = {
        "paid": paid,
        "refunded": refunded,
        "card": card,
        "receipt_url": receipt_path(appointment) if has_entries else "",
    }
    return render_to_string("payments/_paid.html", panel, request=request)


panel_register("bookings.manage")(_paid_panel)
panel_register("bookings.confirmed")(_paid_panel)
