"""Gift cards: bought for an amount, emailed to the recipient on a chosen day, spent at booking in parts.

Spending follows core.locking's pattern: open a transaction, lock the card's row, re-read its balance,
write the lower balance and the ledger redemption together. Two bookings spending the last dollars at once
meet at the lock; the second sees what is left and is refused. The database backs it: a card's balance
cannot go below zero (a check constraint), and one booking redeems a card once (a unique ledger key).

Looking a code up never tells more than "no gift card with that code": a code that does not exist, one not
yet paid for and a mistyped one get the same answer, and the views count every look-up against a rate limit.
"""

from datetime import date, datetime, time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from core.clinictime import clinic_tz
from core.locking import rows_lock
from core.money import currency, money_format
from core.queue import task_enqueue

from .codes import code_lookup, code_new, code_normalise, codes_match
from .ledger import LedgerActor, ledger_entry_record
from .models import LedgerEntry
from .prepaid_models import GiftCard, PrepaidStatus, SaleMethod

REDEEM_KEY = "giftcard-redeem:{card}:{appointment}"
RETURN_KEY = "giftcard-return:{card}:{appointment}"
UNKNOWN_CODE = "There is no gift card with that code. Check it against the email and try again."


class GiftCardRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def giftcard_amount_check(amount: int) -> None:
    low, high = settings.GIFT_CARD_MIN_AMOUNT, settings.GIFT_CARD_MAX_AMOUNT
    if not low <= amount <= high:
        raise GiftCardRefused(f"A gift card is for {money_format(low)} to {money_format(high)}.")


def giftcard_start(
    *,
    amount: int,
    purchaser_name: str,
    purchaser_email: str,
    recipient_name: str,
    recipient_email: str,
    message: str = "",
    deliver_on: date,
    method: str,
    sold_by=None,
    now: datetime | None = None,
) -> GiftCard:
    """A card waiting for its payment; its balance is nothing until the sale is recorded."""
    now = now or timezone.now()
    giftcard_amount_check(amount)
    if method not in SaleMethod.values:
        raise GiftCardRefused("Choose how the gift card was paid.")
    if deliver_on < timezone.localtime(now, clinic_tz()).date():
        raise GiftCardRefused("Choose today or a day to come for the email to the recipient.")
    for _ in range(5):
        code = code_new()
        try:
            with transaction.atomic():
                return GiftCard.objects.create(
                    amount=amount,
                    currency=currency(),
                    code=code,
                    lookup=code_lookup(code),
                    purchaser_name=purchaser_name.strip(),
                    purchaser_email=purchaser_email.strip().lower(),
                    recipient_name=recipient_name.strip(),
                    recipient_email=recipient_email.strip().lower(),
                    message=message.strip(),
                    deliver_on=deliver_on,
                    method=method,
                    sold_by=sold_by,
                    created_at=now,
                )
        except IntegrityError:
            if not GiftCard.objects.filter(code=code).exists():
                raise
    raise RuntimeError("Could not draw an unused gift card code.")


def _delivery_moment(card: GiftCard) -> datetime:
    return datetime.combine(card.deliver_on, time(8, 0), tzinfo=clinic_tz())


def giftcard_pay(*, card: GiftCard, actor: LedgerActor, stripe_id: str = "", now: datetime | None = None) -> GiftCard:
    """Record the sale: the balance becomes the amount, the purchaser gets a receipt, the recipient's email is
    sent now or queued for the chosen day. Paying twice changes nothing."""
    from .prepaid_emails import giftcard_delivery_queue, giftcard_receipt_queue

    now = now or timezone.now()
    with transaction.atomic():
        rows_lock(card)
        current = GiftCard.objects.get(pk=card.pk)
        if current.status == PrepaidStatus.ACTIVE:
            return current
        current.status = PrepaidStatus.ACTIVE
        current.paid_at = now
        current.balance = current.amount
        deliver_now = _delivery_moment(current) <= now
        if deliver_now:
            current.delivered_at = now
        current.save(update_fields=["status", "paid_at", "balance", "delivered_at"])
        ledger_entry_record(
            kind=LedgerEntry.Kind.SALE,
            amount=current.amount,
            method=current.method,
            idempotency_key=f"giftcard-sale:{current.pk}",
            actor=actor,
            stripe_id=stripe_id,
            note="Gift card",
            now=now,
            gift_card=current,
        )
        giftcard_receipt_queue(card=current)
        if deliver_now:
            giftcard_delivery_queue(card=current)
        else:
            run_after = _delivery_moment(current)
            transaction.on_commit(
                lambda: task_enqueue("payments.giftcard_deliver", run_after=run_after, card_id=current.pk)
            )
    return current


def giftcard_sell_at_desk(*, sold_by, method: str, now: datetime | None = None, **details) -> GiftCard:
    with transaction.atomic():
        card = giftcard_start(method=method, sold_by=sold_by, now=now, **details)
        return giftcard_pay(card=card, actor=LedgerActor.staff(sold_by), now=now)


def giftcard_deliver(*, card_id: int, now: datetime | None = None) -> bool:
    """Email the recipient their code if the day has come and it was not sent yet (safe to run twice)."""
    from .prepaid_emails import giftcard_delivery_queue

    now = now or timezone.now()
    with transaction.atomic():
        current = GiftCard.objects.select_for_update().filter(pk=card_id).first()
        if current is None or current.status != PrepaidStatus.ACTIVE or current.delivered_at is not None:
            return False
        if _delivery_moment(current) > now:
            return False
        current.delivered_at = now
        current.save(update_fields=["delivered_at"])
        giftcard_delivery_queue(card=current)
    return True


def giftcards_deliver_due(*, now: datetime | None = None) -> int:
    """Send every paid card whose day has come and whose email is not out yet (a worker that died, a lost task)."""
    now = now or timezone.now()
    today = timezone.localtime(now, clinic_tz()).date()
    due = GiftCard.objects.filter(status=PrepaidStatus.ACTIVE, delivered_at__isnull=True, deliver_on__lte=today)
    return sum(giftcard_deliver(card_id=pk, now=now) for pk in due.values_list("pk", flat=True))


def giftcard_find(code: str) -> GiftCard | None:
    """The paid gift card with this code, or None; the code is compared in constant time."""
    normal = code_normalise(code)
    if normal is None:
        return None
    found = None
    for candidate in GiftCard.objects.filter(lookup=code_lookup(normal), status=PrepaidStatus.ACTIVE):
        if codes_match(candidate.code, normal):
            found = candidate
    return found


def giftcard_redeem(
    *, code: str, appointment, amount: int, actor: LedgerActor, now: datetime | None = None
) -> LedgerEntry:
    """Spend ``amount`` of the card with ``code`` on ``appointment``; what is left stays on the card.

    Refused (``GiftCardRefused``, nothing spent) for an unknown code, a card used up or with less left
    than ``amount``, or a card this booking already used.
    """
    card = giftcard_find(code)
    if card is None:
        raise GiftCardRefused(UNKNOWN_CODE)
    if amount <= 0:
        raise GiftCardRefused("Choose an amount of more than nothing to take from the gift card.")
    key = REDEEM_KEY.format(card=card.pk, appointment=appointment.pk)
    now = now or timezone.now()
    with transaction.atomic():
        rows_lock(card)
        if LedgerEntry.objects.filter(idempotency_key=key).exists():
            raise GiftCardRefused("This gift card is already used for this booking.")
        current = GiftCard.objects.get(pk=card.pk)
        if current.balance <= 0:
            raise GiftCardRefused("This gift card has been used up.")
        if amount > current.balance:
            raise GiftCardRefused(f"This gift card has only {money_format(current.balance, current.currency)} left.")
        try:
            # Written relative to the row, so that even a writer that skipped the lock meets the check constraint.
            with transaction.atomic():
                GiftCard.objects.filter(pk=current.pk).update(balance=F("balance") - amount)
        except IntegrityError:
            raise GiftCardRefused("This gift card has just been used; what is left is less than that.") from None
        current.balance -= amount
        return ledger_entry_record(
            kind=LedgerEntry.Kind.REDEMPTION,
            amount=-amount,
            method=LedgerEntry.Method.GIFT_CARD,
            idempotency_key=key,
            actor=actor,
            appointment=appointment,
            client=None,
            note="Gift card",
            now=now,
            gift_card=current,
        )


def giftcard_return(*, appointment, actor: LedgerActor, now: datetime | None = None) -> list[LedgerEntry]:
    """Put back on their cards what ``appointment`` took from gift cards (a cancellation before the cutoff)."""
    returned = []
    uses = LedgerEntry.objects.filter(
        appointment=appointment, kind=LedgerEntry.Kind.REDEMPTION, gift_card__isnull=False
    ).order_by("gift_card_id")
    for use in uses:
        key = RETURN_KEY.format(card=use.gift_card_id, appointment=appointment.pk)
        with transaction.atomic():
            rows_lock(use.gift_card)
            existing = LedgerEntry.objects.filter(idempotency_key=key).first()
            if existing is not None:
                returned.append(existing)
                continue
            current = GiftCard.objects.get(pk=use.gift_card_id)
            GiftCard.objects.filter(pk=current.pk).update(balance=F("balance") - use.amount)
            returned.append(
                ledger_entry_record(
                    kind=LedgerEntry.Kind.CREDIT_RETURN,
                    amount=-use.amount,
                    method=LedgerEntry.Method.GIFT_CARD,
                    idempotency_key=key,
                    actor=actor,
                    appointment=appointment,
                    client=None,
                    note="Gift card amount given back",
                    now=now or timezone.now(),
                    gift_card=current,
                )
            )
    return returned
