"""The demo clinic's payment rules, and localstripe for `manage.py demo` to take payments against.

Rules: a card on file by default, with a late-cancel fee of half the price and a no-show fee of the
full price; a $20.00 deposit for the 90-minute massage; the hot stone session paid in full. The test
cards work in the payment step (4242 4242 4242 4242; 4000 0000 0000 0002 is declined;
4000 0025 0000 3155 asks for 3-D Secure).

For sale: "5 × 60-minute massage" and "3 × 90-minute massage". Already sold, to try at the payment step or on a
booking's manage page: a package bought by a demo client and a $50.00 gift card, whose codes the seed prints.
"""

import urllib.parse
import urllib.request

from django.utils import timezone

from bookings.models import BookingPolicy, Service
from core.money import money_format

from .giftcards import giftcard_sell_at_desk
from .packages import package_sell_at_desk
from .prepaid_models import GiftCard, Package, PackagePurchase

DEMO_KEYS = {
    "STRIPE_SECRET_KEY": "sk_test_demo_clinic",
    "STRIPE_PUBLISHABLE_KEY": "pk_test_demo_clinic",
    "STRIPE_WEBHOOK_SECRET": "whsec_demo_clinic",
}


def seed(*, stdout) -> None:
    policy = BookingPolicy.current()
    policy.payment_at_booking = "card"
    policy.late_cancel_fee_percent, policy.late_cancel_fee_amount = 50, None
    policy.no_show_fee_percent, policy.no_show_fee_amount = 100, None
    policy.save()
    Service.objects.filter(slug="massage-90").update(
        payment_at_booking="deposit", deposit_amount=2000, deposit_percent=None
    )
    Service.objects.filter(slug="hot-stone").update(payment_at_booking="full")
    stdout.write("Payment rules: card on file, a deposit for the 90-minute massage, hot stone paid in full.")
    _seed_prepaid(stdout)


PACKAGES = [
    # name, sessions, price in cents, days valid, services it covers
    ("5 × 60-minute massage", 5, 40_000, 365, ["massage-60"]),
    ("3 × 90-minute massage", 3, 33_000, 365, ["massage-90"]),
]
DEMO_HOLDER = ("Maya Chen", "maya.chen@example.com")
DEMO_GIFT = {
    "amount": 5_000,
    "purchaser_name": "Sam Ortiz",
    "purchaser_email": "sam.ortiz@example.com",
    "recipient_name": "Maya Chen",
    "recipient_email": "maya.chen@example.com",
    "message": "Happy birthday! Enjoy a massage on me.",
}


def _seed_prepaid(stdout) -> None:
    """Packages for sale, one sold to a demo client and a gift card, each once; the codes are printed to try."""
    for name, sessions, price, days, slugs in PACKAGES:
        package, _ = Package.objects.get_or_create(
            name=name, defaults={"sessions": sessions, "price": price, "valid_days": days}
        )
        package.services.set(Service.objects.filter(slug__in=slugs))
    holder_name, holder_email = DEMO_HOLDER
    purchase = PackagePurchase.objects.filter(email=holder_email).first()
    if purchase is None:
        package = Package.objects.get(name=PACKAGES[0][0])
        purchase = package_sell_at_desk(
            package=package, name=holder_name, email=holder_email, method="cash", sold_by=None
        )
    card = GiftCard.objects.filter(purchaser_email=DEMO_GIFT["purchaser_email"]).first()
    if card is None:
        card = giftcard_sell_at_desk(sold_by=None, method="cash", deliver_on=timezone.localdate(), **DEMO_GIFT)
    stdout.write(
        f"Packages: {len(PACKAGES)} for sale. To try them at the payment step or on a booking's manage page:\n"
        f"  package credit: email {holder_email}, code {purchase.code} "
        f"({purchase.credits_left} of {purchase.sessions} credits left)\n"
        f"  gift card:      code {card.code} ({money_format(card.balance)} left on it)"
    )


def webhook_register(*, api_base: str, site_url: str) -> None:
    """Tell localstripe to sign and send its events to the demo site's webhook endpoint."""
    data = urllib.parse.urlencode(
        {"url": f"{site_url}/payments/webhooks/stripe/", "secret": DEMO_KEYS["STRIPE_WEBHOOK_SECRET"]}
    ).encode()
    with urllib.request.urlopen(f"{api_base}/_config/webhooks/demo", data=data, timeout=10):  # noqa: S310 (localstripe)
        pass
