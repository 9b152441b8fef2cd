"""Packages: sold at the desk or online, one credit per booking of a covered service, given back on an early cancel."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from payments.ledger import LedgerActor
from payments.models import LedgerEntry
from payments.packages import (
    PackageRefused,
    package_credit_return,
    package_credit_use,
    package_for_appointment,
    package_holding_find,
    package_purchase_pay,
    package_purchase_start,
    package_sell_at_desk,
)
from payments.prepaid_models import PackagePurchase
from tests.factories import ServiceFactory, StaffUserFactory

from .prepaid_scene import appointment_for, package_make

pytestmark = pytest.mark.django_db
CLIENT = LedgerActor.client()


@pytest.fixture
def sold(django_capture_on_commit_callbacks):
    package = package_make(sessions=3, price=10_000)
    with django_capture_on_commit_callbacks(execute=True):
        purchase = package_sell_at_desk(
            package=package, name="Ana Silva", email="Ana@Example.com", method="cash", sold_by=StaffUserFactory()
        )
    return purchase


def test_a_desk_sale_is_one_ledger_entry_with_its_method_and_an_emailed_receipt(sold):
    entry = LedgerEntry.objects.get(package=sold)
    assert (entry.kind, entry.amount, entry.method, entry.actor_kind) == ("sale", 10_000, "cash", "staff")
    assert sold.email == "ana@example.com" and sold.credits_left == 3
    assert sold.expires_at == sold.paid_at + timedelta(days=365)
    (receipt,) = mail.outbox
    assert receipt.to == ["ana@example.com"] and sold.code in receipt.body
    assert sold.code in receipt.alternatives[0][0] and "$100.00" in receipt.body


def test_paying_twice_records_one_sale():
    purchase = package_purchase_start(package=package_make(), name="Ana", email="ana@example.com", method="card")
    package_purchase_pay(purchase=purchase, actor=CLIENT, stripe_id="pi_1")
    package_purchase_pay(purchase=purchase, actor=CLIENT, stripe_id="pi_1")
    assert LedgerEntry.objects.filter(package=purchase, kind="sale").count() == 1


def test_a_package_not_yet_paid_cannot_be_found_or_used():
    purchase = package_purchase_start(package=package_make(), name="Ana", email="ana@example.com", method="card")
    assert package_holding_find(email="ana@example.com", code=purchase.code) is None
    with pytest.raises(PackageRefused, match="not been paid"):
        package_credit_use(
            purchase=purchase, appointment=appointment_for(purchase.package.services.get()), actor=CLIENT
        )


def test_the_holder_is_found_by_email_and_code_typed_loosely(sold):
    typed = sold.code.lower().replace("-", " ").replace("0", "o")
    assert package_holding_find(email=" ANA@example.com ", code=typed) == sold


@pytest.mark.parametrize("email, code", [("bob@example.com", None), ("ana@example.com", "0000-0000-0000-0000")])
def test_a_wrong_email_or_code_finds_nothing(sold, email, code):
    assert package_holding_find(email=email, code=code or sold.code) is None


def test_each_booking_uses_one_credit_worth_its_share_of_the_price(sold):
    service = sold.package.services.get()
    uses = [package_credit_use(purchase=sold, appointment=appointment_for(service), actor=CLIENT) for _ in range(3)]
    assert [use.amount for use in uses] == [-3333, -3333, -3334]
    sold.refresh_from_db()
    assert sold.credits_left == 0
    with pytest.raises(PackageRefused, match="no credits left"):
        package_credit_use(purchase=sold, appointment=appointment_for(service), actor=CLIENT)


def test_the_same_booking_asking_twice_uses_one_credit(sold):
    appointment = appointment_for(sold.package.services.get())
    first = package_credit_use(purchase=sold, appointment=appointment, actor=CLIENT)
    assert package_credit_use(purchase=sold, appointment=appointment, actor=CLIENT) == first
    sold.refresh_from_db()
    assert sold.credits_used == 1 and package_for_appointment(appointment) == sold


def test_a_service_the_package_does_not_cover_is_refused(sold):
    with pytest.raises(PackageRefused, match="does not cover"):
        package_credit_use(purchase=sold, appointment=appointment_for(ServiceFactory()), actor=CLIENT)


def test_an_expired_package_cannot_be_used(sold):
    later = sold.expires_at + timedelta(minutes=1)
    with pytest.raises(PackageRefused, match="expired"):
        package_credit_use(
            purchase=sold, appointment=appointment_for(sold.package.services.get()), actor=CLIENT, now=later
        )
    assert not LedgerEntry.objects.filter(kind="redemption").exists()


def test_giving_a_credit_back_restores_it_once(sold):
    appointment = appointment_for(sold.package.services.get())
    use = package_credit_use(purchase=sold, appointment=appointment, actor=CLIENT)
    back = package_credit_return(appointment=appointment, actor=CLIENT)
    assert package_credit_return(appointment=appointment, actor=CLIENT) == back
    assert back.amount == -use.amount and back.package == sold
    sold.refresh_from_db()
    assert sold.credits_used == 0 and package_for_appointment(appointment) is None


def test_a_booking_that_used_no_credit_gives_nothing_back(sold):
    assert package_credit_return(appointment=appointment_for(sold.package.services.get()), actor=CLIENT) is None


def test_the_database_refuses_more_credits_used_than_bought(sold):
    with pytest.raises(IntegrityError), transaction.atomic():
        PackagePurchase.objects.filter(pk=sold.pk).update(credits_used=4)


def test_the_database_refuses_a_second_package_credit_for_one_booking(sold):
    appointment = appointment_for(sold.package.services.get())
    package_credit_use(purchase=sold, appointment=appointment, actor=CLIENT)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            kind="redemption",
            amount=-1,
            currency="USD",
            method="package",
            appointment=appointment,
            package=sold,
            idempotency_key="another",
            actor_kind="system",
            created_at=timezone.now(),
        )
