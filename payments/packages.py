"""Packages: selling one (online or at the desk), using a credit for a booking, giving it back.

Every write that touches a purchase's credits follows core.locking's pattern: open a transaction, lock
the purchase row, re-read and re-check it, write the counter and the ledger entry together. Two bookings
taking the last credit at once therefore meet at the lock; the second sees no credit left and is refused.
The database backs the re-check: ``credits_used`` cannot pass ``sessions`` (a check constraint) and a
booking can hold one package credit at most (a unique constraint on the ledger).

Each credit used is a ledger redemption worth its share of the price paid (``_next_credit_value``), given
back by a return of the same amount when the booking is cancelled before the cutoff.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from core.locking import rows_lock
from core.money import currency, money_format

from .codes import code_lookup, code_new, code_normalise, codes_match
from .ledger import LedgerActor, ledger_entry_record
from .models import LedgerEntry
from .prepaid_models import Package, PackagePurchase, PrepaidStatus, SaleMethod


class PackageRefused(Exception):
    """A package action refused for a reason the person can act on; ``message`` says which."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


USE_KEY = "package-use:{appointment}"
RETURN_KEY = "package-return:{appointment}"


def _next_credit_value(purchase: PackagePurchase) -> int:
    """What the next credit is worth: the value not yet used, shared evenly among the credits left.

    The last credit takes whatever is left, so the credits of a package used to the end add up to its price
    exactly, and, however uses and returns interleave, never to more. Since a package costs at least one
    minor unit per session, each credit is worth at least one.
    """
    used = LedgerEntry.objects.filter(
        package=purchase, kind__in=[LedgerEntry.Kind.REDEMPTION, LedgerEntry.Kind.CREDIT_RETURN]
    ).aggregate(total=Sum("amount"))["total"]
    value_left = purchase.price + (used or 0)
    return value_left // (purchase.sessions - purchase.credits_used)


def package_purchase_start(
    *, package: Package, name: str, email: str, method: str, sold_by=None, now: datetime | None = None
) -> PackagePurchase:
    """A purchase waiting for its payment: its code is drawn now, its credits count once it is paid."""
    if not package.is_active:
        raise PackageRefused("That package is no longer on sale.")
    if method not in SaleMethod.values:
        raise PackageRefused("Choose how the package was paid.")
    for _ in range(5):
        code = code_new()
        try:
            with transaction.atomic():
                return PackagePurchase.objects.create(
                    package=package,
                    name=name.strip(),
                    email=email.strip().lower(),
                    code=code,
                    lookup=code_lookup(code),
                    sessions=package.sessions,
                    price=package.price,
                    currency=currency(),
                    method=method,
                    sold_by=sold_by,
                    created_at=now or timezone.now(),
                )
        except IntegrityError:
            if not PackagePurchase.objects.filter(code=code).exists():
                raise
    raise RuntimeError("Could not draw an unused package code.")


def package_purchase_pay(
    *, purchase: PackagePurchase, actor: LedgerActor, stripe_id: str = "", now: datetime | None = None
) -> PackagePurchase:
    """Record the sale: the purchase's credits count from now until its validity ends. Paying twice changes nothing."""
    from .prepaid_emails import package_receipt_queue

    now = now or timezone.now()
    with transaction.atomic():
        rows_lock(purchase)
        current = PackagePurchase.objects.select_related("package").get(pk=purchase.pk)
        if current.status == PrepaidStatus.ACTIVE:
            return current
        current.status = PrepaidStatus.ACTIVE
        current.paid_at = now
        current.expires_at = now + timedelta(days=current.package.valid_days)
        current.client = _client_for(current)
        current.save(update_fields=["status", "paid_at", "expires_at", "client"])
        ledger_entry_record(
            kind=LedgerEntry.Kind.SALE,
            amount=current.price,
            method=current.method,
            idempotency_key=f"package-sale:{current.pk}",
            actor=actor,
            client=current.client,
            stripe_id=stripe_id,
            note=f"Package: {current.package.name}"[:200],
            now=now,
            package=current,
        )
        package_receipt_queue(purchase=current)
    return current


def package_sell_at_desk(
    *, package: Package, name: str, email: str, method: str, sold_by, now: datetime | None = None
) -> PackagePurchase:
    """A package sold in person: recorded as paid by ``method`` (cash, terminal or card) in one transaction."""
    with transaction.atomic():
        purchase = package_purchase_start(
            package=package, name=name, email=email, method=method, sold_by=sold_by, now=now
        )
        return package_purchase_pay(purchase=purchase, actor=LedgerActor.staff(sold_by), now=now)


def _client_for(purchase: PackagePurchase):
    from clients.models import Client

    return Client.objects.filter(email=purchase.email, email_verified=True).first() or purchase.client


def package_holding_find(*, email: str, code: str) -> PackagePurchase | None:
    """The paid package whose holder gave this email and code, or None. Both are compared in constant time."""
    normal = code_normalise(code)
    if normal is None:
        return None
    given_email = (email or "").strip().lower()
    found = None
    for candidate in PackagePurchase.objects.filter(lookup=code_lookup(normal), status=PrepaidStatus.ACTIVE):
        code_ok = codes_match(candidate.code, normal)
        email_ok = codes_match(candidate.email, given_email)
        if code_ok and email_ok:
            found = candidate
    return found


@dataclass(frozen=True)
class CreditCheck:
    usable: bool
    reason: str = ""


def package_credit_check(purchase: PackagePurchase, *, service, now: datetime) -> CreditCheck:
    """Whether ``purchase`` can pay for a booking of ``service`` now, and if not the reason in words."""
    if purchase.status != PrepaidStatus.ACTIVE:
        return CreditCheck(False, "That package has not been paid for.")
    if purchase.expires_at is not None and purchase.expires_at <= now:
        return CreditCheck(False, "That package has expired; its credits can no longer be used.")
    if purchase.credits_left <= 0:
        return CreditCheck(False, "That package has no credits left.")
    if not purchase.package.services.filter(pk=service.pk).exists():
        return CreditCheck(False, f"That package does not cover {service.name}.")
    return CreditCheck(True)


def package_credit_use(
    *, purchase: PackagePurchase, appointment, actor: LedgerActor, now: datetime | None = None
) -> LedgerEntry:
    """Use one credit of ``purchase`` for ``appointment``; the same booking asking again gets the same entry.

    Raises ``PackageRefused`` when the package is expired, used up or does not cover the booking's service.
    """
    now = now or timezone.now()
    key = USE_KEY.format(appointment=appointment.pk)
    with transaction.atomic():
        rows_lock(purchase)
        existing = LedgerEntry.objects.filter(idempotency_key=key).first()
        if existing is not None:
            if existing.package_id != purchase.pk:
                raise PackageRefused("This booking is already paid with another package.")
            return existing
        current = PackagePurchase.objects.select_related("package").get(pk=purchase.pk)
        check = package_credit_check(current, service=appointment.service, now=now)
        if not check.usable:
            raise PackageRefused(check.reason)
        value = _next_credit_value(current)
        try:
            # Written relative to the row, so that even a writer that skipped the lock meets the check constraint.
            with transaction.atomic():
                PackagePurchase.objects.filter(pk=current.pk).update(credits_used=F("credits_used") + 1)
        except IntegrityError:
            raise PackageRefused("That package has no credits left.") from None
        current.credits_used += 1
        return ledger_entry_record(
            kind=LedgerEntry.Kind.REDEMPTION,
            amount=-value,
            method=LedgerEntry.Method.PACKAGE,
            idempotency_key=key,
            actor=actor,
            appointment=appointment,
            client=None,  # the booking names its client; see the note on merges in prepaid_models
            note=f"Package credit {current.credits_used} of {current.sessions}",
            now=now,
            package=current,
        )


def package_credit_return(*, appointment, actor: LedgerActor, now: datetime | None = None) -> LedgerEntry | None:
    """Give back the credit ``appointment`` used (a cancellation before the cutoff); None when it used none.

    Returning twice writes one entry. The caller decides that the cutoff allows it.
    """
    use = LedgerEntry.objects.filter(idempotency_key=USE_KEY.format(appointment=appointment.pk)).first()
    if use is None:
        return None
    key = RETURN_KEY.format(appointment=appointment.pk)
    with transaction.atomic():
        rows_lock(use.package)
        existing = LedgerEntry.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing
        current = PackagePurchase.objects.get(pk=use.package_id)
        PackagePurchase.objects.filter(pk=current.pk).update(credits_used=F("credits_used") - 1)
        current.credits_used -= 1
        return ledger_entry_record(
            kind=LedgerEntry.Kind.CREDIT_RETURN,
            amount=-use.amount,
            method=LedgerEntry.Method.PACKAGE,
            idempotency_key=key,
            actor=actor,
            appointment=appointment,
            client=None,
            note="Package credit given back",
            now=now or timezone.now(),
            package=current,
        )


def package_for_appointment(appointment) -> PackagePurchase | None:
    """The package whose credit pays for ``appointment`` now (used and not given back), or None."""
    keys = [USE_KEY.format(appointment=appointment.pk), RETURN_KEY.format(appointment=appointment.pk)]
    entries = {entry.idempotency_key: entry for entry in LedgerEntry.objects.filter(idempotency_key__in=keys)}
    use = entries.get(keys[0])
    if use is None or keys[1] in entries:
        return None
    return PackagePurchase.objects.select_related("package").get(pk=use.package_id)


def package_summary(purchase: PackagePurchase) -> str:
    return (
        f"{purchase.package.name}: {purchase.credits_left} of {purchase.sessions} credits left, "
        f"bought for {money_format(purchase.price, purchase.currency)}"
    )
