"""Whether the shared cache answers: one write and one read of a fresh token."""

import uuid

from django.core.cache import cache


def cache_answers() -> bool:
    """True when a value written to the cache reads back (a cache that swallows errors reads back None).

    Each check writes its own key: with one shared key, two checks at once (several workers behind a
    load balancer) read each other's token and report a working cache as down.
    """
    token = uuid.uuid4().hex
    key = f"healthz:probe:{token}"
    try:
        cache.set(key, token, timeout=5)
        return cache.get(key) == token
    except Exception:  # any backend's "cannot reach the server" error
        return False
