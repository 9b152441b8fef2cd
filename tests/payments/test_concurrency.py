"""Twenty clients try to pay for the same slot at once: one is held and charged, the others are never charged.

Each client is its own browser session (a test Client) on its own database connection, released
together by a barrier at the details form. Holding the time is a booking write (bookings.capacity:
lock, re-check, write), so exactly one gets the payment step; the others are told the time was just
taken before any card is asked for. The one then pays, and only one payment exists at Stripe's end
of our ledger. The second test is the late payer: a hold that ran out and went to someone else is
refunded in full when its payment arrives after all.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from bookings.models import Appointment
from payments.checkout import booking_payment_settle
from payments.models import LedgerEntry, ProviderCall
from tests.concurrency import run_together

from .scene import DETAILS, details_url, paying_clinic, slot_days_ahead
from .test_checkout import pay, to_payment_step

THREADS = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_clients_paying_for_one_slot_make_one_booking_and_one_charge(stripe_on, rate_limit):
    rate_limit("bookings:book", 1000)
    service, (therapist,) = paying_clinic(payment_at_booking="deposit", deposit_amount=2000)
    slot = slot_days_ahead(service, therapist)
    url = details_url(service, therapist, slot.start)
    browsers = [Client() for _ in range(THREADS)]

    def submit(index):
        details = {**DETAILS, "email": f"client{index}@example.com", "start": slot.param}
        return browsers[index].post(url, details)

    answers = run_together(submit, THREADS)
    assert not [answer for answer in answers if isinstance(answer, Exception)]
    sent_to_pay = [index for index, answer in enumerate(answers) if answer.status_code == 302]
    assert len(sent_to_pay) == 1
    assert all(answer.status_code == 409 for answer in answers if answer.status_code != 302)
    assert all("just" in answer.content.decode() for answer in answers if answer.status_code == 409)
    assert not ProviderCall.objects.exists()  # nobody else was asked for a card, let alone charged

    winner = browsers[sent_to_pay[0]]
    step = winner.get("/payments/checkout/")
    assert pay(winner, stripe_on, step).status_code == 302
    assert Appointment.objects.filter(status="booked").count() == 1
    assert Appointment.objects.exclude(status="booked").count() == 0
    (charge,) = LedgerEntry.objects.all()
    assert charge.amount == 2000 and charge.appointment.client_email == f"client{sent_to_pay[0]}@example.com"


@pytest.mark.django_db
def test_a_payment_that_arrives_after_its_hold_went_to_someone_else_is_refunded(
    client, stripe_on, django_capture_on_commit_callbacks
):
    from bookings.services import ClientDetails, appointment_book
    from payments import gateway

    service, (therapist,) = paying_clinic(payment_at_booking="deposit", deposit_amount=2000)
    _, step, held = to_payment_step(client, service, therapist)
    with django_capture_on_commit_callbacks(execute=True):
        pay(client, stripe_on, step, card="4000002500003155")  # waits for 3-D Secure
    call = ProviderCall.objects.get()
    Appointment.objects.filter(pk=held.pk).update(hold_expires_at=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        appointment_book(
            service=service,
            therapist=therapist,
            starts_at=held.starts_at,
            client=ClientDetails(name="Ben", email="ben@example.com", phone="1", consent=True),
        )
    held.refresh_from_db()
    assert held.status == Appointment.Status.CANCELLED
    # Now the client finishes 3-D Secure: the charge goes through at Stripe, and is given back at once.
    from .conftest import stripe_js_authenticate_payment

    intent = gateway.payment_intent_get(call.stripe_id)
    secret = intent.client_secret
    stripe_js_authenticate_payment(stripe_on.STRIPE_API_BASE, secret)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = booking_payment_settle(call=call, intent=gateway.payment_intent_get(call.stripe_id))
    assert outcome.lost
    charge = LedgerEntry.objects.get(kind="charge")
    refund = LedgerEntry.objects.get(kind="refund")
    assert refund.reverses == charge and refund.amount == -charge.amount
