"""Two people at the desk press "Charge the fee" for the same no-show at the same moment, each on its own connection.

The pretix pattern, as in tests/bookings/test_concurrency.py: a control first shows the race is
real, then the real service charges once. localstripe ignores Stripe's Idempotency-Key header, so
what stops a second charge here is ours alone: the ProviderCall written under the fee's unique
idempotency key (``fee:no_show:<booking>``) before Stripe is asked (payments.fees).

On PostgreSQL the control is the real service with that key's uniqueness dropped and every
ProviderCall INSERT held back until both threads wait, so both check before either writes. On
SQLite the IMMEDIATE write transaction serialises the writes, so the control there is
check-then-charge with nothing in between: the race the key exists to close.
"""

import threading
import time as clock
from contextlib import contextmanager, nullcontext

import pytest
from django.db import connection, transaction

from desk.fees import fee_charge, fee_due, fee_entry
from desk.money import MoneyRefused
from payments import gateway
from payments.models import LedgerEntry, ProviderCall
from tests.bookings.test_concurrency import run_together

from .desk_scene import NO_SHOW_FEE, charges_at_stripe, desk_person, missed_session

STAFF = 2


@pytest.fixture
def no_show(stripe_on):
    appointment = missed_session(api_base=stripe_on.STRIPE_API_BASE)
    return appointment, [desk_person(f"desk{index}") for index in range(STAFF)]


def charging(appointment, staff):
    def work(index, barrier):
        return fee_charge(appointment=appointment, amount=NO_SHOW_FEE, charged_by=staff[index])

    return work


@contextmanager
def provider_call_inserts_held_back(count=STAFF):
    """On PostgreSQL, let every charge check, but hold its ProviderCall INSERT until ``count`` wait."""
    locked = threading.Event()

    def hold():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {ProviderCall._meta.db_table} IN SHARE MODE")
                locked.set()
                deadline = clock.monotonic() + 60
                while clock.monotonic() < deadline:
                    cursor.execute("SELECT pg_stat_clear_snapshot()")
                    cursor.execute(
                        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND wait_event_type = 'Lock'"
                    )
                    if cursor.fetchone()[0] >= count:
                        break
                    clock.sleep(0.02)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(timeout=30)
    try:
        yield
    finally:
        holder.join(timeout=90)


@contextmanager
def provider_call_key_not_unique():
    """On PostgreSQL, take the uniqueness off ProviderCall.idempotency_key for the control, and put it back."""
    field = ProviderCall._meta.get_field("idempotency_key")
    _, _, args, kwargs = field.deconstruct()
    loose = type(field)(*args, **{**kwargs, "unique": False})
    loose.set_attributes_from_name("idempotency_key")
    loose.model = ProviderCall
    with connection.schema_editor() as editor:
        editor.alter_field(ProviderCall, field, loose)
    try:
        yield
    finally:
        ProviderCall.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.alter_field(ProviderCall, loose, field)


@pytest.mark.django_db(transaction=True)
def test_two_staff_charging_the_same_no_show_fee_at_once_charge_it_once(no_show):
    appointment, staff = no_show
    with provider_call_inserts_held_back() if connection.vendor == "postgresql" else nullcontext():
        outcomes = run_together(charging(appointment, staff), count=STAFF)
    charged = [outcome for outcome in outcomes if isinstance(outcome, LedgerEntry)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, MoneyRefused)]
    assert len(charged) == 1 and len(refused) == 1, outcomes
    assert refused[0].message in (
        "The no-show fee for this booking has already been charged.",
        "The no-show fee is being charged already; its answer from Stripe has not come back yet.",
        "The no-show fee is already charged.",
        "The no-show fee is being charged already.",
    )
    assert LedgerEntry.objects.filter(kind="fee").count() == 1
    assert ProviderCall.objects.count() == 1
    [charge] = charges_at_stripe(appointment)
    assert (charge.id, charge.amount) == (charged[0].stripe_id, NO_SHOW_FEE)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_control_with_the_key_not_unique_both_staff_charge_the_card(no_show):
    """The real service with its key's uniqueness dropped: both find no charge under way, both charge the card."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: on SQLite the control is check-then-charge (below)")
    appointment, staff = no_show
    with provider_call_key_not_unique(), provider_call_inserts_held_back():
        outcomes = run_together(charging(appointment, staff), count=STAFF)
        assert all(isinstance(outcome, LedgerEntry) for outcome in outcomes), outcomes
        assert len(charges_at_stripe(appointment)) == STAFF  # the card charged twice
        assert LedgerEntry.objects.filter(kind="fee").count() == 1  # and the ledger knows of one


@pytest.mark.django_db(transaction=True)
def test_control_check_then_charge_with_nothing_between_charges_the_card_twice(no_show):
    """SQLite's control: both read "no fee yet", wait for each other, then both ask Stripe with the same key."""
    if connection.vendor == "postgresql":
        pytest.skip("on PostgreSQL the control goes through the service with the key not unique")
    appointment, _ = no_show
    card = appointment.client.cards_on_file.get()

    def unguarded(index, barrier):
        due = fee_due(appointment)
        nothing_yet = fee_entry(appointment) is None
        barrier.wait()
        if not nothing_yet:
            return None
        return gateway.payment_intent_create(
            amount=due.amount,
            customer_id=card.customer_id,
            payment_method_id=card.payment_method_id,
            metadata={},
            idempotency_key=f"fee:{due.kind}:{appointment.pk}",
            off_session=True,
        )

    outcomes = run_together(unguarded, count=STAFF)
    assert all(isinstance(outcome, gateway.Intent) for outcome in outcomes), outcomes
    assert len(charges_at_stripe(appointment)) == STAFF
