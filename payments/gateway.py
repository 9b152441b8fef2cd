"""The one module that talks to Stripe. Everything else in the site calls these functions.

Each call that creates or changes something at Stripe takes the ``idempotency_key`` of the ledger
entry it is for (models.ProviderCall), sent as Stripe's Idempotency-Key: the library's own retries
after a network error and our retries after a crash reuse it, so Stripe carries out the request once.
(localstripe, the stand-in the tests and the demo run, ignores the header; there the ProviderCall
row's unique key is what stops a second request.) The API address is ``STRIPE_API_BASE``.

Answers come back as the small frozen records below, never as Stripe objects. A card Stripe
refuses raises ``CardDeclined`` with Stripe's own message for the client; anything else Stripe or
the network refuses raises ``GatewayError``.

    customer_create(email=, name=, idempotency_key=)                       → customer id
    setup_intent_create(customer_id=, metadata=, idempotency_key=)         → Intent (card on file)
    setup_intent_get(setup_intent_id)                                      → Intent
    payment_intent_create(amount=, customer_id=, payment_method_id=, off_session=, metadata=, idempotency_key=)
                                                                           → Intent (confirmed at once)
    payment_intent_get(payment_intent_id)                                  → Intent
    payment_intent_cancel(payment_intent_id, idempotency_key=)             → Intent
    payment_intents_recent(limit=)                                         → [Intent]
    refund_create(payment_intent_id=, amount=, metadata=, idempotency_key=) → Refund
    card_describe(payment_method_id)                                       → Card
    event_verify(payload, signature)                                       → the event as a dict
"""

from dataclasses import dataclass, field

import stripe
from django.conf import settings

from core.money import currency

NETWORK_RETRIES = 2


class GatewayError(Exception):
    """Stripe could not be reached or refused the request for a reason that is not the card's."""


class CardDeclined(GatewayError):
    """The card was refused: ``message`` is Stripe's, meant for the client."""

    def __init__(self, message: str, code: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code


class BadSignature(Exception):
    """A webhook whose signature does not match STRIPE_WEBHOOK_SECRET, or is too old."""


@dataclass(frozen=True)
class Intent:
    """A PaymentIntent or a SetupIntent, as far as the site needs it."""

    id: str
    status: str
    client_secret: str = ""
    amount: int = 0
    currency: str = ""
    customer_id: str = ""
    payment_method_id: str = ""
    error_message: str = ""
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Refund:
    id: str
    status: str
    amount: int
    payment_intent_id: str


@dataclass(frozen=True)
class Card:
    brand: str
    last4: str


def _client() -> stripe.StripeClient:
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=NETWORK_RETRIES,
    )


def _id(value) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else value.id


def _plain(value) -> dict:
    if not value:
        return {}
    return value.to_dict() if hasattr(value, "to_dict") else dict(value)


def _error_message(error) -> str:
    if not error:
        return ""
    return error.get("message", "") if isinstance(error, dict) else (getattr(error, "message", "") or "")


def _intent(obj) -> Intent:
    return Intent(
        id=obj.id,
        status=obj.status,
        client_secret=getattr(obj, "client_secret", "") or "",
        amount=getattr(obj, "amount", 0) or 0,
        currency=(getattr(obj, "currency", "") or "").upper(),
        customer_id=_id(getattr(obj, "customer", None)),
        payment_method_id=_id(getattr(obj, "payment_method", None)),
        error_message=_error_message(
            getattr(obj, "last_payment_error", None) or getattr(obj, "last_setup_error", None)
        ),
        metadata=_plain(getattr(obj, "metadata", None)),
    )


def _call(request, *args, **kwargs):
    try:
        return request(*args, **kwargs)
    except stripe.CardError as error:
        raise CardDeclined(error.user_message or "Your card was declined.", error.code or "") from error
    except stripe.StripeError as error:
        raise GatewayError(error.user_message or str(error) or "The payment service did not answer.") from error


def _options(idempotency_key: str) -> dict:
    if not idempotency_key:
        raise ValueError("Every request that creates or changes something at Stripe needs an idempotency key.")
    return {"idempotency_key": idempotency_key}


def customer_create(*, email: str, name: str, idempotency_key: str) -> str:
    params = {"name": name}
    if email:
        params["email"] = email
    return _call(_client().v1.customers.create, params=params, options=_options(idempotency_key)).id


def setup_intent_create(*, customer_id: str, metadata: dict, idempotency_key: str) -> Intent:
    """A SetupIntent that saves a card for later charges without the client (a fee, a deposit charged now)."""
    params = {"customer": customer_id, "usage": "off_session", "payment_method_types": ["card"], "metadata": metadata}
    return _intent(_call(_client().v1.setup_intents.create, params=params, options=_options(idempotency_key)))


def setup_intent_get(setup_intent_id: str) -> Intent:
    return _intent(_call(_client().v1.setup_intents.retrieve, setup_intent_id))


def payment_intent_create(
    *,
    amount: int,
    customer_id: str,
    payment_method_id: str,
    metadata: dict,
    idempotency_key: str,
    off_session: bool = False,
) -> Intent:
    """Charge a saved card ``amount`` minor units of the clinic's currency, confirmed in the same request.

    ``off_session`` when the client is not there (a fee the front desk charges). The answer's status is
    ``succeeded``, ``requires_action`` (3-D Secure: the client confirms with its ``client_secret`` in
    Stripe.js) or, for a card refused, ``CardDeclined`` is raised.
    """
    if amount <= 0:
        raise ValueError("A charge must be for more than nothing.")
    params = {
        "amount": amount,
        "currency": currency().lower(),
        "customer": customer_id,
        "payment_method": payment_method_id,
        "payment_method_types": ["card"],
        "confirm": True,
        "metadata": metadata,
    }
    if off_session:
        params["off_session"] = True
    return _intent(_call(_client().v1.payment_intents.create, params=params, options=_options(idempotency_key)))


def payment_intent_get(payment_intent_id: str) -> Intent:
    return _intent(_call(_client().v1.payment_intents.retrieve, payment_intent_id))


def payment_intent_cancel(payment_intent_id: str, *, idempotency_key: str) -> Intent:
    return _intent(_call(_client().v1.payment_intents.cancel, payment_intent_id, options=_options(idempotency_key)))


def payment_intents_recent(*, limit: int = 100) -> list[Intent]:
    """The newest PaymentIntents at Stripe, for reconciliation with the ledger."""
    answer = _call(_client().v1.payment_intents.list, params={"limit": limit})
    return [_intent(obj) for obj in answer.data]


def refund_create(*, payment_intent_id: str, amount: int, metadata: dict, idempotency_key: str) -> Refund:
    """Give back ``amount`` minor units of a succeeded PaymentIntent (all or part of it)."""
    if amount <= 0:
        raise ValueError("A refund must be for more than nothing.")
    params = {"payment_intent": payment_intent_id, "amount": amount, "metadata": metadata}
    obj = _call(_client().v1.refunds.create, params=params, options=_options(idempotency_key))
    return Refund(id=obj.id, status=obj.status, amount=obj.amount, payment_intent_id=payment_intent_id)


def card_describe(payment_method_id: str) -> Card:
    obj = _call(_client().v1.payment_methods.retrieve, payment_method_id)
    card = getattr(obj, "card", None)
    return Card(brand=getattr(card, "brand", "") or "", last4=getattr(card, "last4", "") or "")


def event_verify(payload: bytes, signature: str) -> dict:
    """The webhook's event, once its ``Stripe-Signature`` proves Stripe sent it (within five minutes)."""
    if not signature.isascii():  # stripe's constant-time compare raises TypeError on other characters
        raise BadSignature("The signature header is not ASCII.")
    try:
        event = stripe.Webhook.construct_event(payload.decode("utf-8"), signature, settings.STRIPE_WEBHOOK_SECRET)
    except (ValueError, UnicodeDecodeError, stripe.SignatureVerificationError) as error:
        raise BadSignature(str(error)) from error
    return event.to_dict()
