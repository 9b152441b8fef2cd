"""Stripe's webhooks: localstripe's signed deliveries are verified, stored once and processed once."""

import pytest
from django.urls import reverse

from payments import gateway
from payments.models import StripeEvent

from .test_gateway import key, saved_card

pytestmark = pytest.mark.django_db
URL = "/payments/webhooks/stripe/"


def deliver(client, delivery, signature=None):
    return client.post(
        URL,
        data=delivery.body,
        content_type="application/json",
        headers={"Stripe-Signature": delivery.signature if signature is None else signature},
    )


@pytest.fixture
def succeeded(stripe_on, webhook_inbox):
    """localstripe's delivery of payment_intent.succeeded for a payment made in this test."""
    customer, card = saved_card(stripe_on)
    paid = gateway.payment_intent_create(
        amount=2500, customer_id=customer, payment_method_id=card, metadata={}, idempotency_key=key("pay")
    )
    return webhook_inbox.wait_for("payment_intent.succeeded", paid.id)


def test_the_endpoint_has_the_name_the_stripe_dashboard_is_given():
    assert reverse("payments:stripe_webhook") == URL


def test_a_signed_event_is_stored_and_processed(client, succeeded):
    answer = deliver(client, succeeded)
    assert answer.status_code == 200
    stored = StripeEvent.objects.get()
    assert stored.event_id == succeeded.event["id"]
    assert stored.type == "payment_intent.succeeded"
    assert stored.object_id == succeeded.event["data"]["object"]["id"]
    assert stored.processed_at is not None


def test_the_same_event_delivered_again_changes_nothing(client, succeeded):
    deliver(client, succeeded)
    first = StripeEvent.objects.get()
    again = deliver(client, succeeded)
    assert again.status_code == 200
    assert StripeEvent.objects.count() == 1
    assert StripeEvent.objects.get().processed_at == first.processed_at


def test_an_event_with_a_bad_signature_is_refused_and_not_stored(client, succeeded):
    forged = succeeded.signature.replace("v1=", "v1=0")
    answer = deliver(client, succeeded, signature=forged)
    assert answer.status_code == 400
    assert b"Signature" in answer.content
    assert not StripeEvent.objects.exists()


def test_an_event_with_no_signature_is_refused(client, succeeded):
    assert deliver(client, succeeded, signature="").status_code == 400
    assert not StripeEvent.objects.exists()


def test_a_body_changed_after_signing_is_refused(client, succeeded):
    tampered = type(succeeded)(body=succeeded.body.replace(b"2500", b"9500"), signature=succeeded.signature)
    assert deliver(client, tampered).status_code == 400
    assert not StripeEvent.objects.exists()


def test_without_stripe_keys_the_endpoint_does_not_exist(client, settings):
    settings.STRIPE_SECRET_KEY = ""
    answer = client.post(URL, data=b"{}", content_type="application/json")
    assert answer.status_code == 404
    assert client.get(URL).status_code in (404, 405)
