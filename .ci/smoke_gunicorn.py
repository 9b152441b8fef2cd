"""The production shape, end to end: Debian's nginx (docs/nginx.conf) → gunicorn → PostgreSQL + Redis.

Boots gunicorn with production settings and nginx in front of it with TLS, then, through nginx:

- requests every public page twice: a fixed list, every URL in /sitemap.xml, every site link on
  the home, blog and booking pages and on one post (authors, archives, pagination, booking steps),
  the feeds, and a month of "any therapist" availability for each service. Each must answer 200,
  say it is public (``Cache-Control: public``, an ``ETag``, no cookie, no ``Vary: Cookie``), and
  come from nginx's cache the second time (``X-Cache-Status: HIT``); a conditional GET gets 304;
- checks that a signed-in member of staff bypasses the cache and gets private pages;
- subscribes to the newsletter from a cached page's footer form, without a CSRF token, from a
  client address of its own (127.0.0.2), lets the worker run what was queued, and checks the
  subscriber's recorded address is that client's, not nginx's; a POST that names another site as
  its origin is refused;
- checks /media/ is served from MEDIA_ROOT by nginx: nosniff and a sandboxing CSP on every file,
  and a download disposition for anything not an image or video;
- books 50 sessions through nginx, one each from 50 client addresses (127.0.0.10 … 127.0.0.59),
  under a booking limit of two bookings per address (``RATE_LIMIT_BOOKINGS_BOOK``): every one is
  served, and the next bookings from one of those addresses are refused with 429. Were the limit
  keyed on nginx's address, the third booking of the run would already be refused.

Fails on any unexpected answer or on anything gunicorn, Django or nginx logs at WARNING or above.
"""

import http.client
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.parse
from datetime import UTC, date, datetime, timedelta
from html import unescape
from pathlib import Path

import redis
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import server  # noqa: E402  (bench/server.py: the gunicorn and nginx launchers)

FIXED_PAGES = [
    "/",
    "/book/",
    "/therapists/",
    "/blog/",
    "/privacy/",
    "/robots.txt",
    "/sitemap.xml",
    "/blog/feed/",
    "/blog/feed/atom/",
]
LINKED_FROM = ["/", "/blog/", "/book/"]
NOT_PAGES = ("/static/", "/media/", "/admin/", "/newsletter/", "/staff/", "/calendar/")
SUBSCRIBER = "smoke-reader@example.com"
CLIENT_ADDRESS = "127.0.0.2"  # a visitor of our own, not nginx's 127.0.0.1

STAFF_SESSION = """
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
user, _ = get_user_model().objects.get_or_create(username="smoke-staff", defaults={"is_staff": True})
session = import_module(settings.SESSION_ENGINE).SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.save()
print(session.session_key)
"""
BOOKING_CLIENTS = [f"127.0.0.{n}" for n in range(10, 60)]
BOOKING_LIMIT = 4  # two bookings per address: a booking made costs 2 (bookings/views/booking.py)
BOOKINGS_MADE = """
from bookings.models import Appointment
print(Appointment.objects.filter(client_email__startswith="smoke-client-").count())
"""
SUBSCRIBER_ADDRESS = f"""
from newsletter.models import Subscriber
from newsletter.privacy import ip_hash
subscriber = Subscriber.objects.filter(email={SUBSCRIBER!r}).first()
print("missing" if subscriber is None else "client" if subscriber.ip_hash == ip_hash({CLIENT_ADDRESS!r}) else "other")
"""


class Answer:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Browser:
    """Requests to nginx over TLS, as a browser would make them (no redirects followed)."""

    def __init__(self, proxy: server.Proxy, *, source: str = "127.0.0.1"):
        self.proxy, self.source = proxy, source

    def request(self, method: str, path: str, *, headers: dict | None = None, body: bytes | None = None) -> Answer:
        connection = http.client.HTTPSConnection(
            "127.0.0.1", self.proxy.port, context=self.proxy.tls(), timeout=30, source_address=(self.source, 0)
        )
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return Answer(response.status, response.headers, response.read())
        finally:
            connection.close()

    def get(self, path: str, **headers: str) -> Answer:
        return self.request("GET", path, headers={name.replace("_", "-"): value for name, value in headers.items()})


def discover(browser: Browser) -> list[str]:
    """Every public page the smoke run requests, in a stable order."""
    sitemap = browser.get("/sitemap.xml").text
    pages = FIXED_PAGES + sorted(
        {re.sub(r"^https?://[^/]+", "", loc) for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap)}
    )
    posts = [page for page in pages if re.fullmatch(r"/blog/[\w-]+/", page) and page != "/blog/feed/"]
    for page in LINKED_FROM + posts[:1]:
        html = browser.get(page).text
        links = {unescape(href) for href in re.findall(r'href="(/[^"#]*)"', html)}
        pages += sorted(link for link in links if not link.startswith(NOT_PAGES) and not link.startswith("//"))
    home = browser.get("/").text
    today = date.today()
    for service in sorted(set(re.findall(r'href="/book/\?service=([\w-]+)"', home))):
        pages.append(
            f"/api/availability/?service={service}&therapist=any&start={today}&end={today + timedelta(days=30)}"
        )
        pages.append(f"/book/?service={service}&therapist=any")
    return list(dict.fromkeys(pages))


def check_public_page(browser: Browser, path: str) -> list[str]:
    first, second = browser.get(path), browser.get(path)
    for _ in range(20):  # a copy that went stale since discovery is being fetched anew in the background
        if second.headers.get("X-Cache-Status") not in ("UPDATING", "STALE"):
            break
        time.sleep(0.1)
        second = browser.get(path)
    problems = []
    if (first.status, second.status) != (200, 200):
        problems.append(f"answered {first.status} then {second.status}")
    cache_control = first.headers.get("Cache-Control", "")
    if not cache_control.startswith("public,") or "s-maxage=" not in cache_control:
        problems.append(f"Cache-Control is {cache_control!r}")
    if not first.headers.get("ETag"):
        problems.append("no ETag")
    if first.headers.get("Set-Cookie") or "cookie" in first.headers.get("Vary", "").lower():
        problems.append("sets a cookie or varies on cookies")
    if second.headers.get("X-Cache-Status") != "HIT":
        problems.append(f"second answer was {second.headers.get('X-Cache-Status')}, not a cache HIT")
    print(f"{first.status} {second.status} {second.headers.get('X-Cache-Status', '-'):<7} {path}")
    return problems


def check_conditional_get(browser: Browser) -> list[str]:
    etag = browser.get("/").headers.get("ETag", "")
    answer = browser.get("/", If_None_Match=etag)
    return [] if answer.status == 304 else [f"/ with If-None-Match answered {answer.status}, not 304"]


def check_staff_bypass(browser: Browser, session_key: str) -> list[str]:
    problems = []
    for path in ("/", "/blog/"):
        answer = browser.get(path, Cookie=f"sessionid={session_key}")
        status = answer.headers.get("X-Cache-Status")
        print(f"{answer.status} {status:<7} {path} (signed-in staff)")
        if answer.status != 200 or status != "BYPASS" or "private" not in answer.headers.get("Cache-Control", ""):
            problems.append(f"staff on {path}: {answer.status}, {status}, {answer.headers.get('Cache-Control')!r}")
    return problems


def check_subscribe(proxy: server.Proxy, page: str, *, rendered: float, min_fill_seconds: int) -> list[str]:
    """The footer form of a page nginx served from its cache, sent as a browser would: no CSRF token.

    A form sent sooner than the minimum fill time is taken for a bot and silently dropped, so the
    form is sent only once that time has passed since the page was fetched, however fast the pages before it were.
    """
    time.sleep(max(0.0, rendered + min_fill_seconds + 1 - time.monotonic()))
    visitor = Browser(proxy, source=CLIENT_ADDRESS)
    stamp = re.search(r'name="stamp" value="([^"]+)"', page)[1]
    form = urllib.parse.urlencode({"email": SUBSCRIBER, "website": "", "stamp": stamp, "source": "/"}).encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/json",
        "Origin": proxy.base,
        "Sec-Fetch-Site": "same-origin",
    }
    problems = []
    answer = visitor.request("POST", "/newsletter/subscribe/", headers=headers, body=form)
    print(f"{answer.status} POST /newsletter/subscribe/ {answer.text}")
    if answer.status != 200 or not json.loads(answer.text).get("ok"):
        problems.append(f"subscribing through nginx answered {answer.status}: {answer.text[:200]}")
    foreign = {**headers, "Origin": "https://elsewhere.example", "Sec-Fetch-Site": "cross-site"}
    refused = visitor.request("POST", "/newsletter/subscribe/", headers=foreign, body=form)
    print(f"{refused.status} POST /newsletter/subscribe/ from another site")
    if refused.status != 403:
        problems.append(f"a cross-site subscription answered {refused.status}, not 403")
    return problems


def _free_starts(browser: Browser, service: str, count: int) -> list[str]:
    """``count`` free times from the availability API the calendar uses, none overlapping another.

    Neighbouring slots overlap (a 60-minute session at 9:00 takes the 9:15 slot too), and two
    sessions at once may share the one room the service needs: so each time chosen starts after the
    previous one ended, with room for its cleanup.
    """
    starts, day, free_from = [], date.today() + timedelta(days=2), None
    while len(starts) < count and day < date.today() + timedelta(days=90):
        end = day + timedelta(days=6)
        found = json.loads(browser.get(f"/api/availability/?service={service}&start={day}&end={end}").text)
        for slot in sorted(found["slots"], key=lambda slot: slot["start"]):
            start, finish = datetime.fromisoformat(slot["start"]), datetime.fromisoformat(slot["end"])
            if free_from is None or start >= free_from:
                starts.append(start.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ"))
                free_from = finish + timedelta(minutes=30)
        day = end + timedelta(days=1)
    return starts[:count]


def _book(proxy: server.Proxy, source: str, service: str, start: str, n: int) -> int:
    """One client's booking as a browser makes it: the details page (CSRF cookie and token), then the form."""
    client = Browser(proxy, source=source)
    path = f"/book/details/?service={service}&therapist=any&start={urllib.parse.quote(start)}"
    page = client.get(path)
    cookie = re.search(r"csrftoken=([^;]+)", page.headers.get("Set-Cookie", ""))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if page.status != 200 or cookie is None or token is None:
        return page.status
    form = {
        "csrfmiddlewaretoken": token[1],
        "start": start,
        "name": f"Smoke Client {n}",
        "email": f"smoke-client-{n}@example.com",
        "phone": "617 555 0100",
        "consent": "on",
    }
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={cookie[1]}",
        "Origin": proxy.base,
        "Referer": proxy.base + path,
    }
    return client.request("POST", path, headers=headers, body=urllib.parse.urlencode(form).encode()).status


def check_bookings_from_many_clients(proxy: server.Proxy, browser: Browser) -> list[str]:
    service = re.search(r'href="/book/\?service=([\w-]+)"', browser.get("/").text)[1]
    starts = _free_starts(browser, service, len(BOOKING_CLIENTS) + 2)
    if len(starts) < len(BOOKING_CLIENTS) + 2:
        return [f"only {len(starts)} free times found for {service}"]
    statuses = [
        _book(proxy, source, service, start, n)
        for n, (source, start) in enumerate(zip(BOOKING_CLIENTS, starts, strict=False))
    ]
    print(f"{statuses.count(302)} of {len(statuses)} bookings from {len(BOOKING_CLIENTS)} addresses went through")
    problems = [] if statuses == [302] * len(statuses) else [f"bookings from distinct clients answered {statuses}"]
    # One of those clients books again: its second booking is within its own limit, its third is not.
    again = [_book(proxy, BOOKING_CLIENTS[0], service, start, 100 + n) for n, start in enumerate(starts[-2:])]
    print(f"{BOOKING_CLIENTS[0]} books twice more: {again}")
    if again != [302, 429]:
        problems.append(f"a second and third booking from one address answered {again}, not [302, 429]")
    return problems


def check_media(browser: Browser, media_root: Path) -> list[str]:
    folder = media_root / "smoke"
    folder.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (1, 1)).save(folder / "pixel.png")
    (folder / "page.html").write_text("<script>alert(document.domain)</script>")
    problems = []
    for name, disposition in (("pixel.png", None), ("page.html", "attachment")):
        answer = browser.get(f"/media/smoke/{name}")
        headers = {key: answer.headers.get(key) for key in ("Content-Type", "Content-Disposition")}
        print(f"{answer.status} /media/smoke/{name} {headers}")
        expected = {
            "status": 200,
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "Content-Disposition": disposition,
        }
        found = {"status": answer.status, **{key: answer.headers.get(key) for key in expected if key != "status"}}
        if found != expected:
            problems.append(f"/media/smoke/{name}: {found}")
    return problems


def main() -> int:
    database_url = os.environ.get("SMOKE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clinic_smoke")
    redis_url = os.environ.get("SMOKE_REDIS_URL", "redis://127.0.0.1:6379/15")
    media_root = Path(tempfile.mkdtemp(prefix="clinic-media-"))
    log = Path(tempfile.mkdtemp(prefix="clinic-smoke-")) / "gunicorn.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic.settings.base",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1",
        "TRUSTED_PROXIES": "127.0.0.1",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "STATIC_ROOT": tempfile.mkdtemp(prefix="clinic-static-"),
        "MEDIA_ROOT": str(media_root),
        "EMAIL_URL": "consolemail://",
        "PUBLIC_PAGE_CACHE": "true",
        "RATE_LIMIT_BOOKINGS_BOOK": f"{BOOKING_LIMIT}/900",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    def manage(*args: str) -> str:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    redis.Redis.from_url(redis_url).flushdb()  # the smoke's own Redis database: no page from an earlier run
    manage("migrate", "--noinput", "-v0")
    manage("collectstatic", "--noinput", "-v0")
    manage("seed_demo", "--allow-production")
    print(manage("check", "--deploy", "--fail-level", "WARNING").strip())
    session_key = manage("shell", "-c", STAFF_SESSION).split()[-1]

    failures: list[str] = []
    with (
        server.gunicorn(env, workers=2, log=log) as app,
        server.nginx(app.removeprefix("http://"), media_root=media_root) as proxy,
    ):
        browser = Browser(proxy)
        # Rendered (and stamped) first, so the form is filled long after the minimum fill time.
        footer_page = browser.get("/privacy/").text
        footer_rendered = time.monotonic()
        pages = discover(browser)
        for path in pages:
            failures += [f"{path}: {problem}" for problem in check_public_page(browser, path)]
        health = browser.get("/healthz")
        print(f"{health.status} {health.headers.get('X-Cache-Status', '-'):<7} /healthz")
        if health.status != 200 or health.headers.get("X-Cache-Status") == "HIT":
            failures.append(f"/healthz: {health.status} {health.headers.get('X-Cache-Status')}")
        failures += check_conditional_get(browser)
        failures += check_staff_bypass(browser, session_key)
        min_fill = int(env.get("NEWSLETTER_MIN_FILL_SECONDS", "2"))
        failures += check_subscribe(proxy, footer_page, rendered=footer_rendered, min_fill_seconds=min_fill)
        failures += check_media(browser, media_root)
        failures += check_bookings_from_many_clients(proxy, browser)
    # The worker's part of a subscription (and its confirmation email), as db_worker runs it in production.
    worker_output = manage("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*")
    made = int(manage("shell", "-c", BOOKINGS_MADE).split()[-1])
    if made != len(BOOKING_CLIENTS) + 1:
        failures.append(f"{made} smoke bookings are in the database, not {len(BOOKING_CLIENTS) + 1}")
    recorded = manage("shell", "-c", SUBSCRIBER_ADDRESS).split()[-1]
    if recorded != "client":
        failures.append(f"the subscriber's address, as Django recorded it: {recorded} (expected {CLIENT_ADDRESS})")
        print(
            "The worker's last lines, to see what became of the subscription:",
            *worker_output.splitlines()[-15:],
            sep="\n",
        )
    problems = server.log_problems(log) + server.log_problems(proxy.error_log)
    print(
        f"{len(pages)} public pages requested twice through nginx, {len(failures)} failures, {len(problems)} log problems"
    )
    for line in failures:
        print("FAILED:", line)
    for line in problems:
        print("LOG:", line)
    return 1 if failures or problems else 0


if __name__ == "__main__":
    sys.exit(main())
