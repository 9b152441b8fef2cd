"""Whether the shared cache answers: one write and one read of a fresh token."""

import uuid

from django.core.cache import cache


def cache_answers() -> bool:
    """True when a value written to the cache reads back (a cache that swallows errors reads back None)."""
    token = uuid.uuid4().hex
    try:
        cache.set("healthz:probe", token, timeout=10)
        return cache.get("healthz:probe") == token
    except Exception:  # any backend's "cannot reach the server" error
        return False
