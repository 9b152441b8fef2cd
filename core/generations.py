"""Generation tokens: forget a whole family of cache entries at once by changing one value.

A cache key that includes ``generation_current(name)`` is never read again once
``generation_bump(name)`` has replaced the token; the old entries simply expire. The public page
cache keeps one generation per app, and the blog one for its cached sidebar and page counts.
"""

import uuid

from django.core.cache import cache
from django.db import transaction


def generation_key(name: str) -> str:
    return f"generation:{name}"


def generation_bump(name: str) -> None:
    """Replace the token now, and again at commit, so a request that read the old rows before the commit
    cannot store them under the new token."""
    key = generation_key(name)
    cache.set(key, uuid.uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(key, uuid.uuid4().hex, None))


def generation_current(name: str, *, found: dict | None = None) -> str:
    """The token for ``name``, from ``found`` (a ``cache.get_many`` result) when it holds it; created if missing."""
    key = generation_key(name)
    token = cache.get(key) if found is None else found.get(key)
    if token is None:
        cache.add(key, uuid.uuid4().hex, None)  # whichever request comes first sets it
        token = cache.get(key)
    return token
