"""A client's Stripe customer and the cards they saved: made once, found again."""

from django.db import IntegrityError, transaction

from . import gateway
from .models import CardOnFile, StripeCustomer


def stripe_customer_for(*, client) -> str:
    """The client's Stripe customer id, made the first time (the key makes a retry find the same one)."""
    existing = StripeCustomer.objects.filter(client=client).first()
    if existing is not None:
        return existing.customer_id
    customer_id = gateway.customer_create(email=client.email, name=client.name, idempotency_key=f"customer:{client.pk}")
    try:
        with transaction.atomic():
            StripeCustomer.objects.create(client=client, customer_id=customer_id)
    except IntegrityError:
        return StripeCustomer.objects.get(client=client).customer_id
    return customer_id


def card_on_file_record(*, client, appointment, customer_id: str, setup_intent_id: str, payment_method_id: str):
    """Keep the card a SetupIntent saved (once, however often its success is reported)."""
    existing = CardOnFile.objects.filter(setup_intent_id=setup_intent_id).first()
    if existing is not None:
        return existing
    card = gateway.card_describe(payment_method_id)
    try:
        with transaction.atomic():
            return CardOnFile.objects.create(
                client=client,
                appointment=appointment,
                customer_id=customer_id,
                setup_intent_id=setup_intent_id,
                payment_method_id=payment_method_id,
                brand=card.brand,
                last4=card.last4,
            )
    except IntegrityError:
        return CardOnFile.objects.get(setup_intent_id=setup_intent_id)
