"""The blog's cached fragments: reads that scan many posts, and rendered parts of pages, kept until the blog's
public pages change (``pages_changed("blog")``), the next scheduled post goes live, or five minutes pass."""

import math
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.utils import timezone

from core.generations import generation_cached_many, generation_current, generation_key
from core.httpcache import pages_generation

from .models import Post

T = TypeVar("T")

FRAGMENT_SECONDS = 300
#: The blog's cached fragments are forgotten with its public pages: a post, author, tag, category or series
#: written anywhere (services, admin) and a therapist's edit all say ``pages_changed("blog")``.
GENERATION = pages_generation("blog")
PREFIX = "blog:"


def _fragment_seconds(token: str, *, found: dict | None = None) -> int:
    """How long a fragment computed under ``token`` may be kept: five minutes, or less when a scheduled post
    goes live sooner. The next publication time is itself kept until a post is written; ``found`` is a
    ``cache.get_many`` result that may hold it."""
    now = timezone.now()
    entry = found.get(PREFIX + "upcoming") if found is not None else cache.get(PREFIX + "upcoming")
    upcoming = entry[1] if entry is not None and entry[0] == token else None
    if upcoming is None or (upcoming and upcoming <= now):
        upcoming = (
            Post.objects.filter(status=Post.Status.PUBLISHED, publish_at__gt=now)
            .order_by("publish_at")
            .values_list("publish_at", flat=True)
            .first()
        ) or ""
        cache.set(PREFIX + "upcoming", (token, upcoming), FRAGMENT_SECONDS)
    if not upcoming:
        return FRAGMENT_SECONDS
    return max(1, min(FRAGMENT_SECONDS, math.ceil((upcoming - now).total_seconds())))


def blog_fragment_seconds() -> int:
    """How long anything showing public posts may be cached (see ``_fragment_seconds``), in one round trip."""
    found = cache.get_many([generation_key(GENERATION), PREFIX + "upcoming"])
    return _fragment_seconds(generation_current(GENERATION, found=found), found=found)


def blog_cached_many(computes: dict[str, Callable[[], object]]) -> dict[str, object]:
    """Each ``compute()`` by name, cached until the blog's pages change, the next scheduled post goes live,
    or five minutes pass; all read in one round trip to the cache. A compute that finds nothing (None) is
    asked again next time.
    """
    return generation_cached_many(GENERATION, computes, prefix=PREFIX, seconds=_fragment_seconds)


def blog_cached(name: str, compute: Callable[[], T]) -> T:
    """``compute()``, cached as ``blog_cached_many`` says."""
    return blog_cached_many({name: compute})[name]
