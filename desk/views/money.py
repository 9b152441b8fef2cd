"""Money on one booking at the desk: charge its fee (after a confirmation), refund, record a desk payment.

Every page checks that payments are on (core.money.payments_enabled): with no Stripe keys the desk
shows no money at all. The services (desk.money) hold every rule; a refusal is shown beside the
form with everything typed kept.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from bookings.models import Appointment
from core.money import from_minor, money_format, payments_enabled
from payments.selectors import appointment_entries, appointment_paid, card_on_file

from ..access import desk_view
from ..fees import fee_charge, fee_due, fee_entry
from ..money import MoneyRefused, desk_payment_record
from ..moneyforms import DeskPaymentForm, FeeForm, RefundForm
from ..refunds import payment_refund, payments_refundable


def money_panel(appointment: Appointment) -> dict:
    """What the session page shows about the booking's money: paid so far, the card, the fee due, every entry."""
    return {
        "paid": appointment_paid(appointment),
        "card": card_on_file(appointment.client),
        "due": fee_due(appointment),
        "fee_charged": fee_entry(appointment),
        "entries": list(appointment_entries(appointment)),
    }


def _booking(pk) -> Appointment:
    if not payments_enabled():
        raise Http404("Payments are not set up.")
    return get_object_or_404(Appointment.objects.select_related("service", "therapist", "client"), pk=pk)


def _page(request, template, current, **context):
    return render(request, template, {"desk_section": "day", "a": current, **context})


@desk_view
def fee(request, pk):
    current = _booking(pk)
    due = fee_due(current)
    charged = fee_entry(current)
    card = card_on_file(current.client)
    form = FeeForm(request.POST or None, most=due.amount if due else 0, initial={"amount": _plain(due)})
    if request.method == "POST" and due is not None and charged is None and form.is_valid():
        try:
            entry = fee_charge(appointment=current, amount=form.cleaned_data["amount"], charged_by=request.user)
        except MoneyRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, f"Charged the {due.label} of {money_format(entry.amount)} to the card on file.")
            return redirect("desk:appointment", pk=current.pk)
    return _page(request, "desk/money_fee.html", current, due=due, charged=charged, card=card, form=form)


def _plain(due) -> str:
    return str(from_minor(due.amount)) if due is not None else ""


@desk_view
def refund(request, pk):
    current = _booking(pk)
    payments = payments_refundable(current)
    form = RefundForm(request.POST or None, payments=payments)
    if request.method == "POST" and form.is_valid():
        try:
            entry = payment_refund(
                payment=form.cleaned_data["payment_entry"],
                amount=form.cleaned_data["amount"],
                intention=form.cleaned_data["intention"],
                refunded_by=request.user,
            )
        except MoneyRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, f"Refunded {money_format(-entry.amount)} ({entry.get_method_display().lower()}).")
            return redirect("desk:appointment", pk=current.pk)
    return _page(request, "desk/money_refund.html", current, form=form, payments=payments)


@desk_view
def payment(request, pk):
    current = _booking(pk)
    form = DeskPaymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = desk_payment_record(
                appointment=current,
                amount=data["amount"],
                method=data["method"],
                note=data["note"],
                intention=data["intention"],
                recorded_by=request.user,
            )
        except MoneyRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(
                request, f"Recorded {money_format(entry.amount)} paid by {entry.get_method_display().lower()}."
            )
            return redirect("desk:appointment", pk=current.pk)
    return _page(request, "desk/money_payment.html", current, form=form, paid=appointment_paid(current))
