"""A day's takings, read from the ledger: every entry of the clinic's day, and its totals per method and kind.

The totals are sums of the entries shown, in integer minor units, so they match the ledger exactly.
Credit given and credit used move no money; they are listed apart and left out of the takings.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from bookings.availability import clinic_tz
from payments.models import LedgerEntry

TAKINGS_KINDS = (
    LedgerEntry.Kind.CHARGE,
    LedgerEntry.Kind.FEE,
    LedgerEntry.Kind.DESK_PAYMENT,
    LedgerEntry.Kind.SALE,
    LedgerEntry.Kind.REFUND,
)
KIND_HEADINGS = {
    LedgerEntry.Kind.CHARGE: "Paid online",
    LedgerEntry.Kind.FEE: "Fees",
    LedgerEntry.Kind.DESK_PAYMENT: "Desk payments",
    LedgerEntry.Kind.SALE: "Sales",
    LedgerEntry.Kind.REFUND: "Refunds",
}


@dataclass
class MethodRow:
    method: str
    label: str
    by_kind: dict[str, int] = field(default_factory=dict)
    total: int = 0


@dataclass
class Takings:
    day: date
    entries: list[LedgerEntry]
    credit_moves: list[LedgerEntry]
    methods: list[MethodRow]
    by_kind: dict[str, int]
    total: int
    money_in: int
    refunds: int


def sale_label(entry: LedgerEntry) -> str:
    """What a sale sold, when the packages app has said (its links on the ledger entry)."""
    if getattr(entry, "gift_card_id", None):
        return "Gift card"
    if getattr(entry, "package_id", None):
        return "Package"
    return "Sale"


def takings_for_day(day: date) -> Takings:
    tz = clinic_tz()
    start, end = (
        datetime.combine(day, time.min, tzinfo=tz),
        datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz),
    )
    rows = list(
        LedgerEntry.objects.filter(created_at__gte=start, created_at__lt=end)
        .select_related("appointment__service")
        .order_by("created_at", "pk")
    )
    entries = [entry for entry in rows if entry.kind in TAKINGS_KINDS]
    methods: dict[str, MethodRow] = {}
    by_kind = dict.fromkeys(TAKINGS_KINDS, 0)
    for entry in entries:
        row = methods.setdefault(entry.method, MethodRow(entry.method, entry.get_method_display()))
        row.by_kind[entry.kind] = row.by_kind.get(entry.kind, 0) + entry.amount
        row.total += entry.amount
        by_kind[entry.kind] += entry.amount
        entry.what = sale_label(entry) if entry.kind == LedgerEntry.Kind.SALE else KIND_HEADINGS[entry.kind]
    order = list(LedgerEntry.Method.values)
    return Takings(
        day=day,
        entries=entries,
        credit_moves=[entry for entry in rows if entry.kind not in TAKINGS_KINDS],
        methods=sorted(methods.values(), key=lambda row: order.index(row.method)),
        by_kind=by_kind,
        total=sum(entry.amount for entry in entries),
        money_in=sum(entry.amount for entry in entries if entry.amount > 0),
        refunds=by_kind[LedgerEntry.Kind.REFUND],
    )
