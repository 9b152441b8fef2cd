"""A booking at the desk with a real card on file at localstripe, and the desk user who handles it."""

import uuid
from datetime import timedelta

from django.contrib.auth.models import Group
from django.utils import timezone

from clients.models import Client
from payments import gateway
from payments.models import CardOnFile
from tests.factories import AppointmentFactory, ServiceFactory, StaffUserFactory

from .conftest import stripe_js_confirm_setup

VISA = "4242424242424242"
DECLINED_ON_CHARGE = "4000000000000341"
NO_SHOW_FEE = 4500
LATE_CANCEL_FEE = 3000


def desk_person(username="desk"):
    user = StaffUserFactory(username=username)
    user.groups.add(Group.objects.get_or_create(name="Front desk")[0])
    return user


def card_saved(api_base: str, client: Client, number: str = VISA) -> CardOnFile:
    """The client's card saved the way the payment step saves it: a customer, a SetupIntent confirmed by Stripe.js."""
    tag = uuid.uuid4().hex
    customer = gateway.customer_create(email=client.email, name=client.name, idempotency_key=f"test-customer:{tag}")
    intent = gateway.setup_intent_create(customer_id=customer, metadata={}, idempotency_key=f"test-setup:{tag}")
    answer = stripe_js_confirm_setup(api_base, intent, number)
    assert answer.get("status") == "succeeded", answer
    saved = gateway.setup_intent_get(intent.id)
    return CardOnFile.objects.create(
        client=client,
        customer_id=customer,
        payment_method_id=saved.payment_method_id,
        setup_intent_id=saved.id,
        brand="visa",
        last4=number[-4:],
    )


def missed_session(*, status="no_show", card: str | None = VISA, api_base: str = "", **when):
    """Yesterday's session of a service whose policy has a no-show and a late-cancel fee; a card on file unless None."""
    service = ServiceFactory(
        name="Deep tissue",
        slug=f"deep-{uuid.uuid4().hex[:6]}",
        price=90,
        no_show_fee_amount=NO_SHOW_FEE,
        late_cancel_fee_amount=LATE_CANCEL_FEE,
    )
    client = Client.objects.create(name="Ana Silva", email="ana@example.com", phone="617 555 0142")
    starts_at = when.get("starts_at") or timezone.now().replace(microsecond=0) - timedelta(days=1)
    appointment = AppointmentFactory(
        service=service,
        starts_at=starts_at,
        client=client,
        client_name="Ana Silva",
        status=status,
        cancelled_at=when.get("cancelled_at"),
    )
    if card:
        card_saved(api_base, client, card)
    return appointment


def charges_at_stripe(appointment) -> list:
    """The PaymentIntents localstripe holds for the booking's client (their customer is this test's own)."""
    customer = appointment.client.cards_on_file.get().customer_id
    return [intent for intent in gateway.payment_intents_recent(limit=100) if intent.customer_id == customer]
