"""Property tests of the ledger's rules over random sequences of payments, refunds, credit and its use.

A plain Python model of the money says what must happen; the services must agree with it on every
step (refusing exactly what the model refuses), and the balances the selectors derive from the
ledger must equal the model's at the end: a refund never exceeds its payment, credit never goes
below zero, an idempotency key replayed writes nothing new.
"""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments.ledger import LedgerActor, credit_redeem, ledger_entry_record, refundable_left
from payments.models import LedgerEntry, LedgerRefused
from payments.selectors import appointment_paid, client_credit
from tests.fuzz import FUZZ

pytestmark = pytest.mark.django_db
KEYS = itertools.count()

amounts = st.integers(min_value=1, max_value=50_000)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), amounts),
        st.tuples(st.just("refund"), st.integers(min_value=0, max_value=9), amounts),
        st.tuples(st.just("credit"), amounts),
        st.tuples(st.just("redeem"), amounts),
        st.tuples(st.just("replay"), st.integers(min_value=0, max_value=9)),
    ),
    min_size=1,
    max_size=25,
)


@pytest.fixture
def scene():
    from clients.models import Client
    from tests.factories import AppointmentFactory

    def make():
        appointment = AppointmentFactory()
        client = Client.objects.create(name="Ana Silva", phone="617 555 0100")
        return appointment, client

    return make


@FUZZ
@given(steps=operations)
def test_the_ledger_agrees_with_a_model_of_the_money(scene, steps):
    appointment, client = scene()
    run = next(KEYS)
    payments: list[tuple[LedgerEntry, int]] = []  # each payment and what is left to refund
    written: list[tuple[str, str, int]] = []  # (key, kind, amount) of everything written, for replays
    paid = credit = 0
    actor = LedgerActor.system()
    for number, step in enumerate(steps):
        key = f"prop:{run}:{number}"
        if step[0] == "pay":
            entry = ledger_entry_record(
                kind="charge", amount=step[1], method="card", idempotency_key=key, actor=actor, appointment=appointment
            )
            payments.append([entry, step[1]])
            paid += step[1]
            written.append((key, "charge", step[1]))
        elif step[0] == "refund" and payments:
            target = payments[step[1] % len(payments)]
            if step[2] > target[1]:
                with pytest.raises(LedgerRefused):
                    ledger_entry_record(
                        kind="refund",
                        amount=-step[2],
                        method="card",
                        idempotency_key=key,
                        actor=actor,
                        reverses=target[0],
                    )
            else:
                ledger_entry_record(
                    kind="refund", amount=-step[2], method="card", idempotency_key=key, actor=actor, reverses=target[0]
                )
                target[1] -= step[2]
                paid -= step[2]
                written.append((key, "refund", -step[2]))
        elif step[0] == "credit":
            ledger_entry_record(
                kind="credit", amount=step[1], method="credit", idempotency_key=key, actor=actor, client=client
            )
            credit += step[1]
            written.append((key, "credit", step[1]))
        elif step[0] == "redeem":
            if step[1] > credit:
                with pytest.raises(LedgerRefused):
                    credit_redeem(client=client, amount=step[1], idempotency_key=key, actor=actor)
            else:
                credit_redeem(client=client, amount=step[1], idempotency_key=key, actor=actor)
                credit -= step[1]
                written.append((key, "redemption", -step[1]))
        elif step[0] == "replay" and written:
            replay_key, kind, amount = written[step[1] % len(written)]
            before = LedgerEntry.objects.count()
            if kind == "redemption":
                credit_redeem(client=client, amount=-amount, idempotency_key=replay_key, actor=actor)
            elif kind == "refund":
                original = LedgerEntry.objects.get(idempotency_key=replay_key)
                ledger_entry_record(
                    kind=kind,
                    amount=amount,
                    method="card",
                    idempotency_key=replay_key,
                    actor=actor,
                    reverses=original.reverses,
                )
            else:
                ledger_entry_record(kind=kind, amount=amount, method="card", idempotency_key=replay_key, actor=actor)
            assert LedgerEntry.objects.count() == before
    assert appointment_paid(appointment) == paid >= 0
    assert client_credit(client) == credit >= 0
    for entry, left in payments:
        assert refundable_left(entry) == left >= 0
