"""Money records: the append-only ledger, the provider calls behind it, Stripe's webhook events, cards on file.

``LedgerEntry`` is the one book of money: every charge, fee, desk payment, refund, credit and
redemption is one row, written once and never changed or deleted (``save`` and ``delete`` refuse,
the admin is read-only, and a database trigger refuses UPDATE, and on PostgreSQL DELETE too).
Amounts are signed integers of minor units: money in is positive, money given back or credit used
is negative; the sign of each kind is a database constraint. Balances are sums (payments.selectors).

A ledger entry's ``idempotency_key`` is unique and says what the entry is for
("booking-deposit:42:1", "fee:no_show:42"). The same key is sent to Stripe as its Idempotency-Key
(``ProviderCall``, payments.gateway), so one intention is charged once however often it is retried,
and the entry for it is written once however many times the answer (a webhook, a redirect) arrives.

Another app's records join the ledger by a nullable foreign key of their own (the packages lane adds
``package`` and ``gift_card``); a new kind is a new ``Kind`` choice plus its sign in ``KIND_SIGNS``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.money import money_format


class LedgerRefused(Exception):
    """An entry that would break a ledger rule (a refund beyond what was paid, a change to a written entry)."""


class LedgerQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise LedgerRefused("Ledger entries are never changed; write a new entry instead.")

    def delete(self):
        raise LedgerRefused("Ledger entries are never deleted; write a refund or a correction instead.")


class LedgerEntry(models.Model):
    class Kind(models.TextChoices):
        CHARGE = "charge", "Charge (paid online for a booking)"
        FEE = "fee", "Fee (late cancel or no-show)"
        DESK_PAYMENT = "desk_payment", "Payment taken at the desk"
        SALE = "sale", "Sale (package or gift card)"
        REFUND = "refund", "Refund"
        CREDIT = "credit", "Credit given to the client"
        REDEMPTION = "redemption", "Credit, package credit or gift card used"
        CREDIT_RETURN = "credit_return", "Package credit or gift card amount given back"

    class Method(models.TextChoices):
        CARD = "card", "Card (online)"
        CASH = "cash", "Cash"
        TERMINAL = "terminal", "Card terminal"
        CREDIT = "credit", "Client credit"
        GIFT_CARD = "gift_card", "Gift card"
        PACKAGE = "package", "Package credit"

    class Actor(models.TextChoices):
        CLIENT = "client", "Client"
        STAFF = "staff", "Staff"
        SYSTEM = "system", "System"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    amount = models.BigIntegerField(help_text="Minor units (cents); money in is positive, money out negative.")
    currency = models.CharField(max_length=3)
    method = models.CharField(max_length=16, choices=Method.choices)
    appointment = models.ForeignKey(
        "bookings.Appointment", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    client = models.ForeignKey(
        "clients.Client", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    reverses = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversals",
        help_text="For a refund: the payment it gives back.",
    )
    package = models.ForeignKey(
        "payments.PackagePurchase", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    gift_card = models.ForeignKey(
        "payments.GiftCard", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    stripe_id = models.CharField(max_length=255, blank=True, help_text="The PaymentIntent or Refund at Stripe.")
    idempotency_key = models.CharField(max_length=200, unique=True)
    actor_kind = models.CharField(max_length=16, choices=Actor.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(db_index=True)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "ledger entry"
        verbose_name_plural = "ledger"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["charge", "fee", "desk_payment", "sale", "credit", "credit_return"], amount__gt=0)
                    | Q(kind__in=["refund", "redemption"], amount__lt=0)
                ),
                name="ledger_sign_by_kind",
            ),
            models.CheckConstraint(
                condition=~Q(kind="refund") | Q(reverses__isnull=False), name="ledger_refund_reverses_a_payment"
            ),
            models.CheckConstraint(condition=~Q(currency=""), name="ledger_has_currency"),
            models.UniqueConstraint(
                fields=["kind", "stripe_id"], condition=~Q(stripe_id=""), name="ledger_stripe_object_once"
            ),
            # A booking uses one package credit at most, and takes from one gift card once.
            models.UniqueConstraint(
                fields=["appointment"],
                condition=Q(kind="redemption", method="package"),
                name="ledger_one_package_credit_per_booking",
            ),
            models.UniqueConstraint(
                fields=["appointment", "gift_card"],
                condition=Q(kind="redemption", gift_card__isnull=False),
                name="ledger_gift_card_once_per_booking",
            ),
            models.CheckConstraint(
                condition=~Q(method="package") | Q(package__isnull=False), name="ledger_package_credit_names_package"
            ),
            models.CheckConstraint(
                condition=~Q(method="gift_card") | Q(gift_card__isnull=False), name="ledger_gift_card_names_card"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {money_format(self.amount, self.currency)}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise LedgerRefused("Ledger entries are never changed; write a new entry instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerRefused("Ledger entries are never deleted; write a refund or a correction instead.")


class ProviderCall(models.Model):
    """One request to Stripe that money depends on, written *before* the request under its idempotency key.

    Two requests for the same thing (a double click, two front-desk users, a retry after a crash) meet
    at this row's unique key: the second finds the first's and never reaches Stripe with a new intention.
    Its status follows Stripe's answer; reconciliation (payments.reconcile) finishes the ones a crash left
    pending. When it succeeds, its ledger entry is written with the same key.
    """

    class Purpose(models.TextChoices):
        BOOKING_PAYMENT = "booking_payment", "Payment at booking (deposit or prepayment)"
        FEE = "fee", "Fee"
        REFUND = "refund", "Refund"
        SALE = "sale", "Sale"

    class Status(models.TextChoices):
        PENDING = "pending", "Sent, no answer yet"
        REQUIRES_ACTION = "requires_action", "Waiting for the client (3-D Secure)"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    idempotency_key = models.CharField(max_length=200, unique=True)
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    amount = models.PositiveBigIntegerField(help_text="Minor units.")
    currency = models.CharField(max_length=3)
    appointment = models.ForeignKey(
        "bookings.Appointment", null=True, blank=True, on_delete=models.PROTECT, related_name="provider_calls"
    )
    client = models.ForeignKey(
        "clients.Client", null=True, blank=True, on_delete=models.PROTECT, related_name="provider_calls"
    )
    stripe_id = models.CharField(max_length=255, blank=True, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    error = models.CharField(max_length=500, blank=True, help_text="Stripe's message when it refused.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="provider_call_amount_positive"),
            # One payment at booking in flight or made per booking: a second card cannot be charged too.
            models.UniqueConstraint(
                fields=["appointment"],
                condition=Q(purpose="booking_payment") & ~Q(status="failed"),
                name="provider_call_one_booking_payment",
            ),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} {money_format(self.amount, self.currency)}: {self.get_status_display()}"


class StripeEvent(models.Model):
    """A webhook event from Stripe, stored once by its id (verified first), processed at most once."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=255, blank=True, db_index=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.type} {self.event_id}"


class StripeCustomer(models.Model):
    """The Stripe customer that holds a client's saved cards."""

    client = models.OneToOneField("clients.Client", on_delete=models.PROTECT, related_name="stripe_customer")
    customer_id = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.customer_id


class CardOnFile(models.Model):
    """A card a client saved with us (a succeeded SetupIntent), for a deposit now or a fee later."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="cards_on_file")
    appointment = models.ForeignKey(
        "bookings.Appointment", null=True, blank=True, on_delete=models.SET_NULL, related_name="cards_on_file"
    )
    customer_id = models.CharField(max_length=255)
    payment_method_id = models.CharField(max_length=255, unique=True)
    setup_intent_id = models.CharField(max_length=255, unique=True)
    brand = models.CharField(max_length=32, blank=True)
    last4 = models.CharField(max_length=4, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "card on file"
        verbose_name_plural = "cards on file"

    def __str__(self):
        return f"{self.brand or 'card'} ending {self.last4}" if self.last4 else "card on file"


class BookingCheckout(models.Model):
    """The payment step of one held booking: the client's Stripe customer and the SetupIntent their card goes into.

    Only this SetupIntent can pay for this booking: an id from another booking's page is refused.
    """

    appointment = models.OneToOneField("bookings.Appointment", on_delete=models.PROTECT, related_name="checkout")
    customer_id = models.CharField(max_length=255)
    setup_intent_id = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"checkout of appointment {self.appointment_id}"


from .prepaid_models import GiftCard, Package, PackagePurchase  # noqa: E402, F401 - the models of packages and gift cards
