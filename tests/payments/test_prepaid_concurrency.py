"""Bookings spending the last package credit or the last dollars of a gift card at the same moment, each on its
own connection: exactly one gets it, the others are refused with words, and the counters never go out of bounds.

As in tests/bookings/test_concurrency.py, the control comes first on PostgreSQL: with the row lock switched off
(core.locking.locking_disabled) and the counter's check constraint dropped, the same threads overspend, which
shows the race is real. SQLite needs no lock to serialise (its IMMEDIATE transactions take the one write lock at
BEGIN), so the control runs on PostgreSQL only.
"""

import threading
from contextlib import contextmanager
from datetime import date

import pytest
from django.db import connection

from core.locking import locking_disabled
from payments.giftcards import GiftCardRefused, giftcard_redeem, giftcard_sell_at_desk
from payments.ledger import LedgerActor
from payments.models import LedgerEntry
from payments.packages import PackageRefused, package_credit_use, package_sell_at_desk
from payments.prepaid_models import GiftCard
from tests.concurrency import run_together
from tests.factories import AppointmentFactory

from .prepaid_scene import package_make

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 8
ACTOR = LedgerActor.client()


@contextmanager
def check_dropped(model, name):
    constraint = next(constraint for constraint in model._meta.constraints if constraint.name == name)
    with connection.schema_editor() as editor:
        editor.remove_constraint(model, constraint)
    try:
        yield
    finally:
        # What the unguarded race left would break the constraint: bring it back in bounds first.
        model.objects.update(balance=0)
        with connection.schema_editor() as editor:
            editor.add_constraint(model, constraint)


def last_credit_scene():
    package = package_make(sessions=1, price=9_000)
    purchase = package_sell_at_desk(package=package, name="Ana", email="ana@example.com", method="cash", sold_by=None)
    service = package.services.get()
    appointments = [AppointmentFactory(service=service) for _ in range(THREADS)]
    return purchase, appointments


def last_dollars_scene():
    card = giftcard_sell_at_desk(
        sold_by=None,
        method="cash",
        amount=5_000,
        purchaser_name="Ana",
        purchaser_email="ana@example.com",
        recipient_name="Bea",
        recipient_email="bea@example.com",
        deliver_on=date.today(),
    )
    return card, [AppointmentFactory() for _ in range(THREADS)]


def test_bookings_racing_for_the_last_package_credit_get_it_once():
    purchase, appointments = last_credit_scene()
    outcomes = run_together(
        lambda index: package_credit_use(purchase=purchase, appointment=appointments[index], actor=ACTOR),
        THREADS,
    )
    won = [outcome for outcome in outcomes if isinstance(outcome, LedgerEntry)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, PackageRefused)]
    assert len(won) == 1 and len(refused) == THREADS - 1, outcomes
    assert all("no credits left" in refusal.message for refusal in refused)
    purchase.refresh_from_db()
    assert purchase.credits_used == 1


def test_bookings_racing_for_a_gift_cards_last_dollars_get_them_once():
    card, appointments = last_dollars_scene()
    outcomes = run_together(
        lambda index: giftcard_redeem(code=card.code, appointment=appointments[index], amount=4_000, actor=ACTOR),
        THREADS,
    )
    won = [outcome for outcome in outcomes if isinstance(outcome, LedgerEntry)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, GiftCardRefused)]
    assert len(won) == 1 and len(refused) == THREADS - 1, outcomes
    card.refresh_from_db()
    assert card.balance == 1_000


def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers at BEGIN, so there is no race to show without the lock")


@contextmanager
def balance_reads_held_back(monkeypatch, count=THREADS):
    """Every redeemer waits, once it has read the card's balance, until all have read it: the window an
    unguarded check-then-write leaves open, made certain instead of likely on a busy machine."""
    read_together = threading.Barrier(count)
    read = GiftCard.objects.get

    def read_then_wait(*args, **kwargs):
        row = read(*args, **kwargs)
        read_together.wait(timeout=60)
        return row

    monkeypatch.setattr(GiftCard.objects, "get", read_then_wait)
    yield


def test_without_the_lock_and_the_check_the_race_overspends_a_gift_card(monkeypatch):
    postgres_only()
    card, appointments = last_dollars_scene()
    with (
        check_dropped(GiftCard, "gift_card_balance_within_amount"),
        locking_disabled(),
        balance_reads_held_back(monkeypatch),
    ):
        outcomes = run_together(
            lambda index: giftcard_redeem(code=card.code, appointment=appointments[index], amount=4_000, actor=ACTOR),
            THREADS,
        )
    won = [outcome for outcome in outcomes if isinstance(outcome, LedgerEntry)]
    assert len(won) == THREADS, outcomes


def test_without_the_lock_the_check_constraint_still_refuses_the_overspend_with_words():
    postgres_only()
    card, appointments = last_dollars_scene()
    with locking_disabled():
        outcomes = run_together(
            lambda index: giftcard_redeem(code=card.code, appointment=appointments[index], amount=4_000, actor=ACTOR),
            THREADS,
        )
    won = [outcome for outcome in outcomes if isinstance(outcome, LedgerEntry)]
    assert len(won) == 1 and all(isinstance(outcome, (LedgerEntry, GiftCardRefused)) for outcome in outcomes), outcomes
    card.refresh_from_db()
    assert card.balance == 1_000
