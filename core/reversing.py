"""``reverse()`` for the addresses a page draws many times: a card per post, a portrait per therapist.

``reverse()`` walks the URL resolver on every call (about 20 µs); a list page asks it for the same
pattern dozens of times with only the slug changing. ``reverse_slug`` reverses each pattern once
(per script prefix and URL configuration, which can differ between requests) with a stand-in slug
and puts the real slug in its place. A slug of anything but ASCII letters, digits, ``-`` and ``_``
(which reverse() would percent-encode, or refuse) goes through ``reverse()`` itself.
"""

import re
from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse

_PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")
_STAND_IN = "reversed-slug-stand-in"


@lru_cache(maxsize=256)
def _around_slug(viewname: str, prefix: str, urlconf: str | None) -> tuple[str, str]:
    """The address of ``viewname`` before and after its slug (``prefix`` and ``urlconf`` key the cache)."""
    head, tail = reverse(viewname, urlconf=urlconf, kwargs={"slug": _STAND_IN}).split(_STAND_IN)
    return head, tail


def reverse_slug(viewname: str, slug: str) -> str:
    """``reverse(viewname, kwargs={"slug": slug})`` for a URL pattern whose one argument is the slug."""
    if not _PLAIN_SLUG.match(slug):
        return reverse(viewname, kwargs={"slug": slug})
    head, tail = _around_slug(viewname, get_script_prefix(), get_urlconf())
    return head + slug + tail
