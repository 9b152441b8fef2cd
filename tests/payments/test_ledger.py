"""The ledger is append-only and exact: what the database and the services refuse."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from clients.models import Client
from clients.services import client_merge
from payments.ledger import LedgerActor, ledger_entry_record, refundable_left
from payments.models import LedgerEntry, LedgerRefused
from payments.selectors import appointment_paid
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHARGE, REFUND, CARD = LedgerEntry.Kind.CHARGE, LedgerEntry.Kind.REFUND, LedgerEntry.Method.CARD


def charge(amount=9000, key="charge:1", **extra):
    return ledger_entry_record(
        kind=CHARGE, amount=amount, method=CARD, idempotency_key=key, actor=LedgerActor.client(), **extra
    )


def refund(of, amount, key):
    return ledger_entry_record(
        kind=REFUND, amount=-amount, method=CARD, idempotency_key=key, actor=LedgerActor.system(), reverses=of
    )


def test_an_entry_is_written_once_per_idempotency_key():
    first = charge()
    again = charge()
    assert again.pk == first.pk
    assert LedgerEntry.objects.count() == 1
    assert first.currency == "USD"


def test_a_key_reused_for_a_different_amount_is_refused():
    charge()
    with pytest.raises(LedgerRefused, match="different ledger entry"):
        charge(amount=100)


def test_an_entry_cannot_be_changed_or_deleted_through_django():
    entry = charge()
    entry.amount = 1
    with pytest.raises(LedgerRefused):
        entry.save()
    with pytest.raises(LedgerRefused):
        entry.delete()
    with pytest.raises(LedgerRefused):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=1)
    with pytest.raises(LedgerRefused):
        LedgerEntry.objects.all().delete()
    assert LedgerEntry.objects.get().amount == 9000


def test_the_database_refuses_an_update_made_behind_djangos_back():
    entry = charge()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE payments_ledgerentry SET amount = 1 WHERE id = %s", [entry.pk])
    assert LedgerEntry.objects.get().amount == 9000


@pytest.mark.parametrize(
    ("kind", "amount"),
    [("charge", -100), ("fee", 0), ("desk_payment", -1), ("credit", -5), ("redemption", 100), ("refund", 100)],
)
def test_the_database_refuses_an_amount_of_the_wrong_sign_for_its_kind(kind, amount):
    paid = charge()
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            kind=kind,
            amount=amount,
            currency="USD",
            method=CARD,
            idempotency_key=f"bad:{kind}",
            actor_kind="system",
            reverses=paid,
            created_at=paid.created_at,
        )


def test_the_database_refuses_a_refund_that_names_no_payment():
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            kind=REFUND,
            amount=-5,
            currency="USD",
            method=CARD,
            idempotency_key="r",
            actor_kind="system",
            created_at="2026-01-01T00:00Z",
        )


def test_one_stripe_payment_is_recorded_as_a_charge_only_once():
    charge(stripe_id="pi_1", key="a")
    with pytest.raises(IntegrityError), transaction.atomic():
        charge(stripe_id="pi_1", key="b")


def test_refunds_never_give_back_more_than_was_paid():
    paid = charge(amount=5000)
    refund(paid, 3000, "r1")
    with pytest.raises(LedgerRefused, match="more than was paid"):
        refund(paid, 2001, "r2")
    refund(paid, 2000, "r3")
    assert refundable_left(paid) == 0
    assert LedgerEntry.objects.filter(kind=REFUND).count() == 2


def test_a_refund_takes_the_payments_booking_and_currency():
    from tests.factories import AppointmentFactory

    appointment = AppointmentFactory()
    paid = charge(amount=5000, appointment=appointment)
    given_back = refund(paid, 1500, "r1")
    assert given_back.appointment == appointment
    assert appointment_paid(appointment) == 3500


@pytest.mark.parametrize(
    "change",
    [
        "amount = amount + 1",
        "kind = 'credit'",
        "idempotency_key = 'another'",
        "currency = 'EUR'",
        "note = 'rewritten'",
        "method = 'cash'",
    ],
)
def test_the_database_refuses_every_change_but_the_client_it_names(change):
    entry = charge(note="as paid")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE payments_ledgerentry SET {change} WHERE id = %s", [entry.pk])
    assert LedgerEntry.objects.values("amount", "kind", "idempotency_key", "currency", "note").get() == {
        "amount": 9000,
        "kind": CHARGE,
        "idempotency_key": "charge:1",
        "currency": "USD",
        "note": "as paid",
    }


def test_merging_two_records_of_one_person_moves_their_ledger_entries_to_the_record_kept():
    keep = Client.objects.create(name="Ana Silva", email="ana@example.com")
    duplicate = Client.objects.create(name="Ana Silva", email="ana.silva@example.com")
    paid = charge(client=duplicate)
    client_merge(keep=keep, duplicate=duplicate, changed_by=UserFactory())
    assert LedgerEntry.objects.values_list("pk", "client_id", "amount").get() == (paid.pk, keep.pk, 9000)
