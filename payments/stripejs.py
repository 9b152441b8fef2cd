"""Where the payment step loads Stripe.js from, and the one widened Content-Security-Policy that allows it.

Stripe.js is the only script from another origin anywhere on the site, and only the payment step
loads it. Against the real Stripe it is https://js.stripe.com/v3/ (talking to api.stripe.com, with its
frames from js.stripe.com and hooks.stripe.com); against localstripe (STRIPE_API_BASE) it is that
server's stand-in at /js.stripe.com/v3/, which talks to the same server.
"""

from urllib.parse import urlsplit

from django.conf import settings

REAL_API = "https://api.stripe.com"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def stripe_js_url() -> str:
    if _origin(settings.STRIPE_API_BASE) == REAL_API:
        return "https://js.stripe.com/v3/"
    return f"{settings.STRIPE_API_BASE}/js.stripe.com/v3/"


def stripe_js_csp() -> dict:
    """The additions to the site's policy for the payment step's response alone."""
    if _origin(settings.STRIPE_API_BASE) == REAL_API:
        return {
            "script-src": ["https://js.stripe.com"],
            "connect-src": [REAL_API],
            "frame-src": ["https://js.stripe.com", "https://hooks.stripe.com"],
        }
    origin = _origin(settings.STRIPE_API_BASE)
    return {"script-src": [origin], "connect-src": [origin]}
