from decimal import Decimal

import pytest
from django.template import Context, Template

from core.money import money_format, payments_enabled, percent_of, to_minor


def test_amounts_are_shown_in_the_clinics_currency():
    assert money_format(9000) == "$90.00"
    assert money_format(5) == "$0.05"
    assert money_format(-2500) == "-$25.00"


def test_another_currency_uses_its_own_minor_unit(settings):
    settings.CLINIC_CURRENCY = "JPY"
    assert to_minor(Decimal("9000")) == 9000
    assert money_format(9000) == "¥9,000"
    settings.CLINIC_CURRENCY = "EUR"
    assert money_format(9000) == "€90.00"


def test_prices_become_exact_minor_units():
    assert to_minor(Decimal("90.00")) == 9000
    assert to_minor(Decimal("0.105")) == 11
    assert to_minor("12.34") == 1234


def test_a_percentage_rounds_half_up_to_a_whole_cent():
    assert percent_of(9000, 25) == 2250
    assert percent_of(9999, 50) == 5000
    assert percent_of(100, 0) == 0


def test_the_template_filters_show_amounts_and_prices():
    rendered = Template("{% load money %}{{ cents|money }} {{ price|price }} [{{ nothing|money }}]").render(
        Context({"cents": 4500, "price": Decimal("90.00"), "nothing": None})
    )
    assert rendered == "$45.00 $90.00 []"


@pytest.mark.parametrize(
    ("secret", "publishable", "webhook", "on"),
    [
        ("", "", "", False),
        ("sk_x", "pk_x", "", False),
        ("sk_x", "", "whsec_x", False),
        ("sk_x", "pk_x", "whsec_x", True),
    ],
)
def test_payments_are_on_only_with_all_three_stripe_settings(settings, secret, publishable, webhook, on):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_PUBLISHABLE_KEY, settings.STRIPE_WEBHOOK_SECRET = (
        secret,
        publishable,
        webhook,
    )
    assert payments_enabled() is on
