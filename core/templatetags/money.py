"""``{% load money %}``: amounts of money in templates, through core.money's one format.

{{ entry.amount|money }}            $90.00
{{ service.price|price }}           $90.00   (a Decimal price in major units)
"""

from decimal import Decimal, InvalidOperation

from django import template

from core import money as money_module
from core.paysummary import payment_summary

register = template.Library()


@register.filter
def money(amount) -> str:
    if isinstance(amount, bool) or not isinstance(amount, int):
        return ""
    return money_module.money_format(amount)


@register.filter
def price(amount) -> str:
    try:
        return money_module.money_format(money_module.to_minor(Decimal(amount)))
    except (InvalidOperation, TypeError, ValueError):
        return ""


@register.simple_tag
def paid_summary(appointment) -> list[str]:
    """``{% paid_summary appointment as paid %}``: how the booking was paid, in sentences (core.paysummary)."""
    return payment_summary(appointment)
