"""The two events localstripe never sends, delivered as Stripe would: signed with the endpoint's secret.

localstripe delivers only payment_intent.* events, so these tests sign ``setup_intent.succeeded`` and
``charge.refunded`` themselves with the secret the endpoint was given (Stripe's scheme: an HMAC-SHA256
of "<timestamp>.<body>"), about objects that are real at localstripe.
"""

import hashlib
import hmac
import json
import time
import uuid

import pytest

from payments import gateway
from payments.models import CardOnFile, LedgerEntry, StripeEvent
from payments.selectors import appointment_paid

from .conftest import stripe_js_confirm_setup
from .scene import paying_clinic
from .test_checkout import SetupIntentOnPage, pay, to_payment_step
from .test_gateway import key

pytestmark = pytest.mark.django_db
URL = "/payments/webhooks/stripe/"


def signed(secret: str, event_type: str, obj: dict, event_id: str | None = None) -> tuple[bytes, str]:
    event = {
        "id": event_id or f"evt_{uuid.uuid4().hex}",
        "object": "event",
        "type": event_type,
        "data": {"object": obj},
    }
    body = json.dumps(event).encode()
    stamp = int(time.time())
    signature = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={stamp},v1={signature}"


def deliver(client, body_and_signature):
    body, signature = body_and_signature
    return client.post(URL, data=body, content_type="application/json", headers={"Stripe-Signature": signature})


def test_a_card_saved_by_a_client_who_never_came_back_is_kept_once_from_the_webhook(client, stripe_on):
    service, (therapist,) = paying_clinic(payment_at_booking="card")
    _, step, held = to_payment_step(client, service, therapist)
    intent = SetupIntentOnPage(step.content.decode())
    stripe_js_confirm_setup(stripe_on.STRIPE_API_BASE, intent, "4242424242424242")
    # The browser closed before it came back to the payment step: only Stripe's event tells us.
    event = signed(
        stripe_on.STRIPE_WEBHOOK_SECRET, "setup_intent.succeeded", {"id": intent.id, "object": "setup_intent"}
    )
    assert deliver(client, event).status_code == 200
    assert deliver(client, event).status_code == 200
    again = signed(
        stripe_on.STRIPE_WEBHOOK_SECRET, "setup_intent.succeeded", {"id": intent.id, "object": "setup_intent"}
    )
    assert deliver(client, again).status_code == 200
    card = CardOnFile.objects.get()
    assert (card.client_id, card.last4) == (held.client_id, "4242")
    assert StripeEvent.objects.count() == 2


def test_a_refund_made_at_stripe_joins_the_ledger_once(client, stripe_on, django_capture_on_commit_callbacks):
    service, (therapist,) = paying_clinic(payment_at_booking="deposit", deposit_amount=2000)
    _, step, held = to_payment_step(client, service, therapist)
    with django_capture_on_commit_callbacks(execute=True):
        pay(client, stripe_on, step)
    charge = LedgerEntry.objects.get(kind=LedgerEntry.Kind.CHARGE)
    # Someone refunds $5.00 from Stripe's dashboard, not through the site.
    refund = gateway.refund_create(
        payment_intent_id=charge.stripe_id, amount=500, metadata={}, idempotency_key=key("r")
    )
    refunded = {
        "id": f"ch_{uuid.uuid4().hex[:24]}",
        "object": "charge",
        "payment_intent": charge.stripe_id,
        "amount_refunded": 500,
        "refunds": {"object": "list", "data": [{"id": refund.id, "object": "refund", "amount": 500}]},
    }
    first = signed(stripe_on.STRIPE_WEBHOOK_SECRET, "charge.refunded", refunded)
    assert deliver(client, first).status_code == 200
    assert deliver(client, first).status_code == 200
    # Stripe sends a later charge.refunded listing every refund so far: the one we have is not counted twice.
    assert deliver(client, signed(stripe_on.STRIPE_WEBHOOK_SECRET, "charge.refunded", refunded)).status_code == 200
    entry = LedgerEntry.objects.get(kind=LedgerEntry.Kind.REFUND)
    assert (entry.amount, entry.stripe_id, entry.reverses_id) == (-500, refund.id, charge.pk)
    assert appointment_paid(held) == 1500


def test_a_refund_event_about_a_payment_the_site_never_took_changes_nothing(client, stripe_on):
    foreign = {
        "id": "ch_other",
        "object": "charge",
        "payment_intent": "pi_other",
        "refunds": {"data": [{"id": "re_x", "amount": 100}]},
    }
    assert deliver(client, signed(stripe_on.STRIPE_WEBHOOK_SECRET, "charge.refunded", foreign)).status_code == 200
    assert not LedgerEntry.objects.exists()
