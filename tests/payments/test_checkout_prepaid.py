"""The payment step offers a package credit instead of a card payment and a gift card for (part of) what is due,
over HTTP to localstripe for the card part; nothing of ours is mocked."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from bookings.models import Appointment
from bookings.status_changes import appointment_cancel
from bookings.tokens import manage_token
from payments.giftcards import giftcard_sell_at_desk
from payments.models import LedgerEntry, ProviderCall
from payments.packages import package_sell_at_desk

from .prepaid_scene import package_make
from .scene import paying_clinic
from .test_checkout import pay, to_payment_step

pytestmark = pytest.mark.django_db


def a_package(service, *, sessions=2):
    package = package_make(sessions=sessions, price=15_000, services=[service])
    return package_sell_at_desk(package=package, name="Ana", email="ana@example.com", method="cash", sold_by=None)


def a_gift_card(amount):
    return giftcard_sell_at_desk(
        sold_by=None,
        method="cash",
        amount=amount,
        purchaser_name="Bea",
        purchaser_email="bea@example.com",
        recipient_name="Ana",
        recipient_email="ana@example.com",
        deliver_on=timezone.localdate(),
    )


def use_package(client, purchase, *, email="ana@example.com", code=None):
    data = {"use_package": "1", "package-email": email, "package-code": code or purchase.code}
    return client.post("/payments/checkout/", data)


def use_gift(client, card, code=None):
    return client.post("/payments/checkout/", {"use_gift": "1", "gift-code": code or card.code})


def test_a_package_credit_books_a_prepaid_session_with_no_card_and_once(
    client, stripe_on, django_capture_on_commit_callbacks
):
    service, (therapist,) = paying_clinic(payment_at_booking="full")
    purchase = a_package(service)
    _, step, held = to_payment_step(client, service, therapist)
    assert "Use a credit from your package" in step.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = use_package(client, purchase, email="ANA@example.com", code=purchase.code.lower())
    assert answer.status_code == 302 and answer["Location"] == "/book/confirmed/"
    held.refresh_from_db()
    assert held.status == Appointment.Status.BOOKED and held.hold_expires_at is None
    (use,) = LedgerEntry.objects.exclude(kind="sale")
    assert (use.kind, use.method, use.amount, use.appointment) == ("redemption", "package", -7500, held)
    assert not ProviderCall.objects.filter(purpose="booking_payment").exists()
    purchase.refresh_from_db()
    assert purchase.credits_left == 1
    (email,) = [message for message in mail.outbox if message.subject.startswith("Your booking:")]
    credit = "Paid with a credit from 2 × 60-minute massage: 1 of 2 credits left"
    for body in (email.body, email.alternatives[0][0]):
        assert credit in body and "Nothing is due at the clinic." in body
        assert "due at the clinic (nothing" not in body and "is charged when you book" not in body
    confirmed = client.get("/book/confirmed/").content.decode()
    manage = client.get(f"/book/manage/{manage_token(held)}/").content.decode()
    for page in (confirmed, manage):
        assert credit in page and "Nothing is due at the clinic." in page
        assert page.count(">Payment<") == 1 and "nothing is charged online" not in page
        assert "$90.00 due" not in page and "Still due" not in page
    assert "Use a credit from my package" not in manage  # it is paid: nothing more to pay with

    # The form sent again (back button, double click): still one credit, one confirmation email.
    with django_capture_on_commit_callbacks(execute=True):
        again = use_package(client, purchase)
    assert again.status_code in (302, 404)
    assert LedgerEntry.objects.exclude(kind="sale").count() == 1
    purchase.refresh_from_db()
    assert purchase.credits_left == 1
    assert sum(message.subject.startswith("Your booking:") for message in mail.outbox) == 1


def test_a_wrong_package_code_or_email_is_refused_with_what_was_typed_kept(client, stripe_on):
    service, (therapist,) = paying_clinic(payment_at_booking="full")
    purchase = a_package(service)
    to_payment_step(client, service, therapist)
    wrong_email = use_package(client, purchase, email="someone@example.com")
    assert wrong_email.status_code == 400
    text = wrong_email.content.decode()
    assert "We found no package with that email address and code." in text
    assert 'value="someone@example.com"' in text
    malformed = use_package(client, purchase, code="12345")
    assert malformed.status_code == 400
    assert "A package code is 16 letters and digits" in malformed.content.decode()
    assert not LedgerEntry.objects.exclude(kind="sale").exists()
    assert Appointment.objects.get().status == Appointment.Status.HELD


def test_a_package_that_does_not_cover_the_service_is_refused_in_words(client, stripe_on):
    service, (therapist,) = paying_clinic(payment_at_booking="full")
    purchase = a_package(package_make().services.first())  # covers another service only
    to_payment_step(client, service, therapist)
    answer = use_package(client, purchase)
    assert answer.status_code == 400
    assert f"That package does not cover {service.name}." in answer.content.decode()
    assert not LedgerEntry.objects.exclude(kind="sale").exists()


def test_a_gift_card_covering_the_prepayment_confirms_with_no_card_step(
    client, stripe_on, django_capture_on_commit_callbacks
):
    service, (therapist,) = paying_clinic(payment_at_booking="full")
    card = a_gift_card(12_000)
    _, step, held = to_payment_step(client, service, therapist)
    assert "Pay with a gift card" in step.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = use_gift(client, card)
    assert answer.status_code == 302 and answer["Location"] == "/book/confirmed/"
    held.refresh_from_db()
    assert held.status == Appointment.Status.BOOKED
    card.refresh_from_db()
    assert card.balance == 3_000
    (use,) = LedgerEntry.objects.exclude(kind="sale")
    assert (use.kind, use.method, use.amount) == ("redemption", "gift_card", -9000)
    assert not ProviderCall.objects.filter(purpose="booking_payment").exists()


def test_a_gift_card_pays_part_of_a_deposit_and_the_card_the_rest_and_an_early_cancel_gives_both_back(
    client, stripe_on, django_capture_on_commit_callbacks
):
    service, (therapist,) = paying_clinic(payment_at_booking="deposit", deposit_amount=2000)
    card = a_gift_card(1_500)
    _, _, held = to_payment_step(client, service, therapist)
    partly = use_gift(client, card)
    assert partly.status_code == 200
    text = partly.content.decode()
    assert "Paid with your gift card: $15.00 ($0.00 left on it)." in text
    assert "Due now: $5.00" in text and "Pay $5.00 and book" in text
    held.refresh_from_db()
    assert held.status == Appointment.Status.HELD
    with django_capture_on_commit_callbacks(execute=True):
        answer = pay(client, stripe_on, partly)
    assert answer.status_code == 302 and answer["Location"] == "/book/confirmed/"
    charge = LedgerEntry.objects.get(kind="charge")
    assert (charge.amount, charge.method) == (500, "card") and charge.stripe_id.startswith("pi_")
    confirmed = client.get("/book/confirmed/").content.decode()
    said = "$15.00 paid with a gift card ($0.00 left on it). Paid online for this booking: $5.00. "
    assert said + "Still due at the clinic: $70.00." in confirmed
    assert confirmed.count(">Payment<") == 1 and "Card on file: visa ending 4242." in confirmed

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/book/manage/{manage_token(held)}/cancel/")
    card.refresh_from_db()
    assert card.balance == 1_500
    refund = LedgerEntry.objects.get(kind="refund")
    assert refund.amount == -500 and refund.stripe_id.startswith("re_")


def test_a_guessed_gift_card_code_takes_nothing_and_the_card_is_still_asked_for(client, stripe_on):
    service, (therapist,) = paying_clinic(payment_at_booking="deposit", deposit_amount=2000)
    a_gift_card(5_000)
    to_payment_step(client, service, therapist)
    answer = use_gift(client, None, code="AAAA-BBBB-CCCC-DDDD")
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "Due now: $20.00" in text and 'value="AAAA-BBBB-CCCC-DDDD"' in text
    assert not LedgerEntry.objects.exclude(kind="sale").exists()


def test_leaving_the_payment_step_after_a_gift_card_puts_the_amount_back(
    client, stripe_on, django_capture_on_commit_callbacks
):
    service, (therapist,) = paying_clinic(payment_at_booking="deposit", deposit_amount=2000)
    card = a_gift_card(1_000)
    to_payment_step(client, service, therapist)
    use_gift(client, card)
    card.refresh_from_db()
    assert card.balance == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/payments/checkout/", {"give_up": "1"}).status_code == 409
    card.refresh_from_db()
    assert card.balance == 1_000
    assert LedgerEntry.objects.filter(kind="credit_return", gift_card=card).count() == 1


def test_a_late_cancel_of_a_session_paid_by_a_credit_keeps_the_credit_and_charges_no_fee(
    client, stripe_on, django_capture_on_commit_callbacks
):
    service, (therapist,) = paying_clinic(payment_at_booking="full")
    purchase = a_package(service)
    _, _, held = to_payment_step(client, service, therapist)
    with django_capture_on_commit_callbacks(execute=True):
        use_package(client, purchase)
    held.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):  # the desk cancels it two hours before: a late cancel
        appointment_cancel(appointment=held, by_client=False, now=held.starts_at - timedelta(hours=2))
    held.refresh_from_db()
    assert held.status == Appointment.Status.CANCELLED
    purchase.refresh_from_db()
    assert purchase.credits_left == 1
    assert not LedgerEntry.objects.filter(kind__in=("fee", "charge", "credit_return")).exists()
    assert not ProviderCall.objects.filter(purpose__in=("booking_payment", "fee")).exists()
