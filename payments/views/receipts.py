"""The printable receipt of one booking, opened from the link in a receipt email."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache

from core.ratelimit import rate_limit_exceeded

from ..receipts import appointment_from_receipt_token, receipt_context


@never_cache
def receipt(request, token):
    if rate_limit_exceeded(request, scope="bookings:manage_view"):
        return render(request, "payments/receipt_missing.html", {"too_many": True}, status=429)
    appointment = appointment_from_receipt_token(token)
    if appointment is None or not appointment.ledger_entries.exists():
        return render(request, "payments/receipt_missing.html", {}, status=404)
    return render(request, "payments/receipt.html", receipt_context(appointment))
