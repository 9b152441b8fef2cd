"""What payments adds to bookings' pages (core.panels): what was paid, the card on file and the receipt link."""

from django.db.models import Count, Q, Sum
from django.template.loader import render_to_string

from core.money import payments_enabled
from core.panels import panel_register

from .models import CardOnFile, LedgerEntry
from .receipts import receipt_path
from .selectors import MONEY_IN


def _paid_panel(request, context: dict) -> str:
    appointment = context.get("appointment")
    if appointment is None or not payments_enabled():
        return ""
    card = CardOnFile.objects.filter(appointment=appointment).first()
    money = LedgerEntry.objects.filter(appointment=appointment).aggregate(
        entries=Count("pk"),
        paid=Sum("amount", filter=Q(kind__in=(*MONEY_IN, "refund"))),
        refunded=Sum("amount", filter=Q(kind="refund")),
    )
    if card is None and not money["entries"]:
        return ""
    panel = {
        "paid": money["paid"] or 0,
        "refunded": -(money["refunded"] or 0),
        "card": card,
        "receipt_url": receipt_path(appointment) if money["entries"] else "",
    }
    return render_to_string("payments/_paid.html", panel, request=request)


panel_register("bookings.manage")(_paid_panel)
panel_register("bookings.confirmed")(_paid_panel)
