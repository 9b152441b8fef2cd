"""Keyed hashes that let us recognise an address or an IP without keeping it."""

from django.conf import settings
from django.utils.crypto import salted_hmac


def email_normalise(email: str) -> str:
    """Addresses are compared case-insensitively: the whole address is stored in lower case."""
    return email.strip().lower()


def email_hashes(email: str) -> list[str]:
    """The address's keyed hash under the current SECRET_KEY and every fallback key.

    Suppressions are stored under the key current at erasure time; checking the fallbacks too
    keeps them effective across a key rotation done the documented way (SECRET_KEY_FALLBACKS).
    """
    value = email_normalise(email)
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [salted_hmac("newsletter.suppression", value, secret=key, algorithm="sha256").hexdigest() for key in keys]


def ip_hash(ip_address: str | None) -> str:
    if not ip_address:
        return ""
    return salted_hmac("newsletter.consent-ip", ip_address, algorithm="sha256").hexdigest()
