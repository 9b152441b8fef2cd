"""What payments adds to bookings' pages (core.panels): the receipt link. What was paid and the card on file are
said once, in the booking's summary (payments.paid_summary through core.paysummary)."""

from django.template.loader import render_to_string

from core.money import payments_enabled
from core.panels import panel_register

from .models import LedgerEntry
from .receipts import receipt_path


def _paid_panel(request, context: dict) -> str:
    appointment = context.get("appointment")
    if appointment is None or not payments_enabled():
        return ""
    if not LedgerEntry.objects.filter(appointment=appointment).exists():
        return ""
    return render_to_string("payments/_paid.html", {"receipt_url": receipt_path(appointment)}, request=request)


panel_register("bookings.manage")(_paid_panel)
panel_register("bookings.confirmed")(_paid_panel)
