"""What a client pays for ahead of time: packages of sessions and gift cards.

A ``Package`` is what staff sell ("5 × 60-minute massage" for a price, for some services, valid so many
days); a ``PackagePurchase`` is one person's bought package, with its credits; a ``GiftCard`` is an amount
bought for someone, spent at booking.

The money side of each is the ledger (``LedgerEntry.package`` / ``LedgerEntry.gift_card``): the sale, each
credit used or given back, each redemption. What is left is kept beside it as a counter the database
checks (``credits_used`` between 0 and the sessions bought, a gift card's ``balance`` between 0 and its
amount), written only by payments.packages / payments.giftcards under a row lock in the same transaction
as the ledger entry; the property tests check that counter and ledger always agree.

Credit uses, redemptions and give-backs name their booking, not a client: merging two client records
(clients.services) repoints foreign keys to clients with UPDATE, which the append-only ledger refuses.

Codes (a package's private code, a gift card's code) come from ``secrets``, carry no personal data, are
written in groups of four from an alphabet without look-alike characters, and are compared in constant time.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from core.money import money_format


class Package(models.Model):
    name = models.CharField(max_length=120, help_text='What the client sees, e.g. "5 × 60-minute massage".')
    description = models.TextField(blank=True)
    services = models.ManyToManyField(
        "bookings.Service", related_name="packages", help_text="A credit pays for one booking of any of these."
    )
    sessions = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(100)])
    price = models.PositiveBigIntegerField(help_text="Minor units (cents).", validators=[MinValueValidator(1)])
    valid_days = models.PositiveIntegerField(
        default=365,
        validators=[MinValueValidator(1)],
        help_text="Credits can be used for this many days after purchase.",
    )
    is_active = models.BooleanField("on sale", default=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers are listed first.")

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(sessions__gte=1), name="package_has_sessions"),
            # Each session is worth at least one minor unit, so every credit used is an entry of some value.
            models.CheckConstraint(condition=Q(price__gte=F("sessions")), name="package_price_covers_each_session"),
            models.CheckConstraint(condition=Q(valid_days__gte=1), name="package_valid_some_days"),
        ]

    def __str__(self):
        return self.name

    @property
    def price_display(self) -> str:
        return money_format(self.price)


class SaleMethod(models.TextChoices):
    CARD = "card", "Card (online)"
    CASH = "cash", "Cash"
    TERMINAL = "terminal", "Card terminal"


class PrepaidStatus(models.TextChoices):
    PENDING = "pending", "Waiting for payment"
    ACTIVE = "active", "Paid"


class PackagePurchase(models.Model):
    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="purchases")
    client = models.ForeignKey(
        "clients.Client", null=True, blank=True, on_delete=models.PROTECT, related_name="package_purchases"
    )
    name = models.CharField(max_length=120)
    email = models.EmailField(max_length=254, help_text="Stored in lower case: the holder proves it with the code.")
    code = models.CharField(max_length=32, unique=True, editable=False)
    lookup = models.CharField(max_length=8, db_index=True, editable=False, help_text="The code's first group.")
    status = models.CharField(max_length=16, choices=PrepaidStatus.choices, default=PrepaidStatus.PENDING)
    sessions = models.PositiveSmallIntegerField()
    credits_used = models.PositiveSmallIntegerField(default=0)
    price = models.PositiveBigIntegerField(help_text="Minor units, as sold.")
    currency = models.CharField(max_length=3)
    method = models.CharField(max_length=16, choices=SaleMethod.choices)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Set when paid: purchase + validity.")
    customer_id = models.CharField(max_length=255, blank=True)
    setup_intent_id = models.CharField(max_length=255, blank=True)
    sold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(sessions__gte=1), name="package_purchase_has_sessions"),
            models.CheckConstraint(
                condition=Q(credits_used__gte=0, credits_used__lte=F("sessions")),
                name="package_purchase_credits_within_sessions",
            ),
            models.CheckConstraint(
                condition=Q(price__gte=F("sessions")), name="package_purchase_price_covers_each_session"
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(paid_at__isnull=False, expires_at__isnull=False),
                name="package_purchase_paid_has_dates",
            ),
            models.CheckConstraint(condition=Q(email=models.functions.Lower("email")), name="package_email_lower"),
        ]

    def __str__(self):
        return f"{self.package.name} for {self.name}"

    @property
    def credits_left(self) -> int:
        return self.sessions - self.credits_used


class GiftCard(models.Model):
    amount = models.PositiveBigIntegerField(help_text="Minor units, as bought.")
    balance = models.BigIntegerField(
        default=0, help_text="Minor units left (0 until paid); the ledger's entries for this card add up to it."
    )
    currency = models.CharField(max_length=3)
    code = models.CharField(max_length=32, unique=True, editable=False)
    lookup = models.CharField(max_length=8, db_index=True, editable=False, help_text="The code's first group.")
    status = models.CharField(max_length=16, choices=PrepaidStatus.choices, default=PrepaidStatus.PENDING)
    purchaser_name = models.CharField(max_length=120)
    purchaser_email = models.EmailField(max_length=254)
    recipient_name = models.CharField(max_length=120)
    recipient_email = models.EmailField(max_length=254)
    message = models.TextField(blank=True, max_length=500)
    deliver_on = models.DateField(help_text="The clinic's date on which the recipient is emailed the code.")
    delivered_at = models.DateTimeField(null=True, blank=True)
    method = models.CharField(max_length=16, choices=SaleMethod.choices)
    customer_id = models.CharField(max_length=255, blank=True)
    setup_intent_id = models.CharField(max_length=255, blank=True)
    sold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="gift_card_amount_positive"),
            models.CheckConstraint(
                condition=Q(balance__gte=0, balance__lte=F("amount")), name="gift_card_balance_within_amount"
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(paid_at__isnull=False), name="gift_card_paid_has_date"
            ),
        ]

    def __str__(self):
        return f"Gift card {money_format(self.amount, self.currency)} for {self.recipient_name}"
