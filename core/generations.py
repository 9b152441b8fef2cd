"""Generation tokens: forget a whole family of cache entries at once by changing one value.

A cache key that includes ``generation_current(name)`` is never read again once
``generation_bump(name)`` has replaced the token; the old entries simply expire. The public page
cache keeps one generation per app; the blog's cached fragments and the bookings' cached lists ride on those
of their app's pages, so whatever makes the pages forget also makes them forget.
"""

import uuid
from collections.abc import Callable

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


def generation_cached_many(
    name: str,
    computes: dict[str, Callable[[], object]],
    *,
    prefix: str,
    seconds: Callable[[str], int],
) -> dict[str, object]:
    """Each ``compute()`` by name, kept in the cache until generation ``name`` is bumped; all read in one round trip.

    Each value is stored under ``prefix + name`` with the token it was computed in, and a value from an older
    token is computed again. ``seconds(token)`` says how long new values may be kept. A compute that returns
    None (a look-up that found nothing) is not kept, so asking for things that do not exist fills nothing.
    """
    found = cache.get_many([generation_key(name), *(prefix + key for key in computes)])
    token = generation_current(name, found=found)
    values = {}
    for key in computes:
        entry = found.get(prefix + key)
        if entry is not None and entry[0] == token:
            values[key] = entry[1]
    missing = {key: compute() for key, compute in computes.items() if key not in values}
    kept = {prefix + key: (token, value) for key, value in missing.items() if value is not None}
    if kept:
        cache.set_many(kept, seconds(token))
    values.update(missing)
    return values
