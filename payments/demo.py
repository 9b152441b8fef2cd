"""The demo clinic's payment rules, and localstripe for `manage.py demo` to take payments against.

Rules: a card on file by default, with a late-cancel fee of half the price and a no-show fee of the
full price; a $20.00 deposit for the 90-minute massage; the hot stone session paid in full. The test
cards work in the payment step (4242 4242 4242 4242; 4000 0000 0000 0002 is declined;
4000 0025 0000 3155 asks for 3-D Secure).
"""

import urllib.parse
import urllib.request

from bookings.models import BookingPolicy, Service

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


def webhook_register(*, api_base: str, site_url: str) -> None:
    """Tell localstripe to sign and send its events to the demo site's webhook endpoint."""
    data = urllib.parse.urlencode(
        {"url": f"{site_url}/payments/webhooks/stripe/", "secret": DEMO_KEYS["STRIPE_WEBHOOK_SECRET"]}
    ).encode()
    with urllib.request.urlopen(f"{api_base}/_config/webhooks/demo", data=data, timeout=10):  # noqa: S310 (localstripe)
        pass
