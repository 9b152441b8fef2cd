"""What packages and gift cards add to bookings' manage page (core.panels): what pays for the booking, the
credits left, and the forms to pay for it with a package credit or a gift card. Nothing with payments off."""

from django.template.loader import render_to_string

from bookings.models import Appointment
from core.money import payments_enabled
from core.panels import panel_register

from .prepaid_forms import GiftCardCodeForm, PackageCodeForm
from .prepaid_selectors import appointment_price, prepaid_for_appointment
from .selectors import appointment_paid


@panel_register("bookings.manage")
def prepaid_manage_panel(request, context: dict) -> str:
    appointment, token = context.get("appointment"), context.get("token")
    if not payments_enabled() or appointment is None or not token:
        return ""
    if appointment.status != Appointment.Status.BOOKED or context.get("is_past") or appointment_paid(appointment):
        return ""  # what already pays for it is said in the booking's summary (payments.paid_summary)
    prepaid = prepaid_for_appointment(appointment)
    if prepaid.package or prepaid.gift_card_taken >= appointment_price(appointment):
        return ""
    panel = {
        "appointment": appointment,
        "token": token,
        "prepaid": prepaid,
        "can_pay": True,
        "package_form": PackageCodeForm(prefix="package"),
        "gift_form": GiftCardCodeForm(prefix="gift"),
    }
    return render_to_string("payments/_prepaid_manage.html", panel, request=request)


@panel_register("clinic.footer_links")
def prepaid_footer_links(request, context: dict) -> str:
    """Links to the packages and gift cards in every public page's footer, while the clinic takes payments."""
    if not payments_enabled():
        return ""
    return render_to_string("payments/_footer_links.html", {}, request=request)
