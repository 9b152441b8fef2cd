"""Refunds and payments taken at the desk, over HTTP: each a ledger entry and a line of the booking's history."""

import pytest
from django.urls import reverse

from bookings.models import BookingEvent
from desk.fees import fee_charge
from desk.money import desk_payment_record
from payments.models import LedgerEntry, ProviderCall
from payments.selectors import appointment_paid

from .desk_scene import NO_SHOW_FEE, desk_person, missed_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return desk_person()


@pytest.fixture
def desk(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def fee_paid(stripe_on, staff):
    appointment = missed_session(api_base=stripe_on.STRIPE_API_BASE)
    return appointment, fee_charge(appointment=appointment, amount=NO_SHOW_FEE, charged_by=staff)


def refund_url(appointment):
    return reverse("desk:refund", args=[appointment.pk])


def payment_url(appointment):
    return reverse("desk:payment", args=[appointment.pk])


def test_part_of_a_fee_is_refunded_to_the_card_through_stripe(desk, fee_paid):
    appointment, fee = fee_paid
    page = desk.get(refund_url(appointment)).content.decode()
    assert "$45.00 paid, $45.00 refundable" in page
    answer = desk.post(refund_url(appointment), {"payment": fee.pk, "amount": "15", "intention": "first-try"})
    assert answer.status_code == 302
    refund = LedgerEntry.objects.get(kind="refund")
    assert (refund.amount, refund.reverses, refund.method, refund.actor_name) == (-1500, fee, "card", "desk")
    assert refund.stripe_id.startswith("re_")
    assert appointment_paid(appointment) == NO_SHOW_FEE - 1500
    event = BookingEvent.objects.get(appointment=appointment, action="refunded")
    assert event.who == "desk" and "$15.00" in event.summary
    assert "$30.00 refundable" in desk.get(refund_url(appointment)).content.decode()


def test_the_same_refund_form_sent_twice_refunds_once(desk, fee_paid):
    appointment, fee = fee_paid
    for _ in range(2):
        desk.post(refund_url(appointment), {"payment": fee.pk, "amount": "45.00", "intention": "same-form"})
    assert LedgerEntry.objects.filter(kind="refund").count() == 1
    assert appointment_paid(appointment) == 0


@pytest.mark.parametrize(
    ("typed", "refusal"),
    [
        ("45.01", "At most $45.00 of that payment is left to refund; $45.01 is more than was paid."),
        ("-1", "An amount cannot be negative."),
        ("ten", "is not an amount"),
    ],
)
def test_a_refund_beyond_what_was_paid_or_mistyped_is_refused_and_nothing_given_back(desk, fee_paid, typed, refusal):
    appointment, fee = fee_paid
    answer = desk.post(refund_url(appointment), {"payment": fee.pk, "amount": typed, "intention": "x"})
    assert answer.status_code == 200 and refusal in answer.content.decode()
    assert not LedgerEntry.objects.filter(kind="refund").exists()


def test_a_payment_of_another_booking_cannot_be_refunded_from_this_one(desk, fee_paid, stripe_on, staff):
    appointment, fee = fee_paid
    other = missed_session(api_base=stripe_on.STRIPE_API_BASE, card=None)
    desk_payment_record(appointment=other, amount=1000, method="cash", note="", intention="other", recorded_by=staff)
    answer = desk.post(refund_url(other), {"payment": fee.pk, "amount": "10", "intention": "x"})
    assert "That payment is not one of this booking" in answer.content.decode()
    assert not LedgerEntry.objects.filter(kind="refund").exists()


def test_a_refund_after_everything_was_given_back_is_refused(desk, fee_paid):
    appointment, fee = fee_paid
    desk.post(refund_url(appointment), {"payment": fee.pk, "amount": "45", "intention": "all"})
    page = desk.get(refund_url(appointment)).content.decode()
    assert "Nothing paid for this session is left to refund." in page
    again = desk.post(refund_url(appointment), {"payment": fee.pk, "amount": "1", "intention": "more"})
    assert "Nothing paid for this session is left to refund." in again.content.decode()
    assert LedgerEntry.objects.filter(kind="refund").count() == 1


def test_a_cash_payment_is_recorded_with_its_note_and_shows_in_the_history(stripe_on, desk):
    appointment = missed_session(api_base=stripe_on.STRIPE_API_BASE, status="completed", card=None)
    form = desk.get(payment_url(appointment)).content.decode()
    assert 'name="intention"' in form
    answer = desk.post(
        payment_url(appointment), {"amount": "90.00", "method": "cash", "note": "tip included", "intention": "pay-1"}
    )
    assert answer.status_code == 302
    entry = LedgerEntry.objects.get()
    assert (entry.kind, entry.amount, entry.method, entry.note, entry.actor_name) == (
        "desk_payment",
        9000,
        "cash",
        "tip included",
        "desk",
    )
    assert "$90.00 paid at the desk (cash)" in BookingEvent.objects.get(action="payment_recorded").summary
    assert appointment_paid(appointment) == 9000


def test_a_double_click_on_record_payment_records_one_payment(stripe_on, desk):
    appointment = missed_session(api_base=stripe_on.STRIPE_API_BASE, status="completed", card=None)
    data = {"amount": "90", "method": "terminal", "note": "", "intention": "double"}
    desk.post(payment_url(appointment), data)
    desk.post(payment_url(appointment), data)
    assert LedgerEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "refusal"),
    [
        ({"amount": "90", "method": "bitcoin"}, "Choose cash or the card terminal."),
        ({"amount": "-90", "method": "cash"}, "An amount cannot be negative."),
        ({"amount": "9o", "method": "cash"}, "is not an amount"),
        ({"amount": "90", "method": "cash", "intention": "<script>"}, "This form was changed on the way"),
    ],
)
def test_a_desk_payment_with_bad_input_is_refused_with_what_was_typed_kept(stripe_on, desk, data, refusal):
    appointment = missed_session(api_base=stripe_on.STRIPE_API_BASE, status="completed", card=None)
    answer = desk.post(payment_url(appointment), {"intention": "ok", "note": "kept note", **data})
    page = answer.content.decode()
    assert answer.status_code == 200 and refusal in page and 'value="kept note"' in page
    assert not LedgerEntry.objects.exists()


def test_a_cash_payment_is_refunded_at_the_desk_without_stripe(stripe_on, desk, staff):
    appointment = missed_session(api_base=stripe_on.STRIPE_API_BASE, status="completed", card=None)
    paid = desk_payment_record(
        appointment=appointment, amount=9000, method="cash", note="", intention="cash", recorded_by=staff
    )
    desk.post(refund_url(appointment), {"payment": paid.pk, "amount": "90", "intention": "back"})
    refund = LedgerEntry.objects.get(kind="refund")
    assert (refund.amount, refund.method, refund.stripe_id) == (-9000, "cash", "")
    assert not ProviderCall.objects.exists()  # nothing was asked of Stripe
