"""The client's payment step, without a browser: the card is confirmed as Stripe.js would confirm it, over HTTP to localstripe."""

import re

import pytest
from django.core import mail

from bookings.models import Appointment
from payments.models import LedgerEntry, ProviderCall
from payments.selectors import appointment_paid

from .conftest import stripe_js_authenticate_payment, stripe_js_confirm_setup
from .scene import DETAILS, details_url, paying_clinic, slot_days_ahead

pytestmark = pytest.mark.django_db

VISA, DECLINED_ON_CHARGE, NEEDS_3DS = "4242424242424242", "4000000000000341", "4000002500003155"


class SetupIntentOnPage:
    """The SetupIntent the payment page hands to Stripe.js, read from the page."""

    def __init__(self, html: str):
        self.client_secret = re.search(r'data-client-secret="([^"]+)"', html).group(1)
        self.id = self.client_secret.split("_secret_")[0]


def to_payment_step(client, service, therapist):
    slot = slot_days_ahead(service, therapist)
    page = client.get(details_url(service, therapist, slot.start))
    assert page.status_code == 200
    answer = client.post(details_url(service, therapist, slot.start), {**DETAILS, "start": slot.param})
    assert answer.status_code == 302 and answer["Location"] == "/payments/checkout/"
    step = client.get("/payments/checkout/")
    assert step.status_code == 200
    return page, step, Appointment.objects.get()


def pay(client, stripe_on, step, card=VISA):
    intent = SetupIntentOnPage(step.content.decode())
    stripe_js_confirm_setup(stripe_on.STRIPE_API_BASE, intent, card)
    return client.post("/payments/checkout/", {"setup_intent": intent.id})


@pytest.fixture
def deposit(stripe_on):
    return paying_clinic(payment_at_booking="deposit", deposit_amount=2000)


def test_a_deposit_is_charged_once_and_the_booking_confirmed(
    client, stripe_on, deposit, webhook_inbox, django_capture_on_commit_callbacks
):
    service, (therapist,) = deposit
    details, step, held = to_payment_step(client, service, therapist)
    assert "A deposit of $20.00 is charged when you book." in details.content.decode()
    assert held.status == Appointment.Status.HELD
    html = step.content.decode()
    assert "Due now: $20.00" in html and "We are holding this time for you until" in html
    assert f'src="{stripe_on.STRIPE_API_BASE}/js.stripe.com/v3/"' in html
    assert stripe_on.STRIPE_API_BASE in step["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    with django_capture_on_commit_callbacks(execute=True):
        answer = pay(client, stripe_on, step)
    assert answer.status_code == 302 and answer["Location"] == "/book/confirmed/"
    held.refresh_from_db()
    assert held.status == Appointment.Status.BOOKED
    (charge,) = LedgerEntry.objects.all()
    assert (charge.kind, charge.amount, charge.method, charge.appointment) == ("charge", 2000, "card", held)
    assert charge.stripe_id.startswith("pi_")
    subjects = [message.subject for message in mail.outbox]
    assert any(subject.startswith("Receipt:") for subject in subjects)
    assert any(subject.startswith("Your booking:") for subject in subjects)
    confirmed = client.get("/book/confirmed/").content.decode()
    assert "Paid online for this booking: $20.00. Still due at the clinic: $70.00." in confirmed
    assert confirmed.count(">Payment<") == 1

    # Stripe's webhook for the same payment, and the page posted again: nothing more is written.
    delivery = webhook_inbox.wait_for("payment_intent.succeeded", charge.stripe_id)
    hook = client.post(
        "/payments/webhooks/stripe/",
        data=delivery.body,
        content_type="application/json",
        headers={"Stripe-Signature": delivery.signature},
    )
    assert hook.status_code == 200
    assert LedgerEntry.objects.count() == 1


def test_a_card_refused_at_charge_time_shows_stripes_message_and_keeps_the_hold(client, stripe_on, deposit):
    service, (therapist,) = deposit
    _, step, held = to_payment_step(client, service, therapist)
    answer = pay(client, stripe_on, step, card=DECLINED_ON_CHARGE)
    assert answer.status_code == 402
    assert "Your card was declined." in answer.content.decode()
    held.refresh_from_db()
    assert held.status == Appointment.Status.HELD
    assert not LedgerEntry.objects.exists()
    assert ProviderCall.objects.get().status == ProviderCall.Status.FAILED


def test_a_setup_intent_of_another_booking_is_refused_and_nothing_charged(client, stripe_on, deposit):
    service, (therapist,) = deposit
    _, step, held = to_payment_step(client, service, therapist)
    answer = client.post("/payments/checkout/", {"setup_intent": "seti_someoneelses"})
    assert answer.status_code == 400
    assert "not for this booking" in answer.content.decode()
    assert not ProviderCall.objects.exists() and not LedgerEntry.objects.exists()


def test_an_unconfirmed_card_is_refused(client, stripe_on, deposit):
    service, (therapist,) = deposit
    _, step, _ = to_payment_step(client, service, therapist)
    intent = SetupIntentOnPage(step.content.decode())
    answer = client.post("/payments/checkout/", {"setup_intent": intent.id})
    assert answer.status_code == 400
    assert "not been confirmed" in answer.content.decode()


def test_a_charge_that_asks_for_3d_secure_is_made_once_the_client_confirms_it(
    client, stripe_on, deposit, django_capture_on_commit_callbacks
):
    service, (therapist,) = deposit
    _, step, held = to_payment_step(client, service, therapist)
    answer = pay(client, stripe_on, step, card=NEEDS_3DS)
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "Confirm with my bank" in html
    assert ProviderCall.objects.get().status == ProviderCall.Status.REQUIRES_ACTION
    assert not LedgerEntry.objects.exists()
    secret = re.search(r'data-action-secret="([^"]+)"', html).group(1)
    stripe_js_authenticate_payment(stripe_on.STRIPE_API_BASE, secret)
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post("/payments/checkout/", {"payment_intent": secret.split("_secret_")[0]})
    assert done.status_code == 302
    held.refresh_from_db()
    assert held.status == Appointment.Status.BOOKED
    assert LedgerEntry.objects.get().amount == 2000


def test_a_payment_intent_of_another_booking_is_refused(client, stripe_on, deposit):
    service, (therapist,) = deposit
    to_payment_step(client, service, therapist)
    answer = client.post("/payments/checkout/", {"payment_intent": "pi_someoneelses"})
    assert answer.status_code == 400
    assert not LedgerEntry.objects.exists()


def test_card_on_file_books_without_a_charge(client, stripe_on, django_capture_on_commit_callbacks):
    service, (therapist,) = paying_clinic(payment_at_booking="card")
    _, step, held = to_payment_step(client, service, therapist)
    assert "Save card and book" in step.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = pay(client, stripe_on, step)
    assert answer.status_code == 302
    held.refresh_from_db()
    assert held.status == Appointment.Status.BOOKED
    assert held.cards_on_file.get().last4 == "4242"
    assert not LedgerEntry.objects.exists()


def test_cancelling_before_the_cutoff_refunds_the_deposit_in_full(
    client, stripe_on, deposit, django_capture_on_commit_callbacks
):
    from bookings.tokens import manage_token

    service, (therapist,) = deposit
    _, step, held = to_payment_step(client, service, therapist)
    with django_capture_on_commit_callbacks(execute=True):
        pay(client, stripe_on, step)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"/book/manage/{manage_token(held)}/cancel/")
    assert answer.status_code == 302
    refund = LedgerEntry.objects.get(kind="refund")
    assert refund.amount == -2000 and refund.stripe_id.startswith("re_")
    assert appointment_paid(held) == 0
    assert any(message.subject.startswith("Refund:") for message in mail.outbox)


def test_leaving_the_payment_step_frees_the_time(client, stripe_on, deposit):
    service, (therapist,) = deposit
    _, step, held = to_payment_step(client, service, therapist)
    answer = client.post("/payments/checkout/", {"give_up": "1"})
    assert answer.status_code == 409
    held.refresh_from_db()
    assert held.status == Appointment.Status.CANCELLED
    assert client.get("/payments/checkout/").status_code == 404


def test_with_payments_off_the_booking_is_confirmed_at_once_and_payment_is_never_mentioned(client, settings, stripe_on):
    service, (therapist,) = paying_clinic(payment_at_booking="deposit", deposit_amount=2000)
    settings.STRIPE_SECRET_KEY = ""
    slot = slot_days_ahead(service, therapist)
    page = client.get(details_url(service, therapist, slot.start)).content.decode()
    assert "deposit" not in page.lower() and "Continue to payment" not in page
    answer = client.post(details_url(service, therapist, slot.start), {**DETAILS, "start": slot.param})
    assert answer["Location"] == "/book/confirmed/"
    assert Appointment.objects.get().status == Appointment.Status.BOOKED
    assert client.get("/payments/checkout/").status_code == 404


def test_a_newsletter_opt_in_ticked_before_the_payment_step_is_not_lost(
    client, stripe_on, deposit, django_capture_on_commit_callbacks
):
    from newsletter.interface import newsletter_state

    service, (therapist,) = deposit
    slot = slot_days_ahead(service, therapist)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            details_url(service, therapist, slot.start), {**DETAILS, "start": slot.param, "newsletter": "on"}
        )
    assert answer["Location"] == "/payments/checkout/"
    assert newsletter_state("ana@example.com") != "Not subscribed"


def test_the_payment_step_and_the_manage_page_take_a_bounded_number_of_queries(
    client, stripe_on, deposit, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    from bookings.tokens import manage_token

    service, (therapist,) = deposit
    _, step, held = to_payment_step(client, service, therapist)
    with django_assert_max_num_queries(12):
        assert client.get("/payments/checkout/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        pay(client, stripe_on, step)
    with django_assert_max_num_queries(17):
        assert client.get(f"/book/manage/{manage_token(held)}/").status_code == 200
