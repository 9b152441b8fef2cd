"""Reading the ledger: balances are sums of entries, never stored."""

from django.db.models import Q, Sum

from .models import CardOnFile, LedgerEntry

MONEY_IN = ("charge", "fee", "desk_payment", "sale")


def appointment_paid(appointment) -> int:
    """What the client has paid for this booking, net of refunds (minor units)."""
    entries = LedgerEntry.objects.filter(appointment=appointment).filter(Q(kind__in=MONEY_IN) | Q(kind="refund"))
    return entries.aggregate(total=Sum("amount"))["total"] or 0


def client_credit(client) -> int:
    """The client's credit balance: credit given minus credit used."""
    entries = LedgerEntry.objects.filter(client=client).filter(
        Q(kind="credit") | Q(kind="redemption", method=LedgerEntry.Method.CREDIT)
    )
    return entries.aggregate(total=Sum("amount"))["total"] or 0


def appointment_entries(appointment):
    return LedgerEntry.objects.filter(appointment=appointment).select_related("actor").order_by("created_at", "pk")


def card_on_file(client) -> CardOnFile | None:
    """The client's newest saved card, for a fee or a deposit; None when they have none."""
    if client is None:
        return None
    return CardOnFile.objects.filter(client=client).first()
