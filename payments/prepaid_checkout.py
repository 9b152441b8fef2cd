"""Paying online for a package or a gift card, through the gateway, the card typed into Stripe's element.

1. ``checkout_begin``: the pending purchase gets a Stripe customer and a SetupIntent (each under a key named
   after the purchase, so a retried request creates nothing twice).
2. The pay page confirms the SetupIntent in the browser with Stripe.js (the card never reaches us).
3. ``checkout_complete``: the SetupIntent must be the purchase's own and have succeeded; then one
   PaymentIntent for the price, confirmed at once under the key ``<kind>-sale:<pk>:<setup intent>``
   (a ProviderCall row written first, so a double submit meets the first one's row), and the sale is
   recorded in the ledger with the PaymentIntent's id. 3-D Secure comes back as ``requires_action``: the
   page confirms it with Stripe.js and posts again. A declined card keeps the purchase pending, with
   Stripe's message, and a fresh SetupIntent for the next card.

The amount charged is the purchase's own (the package's price or the gift card's amount as stored), never
anything the browser sent.
"""

from dataclasses import dataclass

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import gateway
from .giftcards import giftcard_pay
from .ledger import LedgerActor
from .models import ProviderCall
from .packages import package_purchase_pay
from .prepaid_models import GiftCard, PackagePurchase, PrepaidStatus

SALT = "payments.prepaid_checkout"
TOKEN_MAX_AGE = 2 * 60 * 60
KINDS = {"package": PackagePurchase, "giftcard": GiftCard}


@dataclass(frozen=True)
class Checkout:
    kind: str
    record: PackagePurchase | GiftCard

    @property
    def amount(self) -> int:
        return self.record.price if self.kind == "package" else self.record.amount

    @property
    def email(self) -> str:
        return self.record.email if self.kind == "package" else self.record.purchaser_email

    @property
    def name(self) -> str:
        return self.record.name if self.kind == "package" else self.record.purchaser_name

    @property
    def paid(self) -> bool:
        return self.record.status == PrepaidStatus.ACTIVE


@dataclass(frozen=True)
class Outcome:
    paid: bool = False
    client_secret: str = ""  # the SetupIntent's (a card to enter) or the PaymentIntent's (3-D Secure to confirm)
    action_needed: bool = False
    error: str = ""


def checkout_token(checkout: Checkout) -> str:
    return signing.dumps({"k": checkout.kind, "id": checkout.record.pk}, salt=SALT, compress=True)


def checkout_from_token(token: str) -> Checkout | None:
    try:
        data = signing.loads(token, salt=SALT, max_age=TOKEN_MAX_AGE)
        model = KINDS[data["k"]]
        record = model.objects.filter(pk=int(data["id"])).first()
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    return Checkout(data["k"], record) if record is not None else None


def _attempt(checkout: Checkout) -> int:
    prefix = f"{checkout.kind}-sale:{checkout.record.pk}:"
    return ProviderCall.objects.filter(idempotency_key__startswith=prefix, status=ProviderCall.Status.FAILED).count()


def checkout_begin(checkout: Checkout) -> Outcome:
    """A customer and a SetupIntent for the purchase (the one it has, while it has not been used for a charge)."""
    record = checkout.record
    key = f"{checkout.kind}:{record.pk}"
    if not record.customer_id:
        record.customer_id = gateway.customer_create(
            email=checkout.email, name=checkout.name, idempotency_key=f"{key}:customer"
        )
        record.save(update_fields=["customer_id"])
    if not record.setup_intent_id:
        intent = gateway.setup_intent_create(
            customer_id=record.customer_id,
            metadata={"purpose": checkout.kind, "record": str(record.pk)},
            idempotency_key=f"{key}:setup:{_attempt(checkout)}",
        )
        record.setup_intent_id = intent.id
        record.save(update_fields=["setup_intent_id"])
        return Outcome(client_secret=intent.client_secret)
    return Outcome(client_secret=gateway.setup_intent_get(record.setup_intent_id).client_secret)


def _call_for(checkout: Checkout, key: str) -> ProviderCall:
    try:
        with transaction.atomic():
            return ProviderCall.objects.create(
                idempotency_key=key,
                purpose=ProviderCall.Purpose.SALE,
                amount=checkout.amount,
                currency=checkout.record.currency,
            )
    except IntegrityError:
        return ProviderCall.objects.get(idempotency_key=key)


def _record_sale(checkout: Checkout, payment_intent_id: str) -> None:
    pay = package_purchase_pay if checkout.kind == "package" else giftcard_pay
    target = {"purchase": checkout.record} if checkout.kind == "package" else {"card": checkout.record}
    pay(**target, actor=LedgerActor.client(), stripe_id=payment_intent_id, now=timezone.now())


def checkout_complete(checkout: Checkout, *, setup_intent_id: str) -> Outcome:
    """Charge the card the client just confirmed; see the module's docstring for every way it can end."""
    record = checkout.record
    if checkout.paid:
        return Outcome(paid=True)
    if not setup_intent_id or setup_intent_id != record.setup_intent_id:
        return Outcome(error="That payment does not belong to this purchase. Please enter your card again.")
    setup = gateway.setup_intent_get(record.setup_intent_id)
    if setup.status != "succeeded" or not setup.payment_method_id:
        return Outcome(error="Your card was not saved by the payment service. Please enter it again.")
    key = f"{checkout.kind}-sale:{record.pk}:{setup.id}"
    call = _call_for(checkout, key)
    if call.stripe_id:
        intent = gateway.payment_intent_get(call.stripe_id)
    else:
        try:
            intent = gateway.payment_intent_create(
                amount=checkout.amount,
                customer_id=record.customer_id,
                payment_method_id=setup.payment_method_id,
                metadata={"purpose": checkout.kind, "record": str(record.pk)},
                idempotency_key=key,
            )
        except gateway.CardDeclined as declined:
            return _declined(checkout, call, declined.message)
        call.stripe_id = intent.id
        call.save(update_fields=["stripe_id", "updated_at"])
    return _settle(checkout, call, intent)


def checkout_authenticated(checkout: Checkout) -> Outcome:
    """After 3-D Secure in the browser: the PaymentIntent's answer decides."""
    if checkout.paid:
        return Outcome(paid=True)
    call = ProviderCall.objects.filter(
        idempotency_key=f"{checkout.kind}-sale:{checkout.record.pk}:{checkout.record.setup_intent_id}"
    ).first()
    if call is None or not call.stripe_id:
        return Outcome(error="There is no payment waiting for you to confirm. Please enter your card again.")
    return _settle(checkout, call, gateway.payment_intent_get(call.stripe_id))


def _settle(checkout: Checkout, call: ProviderCall, intent: gateway.Intent) -> Outcome:
    if intent.status == "succeeded":
        if intent.amount != checkout.amount:
            return Outcome(error="The payment service charged a different amount; please call us.")
        call.status = ProviderCall.Status.SUCCEEDED
        call.save(update_fields=["status", "updated_at"])
        _record_sale(checkout, intent.id)
        return Outcome(paid=True)
    if intent.status == "requires_action":
        call.status = ProviderCall.Status.REQUIRES_ACTION
        call.save(update_fields=["status", "updated_at"])
        return Outcome(action_needed=True, client_secret=intent.client_secret)
    return _declined(checkout, call, intent.error_message or "Your card was declined.")


def _declined(checkout: Checkout, call: ProviderCall, message: str) -> Outcome:
    call.status = ProviderCall.Status.FAILED
    call.error = message[:500]
    call.save(update_fields=["status", "error", "updated_at"])
    checkout.record.setup_intent_id = ""
    checkout.record.save(update_fields=["setup_intent_id"])
    fresh = checkout_begin(checkout)
    return Outcome(error=message, client_secret=fresh.client_secret)
