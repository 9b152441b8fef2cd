"""Reading packages and gift cards for a page or an email: what pays for a booking, what is left."""

from dataclasses import dataclass

from django.db.models import Sum

from core.money import to_minor

from .models import LedgerEntry
from .packages import package_for_appointment
from .prepaid_models import PackagePurchase


@dataclass(frozen=True)
class PrepaidForBooking:
    package: PackagePurchase | None
    gift_card_taken: int  # minor units taken from gift cards and not given back
    gift_card_left: int  # what is left on those cards

    @property
    def any(self) -> bool:
        return self.package is not None or self.gift_card_taken > 0


def prepaid_for_appointment(appointment) -> PrepaidForBooking:
    """The package credit and the gift card amounts paying for ``appointment`` now."""
    entries = LedgerEntry.objects.filter(appointment=appointment, gift_card__isnull=False).exclude(kind="sale")
    taken = -(entries.aggregate(total=Sum("amount"))["total"] or 0)
    cards = {entry.gift_card for entry in entries.select_related("gift_card")}
    return PrepaidForBooking(
        package=package_for_appointment(appointment),
        gift_card_taken=taken,
        gift_card_left=sum(card.balance for card in cards),
    )


def appointment_price(appointment) -> int:
    """The session's price in minor units (bookings keep it in major units)."""
    return to_minor(appointment.service.price)
