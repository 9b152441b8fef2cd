"""Fixed-window rate limits per client IP, kept in the cache (Redis when REDIS_URL is set).

Every limit lives in one table, ``settings.RATE_LIMITS``: callers name a scope, never a number.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

from .clientip import client_ip


def _limit(scope: str) -> tuple[int, int]:
    try:
        return settings.RATE_LIMITS[scope]
    except KeyError:
        raise ImproperlyConfigured(f"No rate limit for scope {scope!r}: add it to settings.RATE_LIMITS.") from None


def _key(request: HttpRequest, scope: str, by: str | None) -> str:
    subject = client_ip(request) if by is None else by
    return f"ratelimit:{scope}:{hashlib.sha256(subject.encode()).hexdigest()[:32]}"


def rate_limit_reached(request: HttpRequest, *, scope: str, by: str | None = None) -> bool:
    """True when ``scope``'s limit is already used up, without counting this request.

    ``by`` counts something other than the client's address, e.g. a username that attempts from
    many addresses share.
    """
    limit, _ = _limit(scope)
    count = cache.get(_key(request, scope, by))
    return count is not None and count >= limit


def rate_limit_count(request: HttpRequest, *, scope: str, by: str | None = None, cost: int = 1) -> None:
    """Count one event against ``scope``, weighing ``cost``; ``rate_limit_reached`` tells when enough happened.

    Counting after the outcome lets an outcome decide its price: a booking that succeeded costs more
    than one refused as "just taken", so a mistyped form or a lost race does not use up a client's budget.
    """
    _, period_seconds = _limit(scope)
    key = _key(request, scope, by)
    if not cache.add(key, cost, timeout=period_seconds):
        try:
            cache.incr(key, cost)
        except ValueError:  # expired between add() and incr()
            cache.add(key, cost, timeout=period_seconds)


def rate_limit_exceeded(request: HttpRequest, *, scope: str) -> bool:
    """Count this request against ``scope`` for the client's IP; True once more than the scope's limit
    arrive in its window (``settings.RATE_LIMITS[scope]``).

    The key holds a hash of the IP, never the address itself. A scope missing from the table is a
    mistake in the code, not a visitor's: it raises rather than letting every request through.
    """
    limit, period_seconds = _limit(scope)
    key = _key(request, scope, None)
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
