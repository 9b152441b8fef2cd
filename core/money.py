"""Money as the site stores and shows it: integers in the minor unit of ``CLINIC_CURRENCY``.

Every amount is an ``int`` of minor units (cents for USD, yen for JPY), never a float or a
Decimal in flight, so sums and refunds are exact. ``money_format`` is the one way an amount is
written for people ("$90.00"), on pages and in emails alike (``{% load money %}``).

``payments_enabled`` is the one switch for taking money online: on only when all three Stripe
settings are present. Any app may ask it; with it off nothing anywhere mentions online payment.
"""

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency, get_currency_precision
from django.conf import settings


def currency() -> str:
    """The clinic's ISO 4217 currency code, upper case."""
    return settings.CLINIC_CURRENCY


def minor_digits(code: str | None = None) -> int:
    """How many digits the currency's minor unit has: 2 for USD and EUR, 0 for JPY, 3 for KWD."""
    return get_currency_precision(code or currency())


def to_minor(amount: Decimal | int | str, code: str | None = None) -> int:
    """A price in major units (``Decimal("90.00")``) as minor units (``9000``), rounded half up."""
    scale = Decimal(10) ** minor_digits(code)
    return int((Decimal(amount) * scale).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_minor(amount: int, code: str | None = None) -> Decimal:
    return Decimal(amount).scaleb(-minor_digits(code))


def money_format(amount: int, code: str | None = None) -> str:
    """``9000`` → ``"$90.00"`` in the clinic's currency; negative amounts keep their sign ("-$5.00")."""
    code = code or currency()
    return format_currency(from_minor(amount, code), code, locale=settings.LANGUAGE_CODE.replace("-", "_"))


def percent_of(amount: int, percent: int) -> int:
    """``percent`` % of ``amount`` minor units, rounded half up to a whole minor unit."""
    return int((Decimal(amount) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def payments_enabled() -> bool:
    """True when the clinic has given Stripe keys: the secret and publishable keys and the webhook secret."""
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_PUBLISHABLE_KEY and settings.STRIPE_WEBHOOK_SECRET)
