"""Public pages that any HTTP cache may keep, and Django's own cache in front of their views.

Each app declares its public views in its ``apps.py`` with ``cacheable()``. For a visitor who
carries no session or flash-message cookie such a page holds nothing personal — no CSRF token, no
cookie, no ``Vary: Cookie`` — and says how long it stays fresh::

    Cache-Control: public, max-age=30, s-maxage=210, stale-while-revalidate=60

with an ``ETag`` (ConditionalGetMiddleware makes it and answers a matching ``If-None-Match`` with
304), so nginx's ``proxy_cache`` (docs/nginx.conf) or any CDN can serve it. A visitor with a session
(signed-in staff, a booking in progress, a flash message) gets the same view marked
``private, no-cache``. Forms on public pages carry no CSRF token: a view that takes one checks the
request's origin with ``cross_site()`` instead.

Freshness: a declaration's ``seconds`` is the longest anyone may see the page after it went out of
date, counting every cache on the way; an app may lower it (``lifetime_limit``: the blog's pages
expire no later than its next scheduled post goes live). The seconds are split: a tenth (at most a
minute) for the browser, a fifth for a shared cache to serve the page stale while it fetches a new
one, the rest fresh in the shared cache.

Django's cache (``PUBLIC_PAGE_CACHE``, Redis in production): an anonymous GET or HEAD with only the
query parameters the view understands is answered from the cache, keyed by the address and one
generation token per app the page depends on. The services that change what those pages show call
``pages_changed(app)`` (the admin through ``core.admin.InvalidatesPages``); the new token makes
every app server render the page afresh at once, and shared caches follow within the page's
``seconds``. A cached entry keeps the deadline of the rendering it holds, so the freshness it is
served with counts down instead of starting again.
"""

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, set_response_etag

from .generations import generation_bump, generation_current, generation_key


@dataclass(frozen=True)
class PublicView:
    seconds: int
    depends_on: tuple[str, ...]
    params: frozenset[str]


#: URL name → how long its page may be kept and on which apps' content it depends. Filled by ``cacheable()``.
PUBLIC_VIEWS: dict[str, PublicView] = {}
#: App label → the longest its pages may be kept right now. Filled by ``lifetime_limit()``.
LIFETIME_LIMITS: dict[str, Callable[[], int]] = {}
#: Query parameters every view reads as a whole number (Django's paginator), whatever their spelling.
NUMBER_PARAMS = frozenset({"page"})
#: Headers of a page that belong to the page, not to the answer: the rest are made anew on every answer.
KEPT_HEADERS = ("Content-Type", "Content-Language", "ETag", "Last-Modified", "Link", "X-Robots-Tag")


def cacheable(*view_names: str, seconds: int, depends_on: Iterable[str] = (), params: Iterable[str] = ()) -> None:
    """Declare these views public: cacheable by anyone for ``seconds``, forgotten by Django when a ``depends_on`` app changes.

    ``params`` are the query parameters the views understand; an address with others still gets a
    public page, but is never stored in Django's cache.
    """
    view = PublicView(seconds, tuple(depends_on), frozenset(params))
    for name in view_names:
        PUBLIC_VIEWS[name] = view


def lifetime_limit(app_label: str, limit: Callable[[], int]) -> None:
    """Keep every page depending on ``app_label`` no longer than ``limit()`` seconds from now."""
    LIFETIME_LIMITS[app_label] = limit


def pages_changed(*app_labels: str) -> None:
    """What these apps show on public pages changed: Django's cache forgets those pages (now, and again at commit)."""
    for label in app_labels:
        generation_bump(pages_generation(label))


def pages_follow(*models, apps: tuple[str, ...]) -> None:
    """Whenever a row of one of ``models`` is saved or deleted, or a many-to-many link of theirs changes, by any
    code at all (a service, the admin, the shell, a data fix), forget these apps' public pages and the
    fragments kept with them. The services say ``pages_changed`` too; this catches every other way in.
    """

    def changed(sender, **kwargs):
        pages_changed(*apps)

    for model in models:
        uid = f"pages_follow:{model._meta.label}:{','.join(apps)}"
        post_save.connect(changed, sender=model, weak=False, dispatch_uid=uid)
        post_delete.connect(changed, sender=model, weak=False, dispatch_uid=uid)
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                changed, sender=field.remote_field.through, weak=False, dispatch_uid=f"{uid}:{field.name}"
            )


def cross_site(request: HttpRequest) -> bool:
    """Whether the browser says another site made it send this request (a form on public pages has no CSRF token).

    Browsers name the page's origin in ``Origin`` on every POST and say ``Sec-Fetch-Site``; a request
    with neither (an old browser) is taken as ours. ``Origin: null`` (a sandboxed or privacy-hidden
    origin) is not ours.
    """
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return True
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    return origin != f"{request.scheme}://{request.get_host()}" and origin not in settings.CSRF_TRUSTED_ORIGINS


def personal(request: HttpRequest) -> bool:
    """Whether the request carries a cookie that can change a page: a session or flash messages."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES or CookieStorage.cookie_name in request.COOKIES


def freshness(seconds: int) -> str:
    """The ``Cache-Control`` of a public page that may be seen at most ``seconds`` after it went out of date."""
    browser = min(60, seconds // 10)
    stale = seconds // 5
    return f"public, max-age={browser}, s-maxage={seconds - browser - stale}, stale-while-revalidate={stale}"


def pages_generation(app_label: str) -> str:
    """The generation (``core.generations``) that ``pages_changed(app_label)`` bumps: data cached under it is
    forgotten whenever that app's public pages are."""
    return f"pages:{app_label}"


def _lifetime(view: PublicView) -> int:
    limits = [LIFETIME_LIMITS[label]() for label in view.depends_on if label in LIFETIME_LIMITS]
    return min([view.seconds, *limits])


def _canonical_query(request: HttpRequest) -> str:
    """The query as the view reads it: each parameter once (its last value, as ``GET.get`` gives it), in
    name order, and a page number without leading zeros. So ``?page=0001``, ``?page=01`` and
    ``?page=9&page=1`` share the entry of ``?page=1`` instead of each spelling storing the same page
    again. Only ``page`` is a number to every view; other values (a slug like "007") are kept as typed."""
    values = []
    for name in sorted(request.GET):
        value = request.GET[name]
        if name in NUMBER_PARAMS and value.isascii() and value.isdigit():
            value = str(int(value))
        values.append((name, value))
    return urlencode(values)


def _key(request: HttpRequest) -> str:
    address = hashlib.sha256(f"{request.get_host()}{request.path}?{_canonical_query(request)}".encode()).hexdigest()
    return f"pages:{request.resolver_match.view_name}:{address}"


def _decided_by_view(response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "").lower()
    return any(word in cache_control for word in ("private", "no-store", "no-cache"))


def _shareable(response: HttpResponse) -> bool:
    """Nothing in the answer is this visitor's: no cookie set, no session read (which would add ``Vary: Cookie``)."""
    vary = {value.strip().lower() for value in response.get("Vary", "").split(",")}
    return not response.cookies and "cookie" not in vary and not response.streaming


class PublicPageMiddleware:
    """See the module docstring. Place it after ConditionalGetMiddleware and before SessionMiddleware,
    so it sees the session's ``Vary`` and the cookies every inner middleware set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        view = PUBLIC_VIEWS.get(match.view_name) if match else None
        if view is None or request.method not in ("GET", "HEAD"):
            return None
        request.public_view = view
        if not settings.PUBLIC_PAGE_CACHE or personal(request) or any(name not in view.params for name in request.GET):
            return None
        key = _key(request)
        # One round trip to the cache: the page and the generations it must match.
        found = cache.get_many([key, *(generation_key(pages_generation(label)) for label in view.depends_on)])
        generations = tuple(generation_current(pages_generation(label), found=found) for label in view.depends_on)
        entry = found.get(key)
        if entry is not None and entry[0] == generations and entry[1] > time.time():
            _, request.public_deadline, content, headers = entry
            return HttpResponse(content, headers=headers)
        request.public_store = (key, generations)
        return None

    def __call__(self, request):
        response = self.get_response(request)
        view = getattr(request, "public_view", None)
        if view is None or response.status_code != 200 or _decided_by_view(response):
            return response
        if personal(request) or not _shareable(response):
            patch_cache_control(response, private=True, no_cache=True)
            return response
        now = time.time()
        deadline = getattr(request, "public_deadline", None)
        if deadline is None:
            deadline = now + _lifetime(view)
            store = getattr(request, "public_store", None)
            if store is not None and not response.has_header("Vary"):
                key, generations = store
                if not response.has_header("ETag"):
                    set_response_etag(response)
                headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
                cache.set(key, (generations, deadline, response.content, headers), round(deadline - now))
        response["Cache-Control"] = freshness(max(0, round(deadline - now)))
        return response
