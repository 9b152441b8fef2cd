"""The payment rule fields a service and the clinic's booking policy share (bookings.payment_terms reads them).

Every amount is an integer of minor units of ``CLINIC_CURRENCY``; a deposit or fee is a fixed amount
or a percentage of the price, never both, and no percentage is over 100: the database says so.
"""

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q


class PaymentAtBooking(models.TextChoices):
    NONE = "none", "Nothing: paid at the clinic"
    CARD = "card", "Card on file (nothing charged until a fee is due)"
    DEPOSIT = "deposit", "Deposit"
    FULL = "full", "Full prepayment"


def _amount(verbose: str, help_text: str):
    return models.PositiveIntegerField(verbose, null=True, blank=True, help_text=help_text)


def _percent(verbose: str, help_text: str):
    return models.PositiveSmallIntegerField(
        verbose, null=True, blank=True, validators=[MaxValueValidator(100)], help_text=help_text
    )


def _one_of(prefix: str) -> list[models.BaseConstraint]:
    amount, percent = f"{prefix}_amount", f"{prefix}_percent"
    return [
        models.CheckConstraint(
            condition=Q(**{f"{amount}__isnull": True}) | Q(**{f"{percent}__isnull": True}),
            name=f"%(app_label)s_%(class)s_{prefix}_amount_or_percent",
        ),
        models.CheckConstraint(
            condition=Q(**{f"{percent}__isnull": True}) | Q(**{f"{percent}__lte": 100}),
            name=f"%(app_label)s_%(class)s_{prefix}_percent_at_most_100",
        ),
    ]


class PaymentTermFields(models.Model):
    """The payment rule fields Service and BookingPolicy share. On a service, empty means "the clinic's default"."""

    payment_at_booking = models.CharField(
        max_length=16,
        choices=PaymentAtBooking.choices,
        blank=True,
        help_text="What the client pays or gives when booking online (only when online payments are set up).",
    )
    deposit_amount = _amount("deposit (minor units)", "A fixed deposit in cents, e.g. 2000 for $20.00.")
    deposit_percent = _percent("deposit (% of price)", "Or a deposit as a percentage of the price.")
    late_cancel_fee_amount = _amount(
        "late-cancel fee (minor units)", "Charged when a booking is cancelled after the cutoff, in cents."
    )
    late_cancel_fee_percent = _percent("late-cancel fee (% of price)", "Or the late-cancel fee as a percentage.")
    no_show_fee_amount = _amount("no-show fee (minor units)", "Charged when the client does not come, in cents.")
    no_show_fee_percent = _percent("no-show fee (% of price)", "Or the no-show fee as a percentage.")

    class Meta:
        abstract = True
        constraints = [*_one_of("deposit"), *_one_of("late_cancel_fee"), *_one_of("no_show_fee")]


PAYMENT_TERM_FIELDS = (
    "payment_at_booking",
    "deposit_amount",
    "deposit_percent",
    "late_cancel_fee_amount",
    "late_cancel_fee_percent",
    "no_show_fee_amount",
    "no_show_fee_percent",
)
