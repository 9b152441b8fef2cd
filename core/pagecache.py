"""Whole public pages from the cache, for visitors who carry nothing personal.

Django's cache middleware cannot help here: every page has the footer's newsletter form, so every
response carries a CSRF token and sets the CSRF cookie, and such responses are rightly never shared.
This middleware stores the page *without* its per-visitor parts and puts fresh ones back on each
hit: the CSRF token (for this visitor's cookie) and the newsletter form's "rendered at" stamp.

What is cached, and for whom:
- only the views an app registered with ``cacheable()`` (each app's ``cacheable.py``), only for GET and HEAD, only with the query parameters
  the view understands (anything else goes to the view), and only 200 answers that set no cookie,
  touch no session and are not marked private or no-store;
- only for requests with no cookie besides the CSRF cookie: a signed-in member of staff, a
  visitor with a session (a booking in progress, a flash message) always gets a fresh page.

Invalidation: every saved or deleted row of the bookings or blog apps (and every many-to-many
change) replaces that app's *generation* token, which is part of every cache key depending on it;
the old entries are never read again and expire. A page showing posts expires no later than the
next scheduled post goes live, so it appears on time. Other time-dependent content (the booking
notice window moving on) is at most ``timeout`` seconds late: 30 seconds for availability, the
same as the API's max-age. Writes made without signals (``QuerySet.update``, ``bulk_create``) wait
for the timeout (five minutes for the blog).

Switched on by ``PUBLIC_PAGE_CACHE``: by default in production with Redis (``REDIS_URL``), where every
process sees an invalidation at once; off in development and tests.
"""

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag

from .generations import generation_bump, generation_current, generation_key


@dataclass(frozen=True)
class CachedView:
    timeout: int
    depends_on: tuple[str, ...]
    params: frozenset[str] = frozenset()


#: URL name → how long and on what its page may be cached. Filled by ``cacheable()``.
CACHED_VIEWS: dict[str, CachedView] = {}
#: Hidden form fields whose value is made for each visitor, and how to make it. Filled by ``fresh_field()``.
FRESH_FIELDS: dict[str, Callable[[HttpRequest], str]] = {"csrfmiddlewaretoken": get_token}
#: App label → the longest its pages may stay cached right now (the blog: until the next scheduled post).
TIMEOUT_LIMITS: dict[str, Callable[[], int]] = {}


def cacheable(*view_names: str, timeout: int, depends_on: tuple[str, ...] = (), params: Iterable[str] = ()) -> None:
    """Let anonymous visitors get these views' pages from the cache, forgotten when an app in ``depends_on`` changes."""
    config = CachedView(timeout, tuple(depends_on), frozenset(params))
    for name in view_names:
        CACHED_VIEWS[name] = config


def fresh_field(name: str, make: Callable[[HttpRequest], str]) -> None:
    """A hidden form field (``<input name=… value=…>``) whose value is made anew for every visitor."""
    FRESH_FIELDS[name] = make


def timeout_limit(app_label: str, limit: Callable[[], int]) -> None:
    """Cap the cache time of every page depending on ``app_label`` by ``limit()`` seconds."""
    TIMEOUT_LIMITS[app_label] = limit


KEPT_HEADERS = (
    "Content-Type",
    "Content-Language",
    "Cache-Control",
    "Expires",
    "Last-Modified",
    "Link",
    "X-Robots-Tag",
    "Vary",
)


def _field_values(content: bytes) -> list[tuple[bytes, bytes]]:
    names = "|".join(re.escape(name) for name in FRESH_FIELDS).encode()
    return re.findall(rb'name="(%s)" value="([^"]*)"' % names, content)


def enabled() -> bool:
    return getattr(settings, "PUBLIC_PAGE_CACHE", False)


def _generation_keys(view: CachedView) -> list[str]:
    return [generation_key(label) for label in view.depends_on]


def _config(request) -> CachedView | None:
    if request.method not in ("GET", "HEAD") or not enabled():
        return None
    if any(name != settings.CSRF_COOKIE_NAME for name in request.COOKIES):
        return None
    match = request.resolver_match
    view = CACHED_VIEWS.get(match.view_name) if match else None
    if view is None or any(name not in view.params for name in request.GET):
        return None
    return view


def _timeout(view: CachedView) -> int:
    limits = [TIMEOUT_LIMITS[label]() for label in view.depends_on if label in TIMEOUT_LIMITS]
    return min([view.timeout, *limits])


def _key(request) -> str:
    address = hashlib.sha256(f"{request.get_host()}{request.get_full_path()}".encode()).hexdigest()
    return f"pagecache:{request.resolver_match.view_name}:{address}"


def _cacheable(request, response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    cache_control = response.get("Cache-Control", "")
    if any(word in cache_control for word in ("private", "no-store", "no-cache")):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    vary = {value.strip().lower() for value in response.get("Vary", "").split(",") if value.strip()}
    return vary <= {"cookie"}


def _without_fresh_values(request, content: bytes) -> tuple[bytes, tuple[str, ...]] | None:
    """The page with a placeholder for each per-visitor value and the names of those values.

    None when a CSRF token was made for the page but not in a form field we know how to refresh.
    """
    found = {name.decode(): value for name, value in _field_values(content) if value}
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") and "csrfmiddlewaretoken" not in found:
        return None
    for name, value in found.items():
        content = content.replace(value, _placeholder(name))
    return content, tuple(found)


def _placeholder(name: str) -> bytes:
    return f"\x00fresh:{name}\x00".encode()


class PublicPageCacheMiddleware:
    """See the module docstring. Place it after CsrfViewMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        store = getattr(request, "_page_cache_store", None)
        if store is not None and _cacheable(request, response):
            key, generations, timeout = store
            stripped = _without_fresh_values(request, response.content)
            if stripped is not None:
                content, fresh = stripped
                headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
                if not fresh:
                    # The same bytes for everyone (JSON, feeds): a conditional GET can answer 304.
                    headers["ETag"] = quote_etag(hashlib.md5(content, usedforsecurity=False).hexdigest())
                    response["ETag"] = headers["ETag"]
                cache.set(key, (generations, content, headers, fresh), timeout)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        view = _config(request)
        if view is None:
            return None
        key, generation_keys = _key(request), _generation_keys(view)
        # One round trip to the cache: the page and the generations it must match.
        found = cache.get_many([key, *generation_keys])
        cached = found.pop(key, None)
        generations = tuple(generation_current(label, found=found) for label in view.depends_on)
        if cached is None or cached[0] != generations:
            request._page_cache_store = (key, generations, _timeout(view))
            return None
        _, content, headers, fresh = cached
        if "ETag" in headers:
            not_modified = get_conditional_response(request, etag=headers["ETag"])
            if not_modified is not None:
                return not_modified
        for name in fresh:
            content = content.replace(_placeholder(name), FRESH_FIELDS[name](request).encode())
        response = HttpResponse(content)
        for name, value in headers.items():
            response[name] = value
        return response


def _data_changed(sender, **kwargs):
    app_label = sender._meta.app_label
    if enabled() and app_label in watched_apps():
        generation_bump(app_label)


def watched_apps() -> frozenset[str]:
    return frozenset(label for view in CACHED_VIEWS.values() for label in view.depends_on)


def connect_signals() -> None:
    """Called once from CoreConfig.ready(), so writes from commands and workers invalidate too."""
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_data_changed, dispatch_uid="clinic-pagecache")
