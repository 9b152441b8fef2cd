"""The payment rules per service with the clinic's default, and nothing at all with payments off."""

from datetime import UTC, time
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from bookings.models import BookingPolicy
from bookings.payment_terms import PaymentAtBooking, appointment_terms, payment_terms
from bookings.services import ClientDetails, appointment_book
from tests.factories import ServiceFactory, clinic_with_hours

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def keys(settings):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_PUBLISHABLE_KEY, settings.STRIPE_WEBHOOK_SECRET = "sk", "pk", "whsec"


def test_with_no_stripe_keys_nothing_is_ever_due(settings):
    BookingPolicy.objects.create(payment_at_booking="full", no_show_fee_percent=100)
    terms = payment_terms(ServiceFactory(price=Decimal("90.00")))
    assert (terms.mode, terms.due_at_booking, terms.no_show_fee, terms.takes_card) == ("none", 0, 0, False)
    assert terms.sentences() == []


def test_a_service_without_rules_follows_the_clinic_default(keys):
    BookingPolicy.objects.create(payment_at_booking="deposit", deposit_percent=25, late_cancel_fee_amount=3000)
    terms = payment_terms(ServiceFactory(price=Decimal("90.00")))
    assert (terms.mode, terms.due_at_booking, terms.late_cancel_fee, terms.no_show_fee) == ("deposit", 2250, 3000, 0)
    assert terms.sentences() == [
        "A deposit of $22.50 is charged when you book.",
        "Cancel or move before the cutoff and it is refunded in full.",
        "Cancelling after the cutoff costs $30.00.",
    ]


def test_a_services_own_rules_win_over_the_default(keys):
    BookingPolicy.objects.create(payment_at_booking="deposit", deposit_amount=2000, no_show_fee_percent=50)
    service = ServiceFactory(price=Decimal("120.00"), payment_at_booking="full", no_show_fee_amount=12000)
    terms = payment_terms(service)
    assert (terms.mode, terms.due_at_booking, terms.no_show_fee) == ("full", 12000, 12000)


def test_a_card_on_file_charges_nothing_at_booking(keys):
    service = ServiceFactory(payment_at_booking=PaymentAtBooking.CARD, no_show_fee_percent=100)
    terms = payment_terms(service)
    assert (terms.takes_card, terms.due_at_booking, terms.no_show_fee) == (True, 0, 9000)
    assert terms.sentences()[0] == "We keep your card on file; nothing is charged when you book."


def test_a_deposit_never_exceeds_the_price(keys):
    service = ServiceFactory(price=Decimal("40.00"), payment_at_booking="deposit", deposit_amount=5000)
    assert payment_terms(service).due_at_booking == 4000


def test_credit_instead_of_refund_is_said_in_the_terms(keys):
    BookingPolicy.objects.create(payment_at_booking="full", refund_as_credit=True)
    assert "kept as credit for your next booking" in " ".join(payment_terms(ServiceFactory()).sentences())


@pytest.mark.parametrize(
    "fields",
    [
        {"deposit_amount": 100, "deposit_percent": 10},
        {"no_show_fee_percent": 101},
        {"late_cancel_fee_amount": 1, "late_cancel_fee_percent": 1},
    ],
)
def test_the_database_refuses_a_rule_that_is_both_amount_and_percent_or_over_100(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceFactory(**fields)


def _booked(service, therapist):
    return appointment_book(
        service=service,
        therapist=therapist,
        starts_at=local(2026, 3, 3, 10).astimezone(UTC),
        client=ClientDetails(name="Ana Silva", email="ana@example.com", phone="617 555 0199", consent=True),
    )


def test_a_booking_keeps_the_terms_it_was_made_under_when_the_rules_change_later(keys, monday_morning):
    service, (therapist,), _ = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60)
    policy = BookingPolicy.current()
    policy.late_cancel_fee_percent, policy.no_show_fee_percent = 50, 100
    policy.save()
    service.price = Decimal("90.00")
    service.save()
    booked = _booked(service, therapist)
    policy.late_cancel_fee_percent, policy.no_show_fee_percent = 100, None
    policy.no_show_fee_amount = 20000
    policy.save()
    service.price = Decimal("120.00")
    service.save()
    booked.refresh_from_db()
    agreed = appointment_terms(booked)
    assert (agreed.price, agreed.late_cancel_fee, agreed.no_show_fee) == (9000, 4500, 9000)
    assert "Missing the session without cancelling costs $90.00." in agreed.sentences()
    today = payment_terms(service)
    assert (today.price, today.late_cancel_fee, today.no_show_fee) == (12000, 12000, 20000)


def test_a_booking_made_with_payments_off_keeps_no_terms_and_owes_nothing(settings, monday_morning):
    BookingPolicy.objects.create(no_show_fee_percent=100)
    service, (therapist,), _ = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60)
    booked = _booked(service, therapist)
    assert booked.terms_agreed is None
    assert appointment_terms(booked).no_show_fee == 0
