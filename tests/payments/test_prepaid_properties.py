"""Property tests: over random sequences of credit uses, returns, redemptions and give-backs, the counters the
database checks and the ledger agree with a plain model of the package and the card, and every refusal
changes nothing."""

from datetime import date

import pytest
from django.db.models import Sum
from hypothesis import given
from hypothesis import strategies as st

from payments.giftcards import GiftCardRefused, giftcard_redeem, giftcard_return, giftcard_sell_at_desk
from payments.ledger import LedgerActor
from payments.models import LedgerEntry
from payments.packages import PackageRefused, package_credit_return, package_credit_use, package_sell_at_desk
from tests.fuzz import FUZZ

from .prepaid_scene import bookings_maker, package_make

pytestmark = pytest.mark.django_db
ACTOR = LedgerActor.system()

package_steps = st.lists(
    st.one_of(st.tuples(st.just("use")), st.tuples(st.just("return"), st.integers(0, 20))), min_size=1, max_size=14
)
card_steps = st.lists(
    st.one_of(
        st.tuples(st.just("redeem"), st.integers(1, 30_000)),
        st.tuples(st.just("again"), st.integers(0, 20), st.integers(1, 30_000)),
        st.tuples(st.just("return"), st.integers(0, 20)),
    ),
    min_size=1,
    max_size=14,
)


def ledger_sum(**filters) -> int:
    return LedgerEntry.objects.filter(**filters).aggregate(total=Sum("amount"))["total"] or 0


@FUZZ
@given(sessions=st.integers(1, 6), extra=st.integers(0, 100_000), steps=package_steps)
def test_package_credits_agree_with_a_model_and_never_leave_their_bounds(sessions, extra, steps):
    price = sessions + extra  # a package costs at least one minor unit per session (a check constraint)
    package = package_make(sessions=sessions, price=price)
    service = package.services.get()
    purchase = package_sell_at_desk(package=package, name="Ana", email="ana@example.com", method="cash", sold_by=None)
    booked, returned = [], set()
    new_booking = bookings_maker(service)
    for step in steps:
        if step[0] == "use":
            appointment = new_booking()
            if len(booked) - len(returned) < sessions:
                package_credit_use(purchase=purchase, appointment=appointment, actor=ACTOR)
                booked.append(appointment)
            else:
                with pytest.raises(PackageRefused):
                    package_credit_use(purchase=purchase, appointment=appointment, actor=ACTOR)
        elif booked:
            appointment = booked[step[1] % len(booked)]
            package_credit_return(appointment=appointment, actor=ACTOR)
            returned.add(appointment.pk)
        purchase.refresh_from_db()
        in_use = len(booked) - len(returned)
        assert purchase.credits_used == in_use
        assert 0 <= purchase.credits_left <= sessions
        uses = LedgerEntry.objects.filter(package=purchase, kind="redemption").count()
        backs = LedgerEntry.objects.filter(package=purchase, kind="credit_return").count()
        assert uses - backs == in_use
        assert uses == len(booked) and backs == len(returned)
    # The credits' values never add up to more than was paid.
    assert 0 <= -ledger_sum(package=purchase, kind__in=["redemption", "credit_return"]) <= price


@FUZZ
@given(amount=st.integers(1_000, 50_000), steps=card_steps)
def test_a_gift_card_balance_is_its_ledger_sum_and_never_goes_below_zero(amount, steps):
    card = giftcard_sell_at_desk(
        sold_by=None,
        method="cash",
        amount=amount,
        purchaser_name="Ana",
        purchaser_email="ana@example.com",
        recipient_name="Bea",
        recipient_email="bea@example.com",
        deliver_on=date.today(),
    )
    balance = amount
    new_booking = bookings_maker()
    spent: dict[int, int] = {}  # appointment pk -> amount taken and not given back
    appointments = []
    for step in steps:
        if step[0] == "redeem" or (step[0] == "again" and not appointments):
            appointment = new_booking()
            appointments.append(appointment)
            value = step[-1]
            if value <= balance:
                giftcard_redeem(code=card.code, appointment=appointment, amount=value, actor=ACTOR)
                balance -= value
                spent[appointment.pk] = value
            else:
                with pytest.raises(GiftCardRefused):
                    giftcard_redeem(code=card.code, appointment=appointment, amount=value, actor=ACTOR)
        elif step[0] == "again":
            appointment = appointments[step[1] % len(appointments)]
            used_before = LedgerEntry.objects.filter(
                gift_card=card, appointment=appointment, kind="redemption"
            ).exists()
            value = step[2]
            if used_before or value > balance:
                with pytest.raises(GiftCardRefused):
                    giftcard_redeem(code=card.code, appointment=appointment, amount=value, actor=ACTOR)
            else:
                giftcard_redeem(code=card.code, appointment=appointment, amount=value, actor=ACTOR)
                balance -= value
                spent[appointment.pk] = value
        elif appointments:
            appointment = appointments[step[1] % len(appointments)]
            giftcard_return(appointment=appointment, actor=ACTOR)
            balance += spent.pop(appointment.pk, 0)
        card.refresh_from_db()
        assert card.balance == balance == ledger_sum(gift_card=card)
        assert 0 <= card.balance <= amount
