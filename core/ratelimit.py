"""Fixed-window rate limits per client IP, kept in the cache (Redis when REDIS_URL is set).

Every limit lives in one table, ``settings.RATE_LIMITS``: callers name a scope, never a number.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

from .clientip import client_ip


def rate_limit_exceeded(request: HttpRequest, *, scope: str) -> bool:
    """Count this request against ``scope`` for the client's IP; True once more than the scope's limit
    arrive in its window (``settings.RATE_LIMITS[scope]``).

    The key holds a hash of the IP, never the address itself. A scope missing from the table is a
    mistake in the code, not a visitor's: it raises rather than letting every request through.
    """
    try:
        limit, period_seconds = settings.RATE_LIMITS[scope]
    except KeyError:
        raise ImproperlyConfigured(f"No rate limit for scope {scope!r}: add it to settings.RATE_LIMITS.") from None
    ip_hash = hashlib.sha256(client_ip(request).encode()).hexdigest()[:32]
    key = f"ratelimit:{scope}:{ip_hash}"
    if cache.add(key, 1, timeout=period_seconds):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add() and incr()
        cache.add(key, 1, timeout=period_seconds)
        return False
    # None: the cache is unreachable and swallowed the error. Let the request through rather than
    # refuse every visitor; /healthz reports the cache down meanwhile.
    return count is not None and count > limit
