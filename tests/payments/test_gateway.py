"""payments.gateway against localstripe: every call goes over HTTP to the local server, nothing is mocked."""

import uuid

import pytest

from payments import gateway

from .conftest import stripe_js_confirm_setup

VISA = "4242424242424242"
DECLINED_ON_SAVE = "4000000000000002"
DECLINED_ON_CHARGE = "4000000000000341"
NEEDS_3DS = "4000002500003155"


def key(label: str) -> str:
    return f"test:{label}:{uuid.uuid4().hex}"


def saved_card(stripe_on, number: str = VISA) -> tuple[str, str]:
    """A customer with a card saved through a SetupIntent, as the payment step saves it: (customer, payment method)."""
    customer = gateway.customer_create(email="ana@example.com", name="Ana Silva", idempotency_key=key("customer"))
    intent = gateway.setup_intent_create(customer_id=customer, metadata={"hold": "1"}, idempotency_key=key("setup"))
    assert intent.status == "requires_payment_method" and intent.client_secret
    answer = stripe_js_confirm_setup(stripe_on.STRIPE_API_BASE, intent, number)
    assert answer.get("status") == "succeeded", answer
    saved = gateway.setup_intent_get(intent.id)
    assert saved.status == "succeeded" and saved.payment_method_id.startswith("pm_")
    assert saved.metadata == {"hold": "1"}
    return customer, saved.payment_method_id


def test_a_saved_card_is_charged_and_refunded_in_part(stripe_on):
    customer, card = saved_card(stripe_on)
    paid = gateway.payment_intent_create(
        amount=2500, customer_id=customer, payment_method_id=card, metadata={"entry": "a"}, idempotency_key=key("pay")
    )
    assert (paid.status, paid.amount, paid.currency) == ("succeeded", 2500, "USD")
    refund = gateway.refund_create(payment_intent_id=paid.id, amount=1000, metadata={}, idempotency_key=key("refund"))
    assert (refund.status, refund.amount, refund.payment_intent_id) == ("succeeded", 1000, paid.id)
    assert gateway.payment_intent_get(paid.id).status == "succeeded"
    assert gateway.card_describe(card).last4 == "4242"


def test_a_card_is_charged_off_session_for_a_fee(stripe_on):
    customer, card = saved_card(stripe_on)
    fee = gateway.payment_intent_create(
        amount=4500,
        customer_id=customer,
        payment_method_id=card,
        metadata={"fee": "no_show"},
        idempotency_key=key("fee"),
        off_session=True,
    )
    assert fee.status == "succeeded"
    assert fee.id in {intent.id for intent in gateway.payment_intents_recent(limit=100)}


def test_a_card_refused_at_charge_time_raises_with_stripes_message(stripe_on):
    customer, card = saved_card(stripe_on, DECLINED_ON_CHARGE)
    with pytest.raises(gateway.CardDeclined) as refused:
        gateway.payment_intent_create(
            amount=2500, customer_id=customer, payment_method_id=card, metadata={}, idempotency_key=key("pay")
        )
    assert refused.value.message == "Your card was declined."
    assert refused.value.code == "card_declined"


def test_a_card_refused_when_saved_gives_stripes_message_to_the_page(stripe_on):
    customer = gateway.customer_create(email="", name="Ana", idempotency_key=key("customer"))
    intent = gateway.setup_intent_create(customer_id=customer, metadata={}, idempotency_key=key("setup"))
    answer = stripe_js_confirm_setup(stripe_on.STRIPE_API_BASE, intent, DECLINED_ON_SAVE)
    assert answer["error"]["message"] == "Your card was declined."
    assert gateway.setup_intent_get(intent.id).status != "succeeded"


def test_a_card_that_asks_for_3d_secure_leaves_the_payment_waiting_for_the_client(stripe_on):
    customer = gateway.customer_create(email="", name="Ana", idempotency_key=key("customer"))
    intent = gateway.setup_intent_create(customer_id=customer, metadata={}, idempotency_key=key("setup"))
    answer = stripe_js_confirm_setup(stripe_on.STRIPE_API_BASE, intent, NEEDS_3DS, authenticate=False)
    assert answer["status"] == "requires_action"


def test_a_call_without_an_idempotency_key_is_refused_before_it_reaches_stripe(stripe_on):
    with pytest.raises(ValueError, match="idempotency key"):
        gateway.customer_create(email="", name="Ana", idempotency_key="")


def test_no_charge_or_refund_for_nothing(stripe_on):
    with pytest.raises(ValueError):
        gateway.payment_intent_create(
            amount=0, customer_id="cus_x", payment_method_id="pm_x", metadata={}, idempotency_key="k"
        )
    with pytest.raises(ValueError):
        gateway.refund_create(payment_intent_id="pi_x", amount=-5, metadata={}, idempotency_key="k")


def test_an_unknown_payment_intent_is_a_gateway_error(stripe_on):
    with pytest.raises(gateway.GatewayError):
        gateway.payment_intent_get("pi_doesnotexist")
