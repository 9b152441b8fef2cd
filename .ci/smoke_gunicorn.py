"""Boot gunicorn with production settings on PostgreSQL and request every public page.

Pages: a fixed list, every URL in /sitemap.xml, every site link on the home, blog and booking
pages and on one post (authors, archives, pagination, booking steps), the feeds, and a month of "any therapist"
availability from /api/availability/ for each service. Each is requested twice, so the second
answer comes from the public page cache (on in production). Fails on any non-200 answer or on
anything gunicorn or Django logs at WARNING or above.
"""

import os
import re
import secrets
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from datetime import date, timedelta
from html import unescape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import server  # noqa: E402  (bench/server.py: the gunicorn launcher)

BASE = ""  # gunicorn's address, once it runs
FIXED_PAGES = [
    "/",
    "/book/",
    "/therapists/",
    "/blog/",
    "/privacy/",
    "/healthz",
    "/robots.txt",
    "/sitemap.xml",
    "/blog/feed/",
    "/blog/feed/atom/",
]
LINKED_FROM = ["/", "/blog/", "/book/"]
NOT_PAGES = ("/static/", "/media/", "/admin/", "/newsletter/", "/staff/", "/calendar/")


def fetch(path: str) -> tuple[int, str]:
    request = urllib.request.Request(BASE + path, headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""


def discover() -> list[str]:
    """Every public page the smoke run requests, in a stable order."""
    _, sitemap = fetch("/sitemap.xml")
    pages = FIXED_PAGES + sorted(
        {re.sub(r"^https?://[^/]+", "", loc) for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap)}
    )
    posts = [page for page in pages if re.fullmatch(r"/blog/[\w-]+/", page) and page != "/blog/feed/"]
    for page in LINKED_FROM + posts[:1]:
        _, html = fetch(page)
        links = {unescape(href) for href in re.findall(r'href="(/[^"#]*)"', html)}
        pages += sorted(link for link in links if not link.startswith(NOT_PAGES) and not link.startswith("//"))
    _, home = fetch("/")
    today = date.today()
    for service in sorted(set(re.findall(r'href="/book/\?service=([\w-]+)"', home))):
        pages.append(
            f"/api/availability/?service={service}&therapist=any&start={today}&end={today + timedelta(days=30)}"
        )
        pages.append(f"/book/?service={service}&therapist=any")
    return list(dict.fromkeys(pages))


def main() -> int:
    database_url = os.environ.get("SMOKE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clinic_smoke")
    static_root = tempfile.mkdtemp(prefix="clinic-static-")
    log_path = Path(tempfile.mkdtemp(prefix="clinic-smoke-")) / "gunicorn.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic.settings.base",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "STATIC_ROOT": static_root,
        "MEDIA_ROOT": tempfile.mkdtemp(prefix="clinic-media-"),
        "EMAIL_URL": "consolemail://",
        "PUBLIC_PAGE_CACHE": "true",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    python = sys.executable
    for args in (
        ["migrate", "--noinput", "-v0"],
        ["collectstatic", "--noinput", "-v0"],
        ["seed_demo", "--allow-production"],
        ["check", "--deploy", "--fail-level", "WARNING"],
    ):
        subprocess.run([python, "manage.py", *args], cwd=ROOT, env=env, check=True)

    global BASE
    with server.gunicorn(env, workers=2, log=log_path) as BASE:
        pages = discover()
        failures = []
        for path in pages:
            statuses = [fetch(path)[0] for _ in range(2)]
            print(f"{statuses[0]} {statuses[1]} {path}")
            if statuses != [200, 200]:
                failures.append((statuses, path))
    problems = server.log_problems(log_path)
    print(f"{len(pages)} pages requested twice, {len(failures)} failures, {len(problems)} log problems")
    for line in problems:
        print("LOG:", line)
    return 1 if failures or problems else 0


if __name__ == "__main__":
    sys.exit(main())
