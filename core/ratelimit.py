"""Fixed-window rate limits per client IP, kept in the cache (Redis when REDIS_URL is set)."""

import hashlib

from django.core.cache import cache
from django.http import HttpRequest

from .clientip import client_ip


def rate_limit_exceeded(request: HttpRequest, *, scope: str, limit: int, period_seconds: int) -> bool:
    """Count this request against ``scope`` for the client's IP; True once more than ``limit`` arrive in a window.

    The key holds a hash of the IP, never the address itself.
    """
    ip_hash = hashlib.sha256(client_ip(request).encode()).hexdigest()[:32]
    key = f"ratelimit:{scope}:{ip_hash}"
    if cache.add(key, 1, timeout=period_seconds):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add() and incr()
        cache.add(key, 1, timeout=period_seconds)
        return False
    return count > limit
