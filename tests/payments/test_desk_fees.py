"""The desk charges a no-show or late-cancel fee to the card on file, over HTTP to localstripe, once."""

from datetime import timedelta

import pytest
from django.urls import reverse

from bookings.models import BookingEvent
from payments.models import LedgerEntry, ProviderCall

from .desk_scene import DECLINED_ON_CHARGE, LATE_CANCEL_FEE, NO_SHOW_FEE, charges_at_stripe, desk_person, missed_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client):
    client.force_login(desk_person())
    return client


def fee_url(appointment):
    return reverse("desk:fee", args=[appointment.pk])


def test_the_confirmation_shows_the_policys_fee_and_the_card_before_anything_is_charged(stripe_on, desk):
    appointment = missed_session(api_base=stripe_on.STRIPE_API_BASE)
    page = desk.get(fee_url(appointment)).content.decode()
    assert "Charge the no-show fee?" in page
    assert "At most $45.00" in page and 'value="45.00"' in page
    assert "visa ending 4242" in page
    assert charges_at_stripe(appointment) == [] and not LedgerEntry.objects.exists()


def test_the_desk_charges_the_no_show_fee_once_and_the_history_says_who(stripe_on, desk):
    appointment = missed_session(api_base=stripe_on.STRIPE_API_BASE)
    answer = desk.post(fee_url(appointment), {"amount": "45.00"})
    assert answer.status_code == 302 and answer.url == reverse("desk:appointment", args=[appointment.pk])
    entry = LedgerEntry.objects.get()
    assert (entry.kind, entry.amount, entry.method, entry.actor_name) == ("fee", NO_SHOW_FEE, "card", "desk")
    assert entry.idempotency_key == f"fee:no_show:{appointment.pk}"
    [charge] = charges_at_stripe(appointment)
    assert (charge.id, charge.status, charge.amount) == (entry.stripe_id, "succeeded", NO_SHOW_FEE)
    event = BookingEvent.objects.get(appointment=appointment, action="fee_charged")
    assert event.who == "desk" and "$45.00" in event.summary and "4242" in event.summary

    again = desk.post(fee_url(appointment), {"amount": "45.00"})
    assert "Fee already charged" in again.content.decode()
    assert LedgerEntry.objects.count() == 1 and len(charges_at_stripe(appointment)) == 1
    page = desk.get(reverse("desk:appointment", args=[appointment.pk])).content.decode()
    assert "Fee charged by desk" in page and "Charge the no-show fee" not in page


def test_the_fee_can_be_charged_for_less_than_the_policy_says(stripe_on, desk):
    appointment = missed_session(api_base=stripe_on.STRIPE_API_BASE)
    desk.post(fee_url(appointment), {"amount": "20"})
    assert LedgerEntry.objects.get().amount == 2000
    assert [charge.amount for charge in charges_at_stripe(appointment)] == [2000]


@pytest.mark.parametrize(
    ("typed", "refusal"),
    [
        ("45.01", "more than the fee of $45.00"),
        ("4500", "more than the fee of $45.00"),
        ("-5", "cannot be negative"),
        ("0", "more than nothing"),
        ("forty", "is not an amount"),
        ("NaN", "as a number"),
        ("12.345", "at most 2 digits after the point"),
        ("", "Enter an amount"),
    ],
)
def test_a_tampered_or_mistyped_amount_is_refused_and_nothing_is_charged(stripe_on, desk, typed, refusal):
    appointment = missed_session(api_base=stripe_on.STRIPE_API_BASE)
    answer = desk.post(fee_url(appointment), {"amount": typed})
    assert answer.status_code == 200
    assert refusal in answer.content.decode()
    assert f'value="{typed}"' in answer.content.decode() or typed == ""
    assert not LedgerEntry.objects.exists() and not ProviderCall.objects.exists()
    assert charges_at_stripe(appointment) == []


def test_a_declined_card_gets_a_clear_message_and_the_booking_notes_it(stripe_on, desk):
    appointment = missed_session(api_base=stripe_on.STRIPE_API_BASE, card=DECLINED_ON_CHARGE)
    page = desk.post(fee_url(appointment), {"amount": "45.00"}).content.decode()
    assert "The card ending 0341 was declined (Your card was declined.). Nothing was charged" in page
    assert not LedgerEntry.objects.exists()
    assert ProviderCall.objects.get().status == ProviderCall.Status.FAILED
    event = BookingEvent.objects.get(appointment=appointment, action="fee_not_charged")
    assert event.who == "desk" and "declined" in event.summary


def test_without_a_card_on_file_the_fee_is_not_charged_and_the_booking_notes_it(stripe_on, desk):
    appointment = missed_session(api_base=stripe_on.STRIPE_API_BASE, card=None)
    page = desk.get(fee_url(appointment)).content.decode()
    assert "There is no card on file for Ana Silva" in page
    refused = desk.post(fee_url(appointment), {"amount": "45.00"}).content.decode()
    assert "the no-show fee was not charged" in refused
    assert not LedgerEntry.objects.exists() and not ProviderCall.objects.exists()
    assert "no card on file" in BookingEvent.objects.get(appointment=appointment, action="fee_not_charged").summary


def test_a_late_cancel_is_charged_the_late_cancel_fee(stripe_on, desk):
    from django.utils import timezone

    starts_at = timezone.now().replace(microsecond=0) - timedelta(hours=2)
    appointment = missed_session(
        api_base=stripe_on.STRIPE_API_BASE,
        status="cancelled",
        starts_at=starts_at,
        cancelled_at=starts_at - timedelta(hours=3),
    )
    assert "Charge the late-cancel fee?" in desk.get(fee_url(appointment)).content.decode()
    desk.post(fee_url(appointment), {"amount": "30.00"})
    entry = LedgerEntry.objects.get()
    assert (entry.amount, entry.idempotency_key) == (LATE_CANCEL_FEE, f"fee:late_cancel:{appointment.pk}")


def test_a_session_that_was_kept_has_no_fee_to_charge(stripe_on, desk):
    appointment = missed_session(api_base=stripe_on.STRIPE_API_BASE, status="completed")
    assert "No fee to charge" in desk.get(fee_url(appointment)).content.decode()
    assert "not a no-show" in desk.post(fee_url(appointment), {"amount": "45.00"}).content.decode()
    assert not ProviderCall.objects.exists()


def test_with_payments_off_the_desk_shows_no_money_at_all(desk):
    appointment = missed_session(card=None)
    assert desk.get(fee_url(appointment)).status_code == 404
    assert desk.get(reverse("desk:takings")).status_code == 404
    page = desk.get(reverse("desk:appointment", args=[appointment.pk])).content.decode()
    assert "Money" not in page and "Takings" not in page and "Refund" not in page


def test_a_deposit_already_paid_counts_towards_the_fee(stripe_on, desk):
    from payments.ledger import LedgerActor, ledger_entry_record

    appointment = missed_session(api_base=stripe_on.STRIPE_API_BASE)
    ledger_entry_record(
        kind=LedgerEntry.Kind.CHARGE,
        amount=2000,
        method=LedgerEntry.Method.CARD,
        idempotency_key=f"booking-deposit:{appointment.pk}:1",
        actor=LedgerActor.client(),
        appointment=appointment,
        stripe_id=f"pi_deposit_{appointment.pk}",
    )
    assert "At most $25.00" in desk.get(fee_url(appointment)).content.decode()
    refused = desk.post(fee_url(appointment), {"amount": "45.00"}).content.decode()
    assert "more than the fee of $25.00" in refused
    assert charges_at_stripe(appointment) == [] and not ProviderCall.objects.exists()


def test_a_fee_already_covered_by_what_was_paid_offers_nothing_to_charge(stripe_on, desk):
    from payments.ledger import LedgerActor, ledger_entry_record

    appointment = missed_session(api_base=stripe_on.STRIPE_API_BASE)
    ledger_entry_record(
        kind=LedgerEntry.Kind.CHARGE,
        amount=9000,
        method=LedgerEntry.Method.CARD,
        idempotency_key=f"booking-full:{appointment.pk}:1",
        actor=LedgerActor.client(),
        appointment=appointment,
        stripe_id=f"pi_full_{appointment.pk}",
    )
    page = desk.get(fee_url(appointment)).content.decode()
    assert "Nothing to charge" in page and "$90.00 already paid" in page and "Charge the fee" not in page
    session = desk.get(reverse("desk:appointment", args=[appointment.pk])).content.decode()
    assert "Charge the no-show fee" not in session
    refused = desk.post(fee_url(appointment), {"amount": "1"}).content.decode()
    assert "covers the no-show fee" in refused and not ProviderCall.objects.exists()
