"""Writing to the ledger: the one function that adds an entry, and the rules it checks first.

``ledger_entry_record`` writes an entry once per idempotency key: called again with the same key
(a webhook after the redirect already recorded the payment, a retried task) it returns the entry
already written and writes nothing. A refund is checked under a lock on the payment it gives back:
together with the refunds before it, it may never exceed that payment.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from core.money import currency

from .models import LedgerEntry, LedgerRefused

REFUNDABLE_KINDS = (
    LedgerEntry.Kind.CHARGE,
    LedgerEntry.Kind.FEE,
    LedgerEntry.Kind.DESK_PAYMENT,
    LedgerEntry.Kind.SALE,
)


@dataclass(frozen=True)
class LedgerActor:
    kind: str
    user: object = None

    @classmethod
    def client(cls) -> "LedgerActor":
        return cls(LedgerEntry.Actor.CLIENT)

    @classmethod
    def staff(cls, user) -> "LedgerActor":
        return cls(LedgerEntry.Actor.STAFF, user) if user is not None else cls.system()

    @classmethod
    def system(cls) -> "LedgerActor":
        return cls(LedgerEntry.Actor.SYSTEM)


def refundable_left(entry: LedgerEntry) -> int:
    """How much of a payment has not been given back yet (minor units)."""
    refunded = entry.reversals.filter(kind=LedgerEntry.Kind.REFUND).aggregate(total=Sum("amount"))["total"] or 0
    return entry.amount + refunded


def ledger_entry_record(
    *,
    kind: str,
    amount: int,
    method: str,
    idempotency_key: str,
    actor: LedgerActor,
    appointment=None,
    client=None,
    reverses: LedgerEntry | None = None,
    stripe_id: str = "",
    note: str = "",
    now=None,
    **links,
) -> LedgerEntry:
    """Write one entry, or return the one already written under ``idempotency_key``.

    ``amount`` carries its sign (refunds and redemptions negative). ``links`` are the other apps'
    foreign keys on LedgerEntry (e.g. ``package=``). Raises ``LedgerRefused`` when a refund would give
    back more than its payment has left, or when the key is already used for a different entry.
    """
    existing = LedgerEntry.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return _same_or_refuse(existing, kind=kind, amount=amount)
    if kind == LedgerEntry.Kind.REFUND and reverses is None:
        raise LedgerRefused("A refund must name the payment it gives back.")
    try:
        with transaction.atomic():
            if reverses is not None:
                reverses = LedgerEntry.objects.select_for_update().get(pk=reverses.pk)
                if reverses.kind not in REFUNDABLE_KINDS:
                    raise LedgerRefused("Only a payment can be refunded.")
                if -amount > refundable_left(reverses):
                    raise LedgerRefused("A refund cannot give back more than was paid.")
            return LedgerEntry.objects.create(
                kind=kind,
                amount=amount,
                currency=reverses.currency if reverses is not None else currency(),
                method=method,
                idempotency_key=idempotency_key,
                appointment=appointment if appointment is not None else getattr(reverses, "appointment", None),
                client=client if client is not None else getattr(reverses, "client", None),
                reverses=reverses,
                stripe_id=stripe_id,
                actor_kind=actor.kind,
                actor=actor.user,
                actor_name=getattr(actor.user, "username", "")[:150],
                note=note[:200],
                created_at=now or timezone.now(),
                **links,
            )
    except IntegrityError:
        existing = LedgerEntry.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return _same_or_refuse(existing, kind=kind, amount=amount)


def _same_or_refuse(existing: LedgerEntry, *, kind: str, amount: int) -> LedgerEntry:
    if existing.kind != kind or existing.amount != amount:
        raise LedgerRefused("That idempotency key already belongs to a different ledger entry.")
    return existing


def credit_redeem(
    *, client, amount: int, idempotency_key: str, actor: LedgerActor, appointment=None, now=None
) -> LedgerEntry:
    """Use ``amount`` of the client's credit (for a booking); refused when the credit left is smaller.

    The client's row is locked first, so two redemptions at once cannot both spend the same credit.
    """
    from clients.models import Client

    from .selectors import client_credit

    if amount <= 0:
        raise LedgerRefused("Credit is used in amounts of more than nothing.")
    existing = LedgerEntry.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return _same_or_refuse(existing, kind=LedgerEntry.Kind.REDEMPTION, amount=-amount)
    with transaction.atomic():
        Client.objects.select_for_update().filter(pk=client.pk).first()
        if client_credit(client) < amount:
            raise LedgerRefused("There is not that much credit left.")
        return ledger_entry_record(
            kind=LedgerEntry.Kind.REDEMPTION,
            amount=-amount,
            method=LedgerEntry.Method.CREDIT,
            idempotency_key=idempotency_key,
            actor=actor,
            client=client,
            appointment=appointment,
            now=now,
        )
