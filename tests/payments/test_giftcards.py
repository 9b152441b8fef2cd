"""Gift cards: sold for an amount, emailed to the recipient on their day, spent in parts with the rest kept."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from payments.codes import code_new
from payments.giftcards import (
    GiftCardRefused,
    giftcard_deliver,
    giftcard_find,
    giftcard_redeem,
    giftcard_return,
    giftcard_sell_at_desk,
    giftcard_start,
    giftcards_deliver_due,
)
from payments.ledger import LedgerActor
from payments.models import LedgerEntry
from payments.prepaid_models import GiftCard
from tests.factories import AppointmentFactory, StaffUserFactory

pytestmark = pytest.mark.django_db
CLIENT = LedgerActor.client()


def details(**overrides):
    return {
        "amount": 10_000,
        "purchaser_name": "Ana Silva",
        "purchaser_email": "ana@example.com",
        "recipient_name": "Bea Costa",
        "recipient_email": "bea@example.com",
        "message": "Happy birthday!",
        "deliver_on": date.today(),
        **overrides,
    }


@pytest.fixture
def card(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return giftcard_sell_at_desk(sold_by=StaffUserFactory(), method="terminal", **details())


def test_a_card_for_today_emails_the_recipient_the_code_and_the_purchaser_a_receipt_without_it(card):
    receipt, delivery = sorted(mail.outbox, key=lambda message: message.to[0])
    assert receipt.to == ["ana@example.com"] and card.code not in receipt.body
    assert delivery.to == ["bea@example.com"] and card.code in delivery.body and "Happy birthday!" in delivery.body
    assert card.code in delivery.alternatives[0][0]
    entry = LedgerEntry.objects.get(gift_card=card)
    assert (entry.kind, entry.amount, entry.method) == ("sale", 10_000, "terminal")
    assert card.balance == 10_000 and card.delivered_at is not None


def test_a_card_for_a_later_day_waits_for_it_and_is_sent_once(django_capture_on_commit_callbacks):
    later = date.today() + timedelta(days=5)
    with django_capture_on_commit_callbacks(execute=True):
        card = giftcard_sell_at_desk(sold_by=None, method="cash", **details(deliver_on=later))
    assert [message.to for message in mail.outbox] == [["ana@example.com"]]
    assert not giftcard_deliver(card_id=card.pk)
    from datetime import datetime, time

    from core.clinictime import clinic_tz

    that_morning = datetime.combine(later, time(9), tzinfo=clinic_tz())
    with django_capture_on_commit_callbacks(execute=True):
        assert giftcards_deliver_due(now=that_morning) == 1
        assert giftcards_deliver_due(now=that_morning) == 0
    assert [message.to for message in mail.outbox] == [["ana@example.com"], ["bea@example.com"]]


@pytest.mark.parametrize("amount", [99, 500_001])
def test_an_amount_outside_the_limits_is_refused(amount, settings):
    settings.GIFT_CARD_MIN_AMOUNT, settings.GIFT_CARD_MAX_AMOUNT = 100, 500_000
    with pytest.raises(GiftCardRefused, match=r"\$1\.00 to \$5,000\.00"):
        giftcard_start(method="card", **details(amount=amount))


def test_a_delivery_day_in_the_past_is_refused():
    with pytest.raises(GiftCardRefused, match="today or a day to come"):
        giftcard_start(method="card", **details(deliver_on=date.today() - timedelta(days=2)))


def test_a_card_is_spent_in_parts_and_keeps_the_rest(card):
    first = giftcard_redeem(code=card.code, appointment=AppointmentFactory(), amount=6_000, actor=CLIENT)
    giftcard_redeem(code=card.code.lower(), appointment=AppointmentFactory(), amount=4_000, actor=CLIENT)
    card.refresh_from_db()
    assert first.amount == -6_000 and first.method == "gift_card" and card.balance == 0
    with pytest.raises(GiftCardRefused, match="used up"):
        giftcard_redeem(code=card.code, appointment=AppointmentFactory(), amount=1, actor=CLIENT)


def test_more_than_the_balance_is_refused_and_nothing_is_taken(card):
    with pytest.raises(GiftCardRefused, match=r"only \$100\.00 left"):
        giftcard_redeem(code=card.code, appointment=AppointmentFactory(), amount=10_001, actor=CLIENT)
    card.refresh_from_db()
    assert card.balance == 10_000 and not LedgerEntry.objects.filter(kind="redemption").exists()


def test_a_guessed_code_is_refused_with_the_same_words_as_a_mistyped_one(card):
    for guess in [code_new(), card.code[:-1] + ("0" if card.code[-1] != "0" else "1"), "GIFT", ""]:
        with pytest.raises(GiftCardRefused, match="no gift card with that code"):
            giftcard_redeem(code=guess, appointment=AppointmentFactory(), amount=100, actor=CLIENT)
    assert not LedgerEntry.objects.filter(kind="redemption").exists()


def test_an_unpaid_card_cannot_be_found():
    pending = giftcard_start(method="card", **details())
    assert giftcard_find(pending.code) is None


def test_one_booking_redeems_a_card_once(card):
    appointment = AppointmentFactory()
    giftcard_redeem(code=card.code, appointment=appointment, amount=1_000, actor=CLIENT)
    with pytest.raises(GiftCardRefused, match="already used for this booking"):
        giftcard_redeem(code=card.code, appointment=appointment, amount=1_000, actor=CLIENT)


def test_a_cancelled_booking_puts_its_amount_back_on_the_card_once(card):
    appointment = AppointmentFactory()
    giftcard_redeem(code=card.code, appointment=appointment, amount=2_500, actor=CLIENT)
    giftcard_return(appointment=appointment, actor=CLIENT)
    giftcard_return(appointment=appointment, actor=CLIENT)
    card.refresh_from_db()
    assert card.balance == 10_000
    assert LedgerEntry.objects.filter(gift_card=card, kind="credit_return").count() == 1


def test_the_database_refuses_a_negative_balance(card):
    with pytest.raises(IntegrityError), transaction.atomic():
        GiftCard.objects.filter(pk=card.pk).update(balance=-1)


def test_codes_are_four_groups_of_unambiguous_characters_drawn_fresh_each_time():
    import re

    codes = {code_new() for _ in range(500)}
    assert len(codes) == 500
    assert all(re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}", code) for code in codes)
