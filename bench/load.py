"""The site under load, in production shape, against Django's own floor. Prints two tables.

    .venv/bin/python bench/load.py                          # PostgreSQL database clinic_perf_load, rebuilt
    .venv/bin/python bench/load.py --reuse                  # keep the big clinic from the last run
    REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/load.py --reuse    # shared Redis cache
    .venv/bin/python bench/load.py --sqlite                 # a SQLite file in tmp/ instead
    .venv/bin/python bench/load.py --reuse --no-page-cache  # every request runs its view
    .venv/bin/python bench/load.py --reuse --no-nginx       # only through the app
    .venv/bin/python bench/load.py --reuse --floor /healthz # pages against /healthz instead of the constant view

Builds the big clinic (bench/bigclinic.py), collects static files into a temporary folder, starts
gunicorn with bench.settings (production settings on loopback HTTP, plus the floor view at
/bench/floor/) and drives each page with wrk on loopback: a warm-up, then a fixed measured time.
The machine may be shared, so the floor is measured before each page and after the last, and
each page is compared with the mean of the two floor runs around it. Beside each measured run, the
CPU time every gunicorn and every PostgreSQL process on the machine used during it, in ms per request
(``app cpu``, ``db cpu``): what a page costs the machine, which drifts less than requests a second do
when the machine is shared. Queries per request are counted
in-process through the same settings: "cold" with the page cache and blog fragments forgotten,
"warm" on the second request. Then Debian's nginx runs docs/nginx.conf in front of the same
gunicorn (TLS on loopback) and the same pages are measured through it, served from nginx's cache,
beside the same floor. Requests carry a CSRF cookie, as a returning visitor's browser does (public
pages neither read nor set it); ``--new-visitors`` sends none. Requires wrk and nginx
(``apt-get install wrk nginx``).
"""

import argparse
import os
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bigclinic  # noqa: E402
import server  # noqa: E402

# (label, key in bigclinic.describe(), target as a share of the floor's requests/s)
PAGES = [
    ("home page", "home", 0.5),
    ("/blog/", "blog", 0.5),
    ("a post", "post", 0.5),
    ("a tag page", "tag", 0.5),
    ("/book/", "book", 0.5),
    ("availability, a month, any", "availability", 0.25),
    ("availability, a month, one", "availability_one", 0.25),
]
#: With the page cache off every request runs its view: the target is then a miss's (issue 14), a fifth of the floor.
MISS_TARGET = 0.2
DATABASE = "clinic_perf_load"


def queries(path: str) -> tuple[int, int, float]:
    """Queries for ``path`` with every cache forgotten, then on a repeat; and the cold request's time in ms."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from core.httpcache import PUBLIC_VIEWS, pages_changed

    client = Client(SERVER_NAME="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9")
    client.get(path)  # imports, template loading, connection
    pages_changed(*{label for view in PUBLIC_VIEWS.values() for label in view.depends_on})  # and the fragments
    counts = []
    started = time.perf_counter()
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts.append(len(captured.captured_queries))
        if len(counts) == 1:
            cold_ms = (time.perf_counter() - started) * 1000
    return counts[0], counts[1], cold_ms


def cache_status(proxy: server.Proxy, path: str) -> str:
    """What nginx's cache says of one more request for ``path`` (HIT: nginx answered it without gunicorn)."""
    request = urllib.request.Request(proxy.base + path, headers={"Cookie": server.CSRF_COOKIE})
    with urllib.request.urlopen(request, context=proxy.tls(), timeout=10) as response:  # noqa: S310
        return response.headers.get("X-Cache-Status", "-")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", action="store_true", help="SQLite file instead of PostgreSQL")
    parser.add_argument("--reuse", action="store_true", help="keep the big clinic built by an earlier run")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seconds", type=int, default=10, help="measured time per page")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up time per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--no-page-cache", action="store_true", help="switch the public page cache off")
    parser.add_argument("--no-nginx", action="store_true", help="skip the runs through nginx's cache")
    parser.add_argument("--name", default=DATABASE, help=f"PostgreSQL database to build or reuse (default {DATABASE})")
    parser.add_argument(
        "--floor",
        default="/bench/floor/",
        help="the floor each page is compared with: /bench/floor/ (a constant view) or /healthz (a query and a cache read)",
    )
    parser.add_argument(
        "--new-visitors",
        action="store_true",
        help="send no CSRF cookie, as on a first visit",
    )
    args = parser.parse_args()

    url = bigclinic.database_url(args.name, sqlite=args.sqlite)
    static_root = tempfile.mkdtemp(prefix="clinic-bench-static-")
    os.environ["STATIC_ROOT"] = static_root
    os.environ["PUBLIC_PAGE_CACHE"] = "false" if args.no_page_cache else "true"
    os.environ.setdefault("EMAIL_URL", "consolemail://")
    if args.reuse:
        bigclinic.setup(url)
    else:
        bigclinic.prepare(url)
        bigclinic.build(scale=args.scale)
    env = server.bench_env(url)
    server.manage("collectstatic", "--noinput", "-v0", env=env)

    from django.conf import settings

    pages = bigclinic.describe()
    data = bigclinic.counts()
    counted = {key: queries(pages[key]) for _, key, _ in PAGES}
    cache_name = "Redis" if settings.REDIS_URL else "per-process memory"

    cookie = "" if args.new_visitors else server.CSRF_COOKIE

    def measure(url: str) -> dict:
        server.wrk(url, seconds=args.warmup, connections=args.connections, cookie=cookie)
        before = server.cpu_seconds()
        result = server.wrk(url, seconds=args.seconds, connections=args.connections, cookie=cookie)
        after = server.cpu_seconds()
        # CPU ms per request of the app (gunicorn), the database and Redis: what a page costs the machine.
        used = {
            group: seconds * 1000 / max(result["requests"], 1)
            for group, seconds in server.cpu_used(before, after).items()
        }
        return {**result, "cpu": used}

    # The machine is shared, so the floor is measured before every page and after the last one;
    # each page is compared with the mean of the floors either side of it.
    proxied = {}
    with server.gunicorn(env, workers=args.workers) as base:
        floors = [measure(base + args.floor)]
        results = {}
        for _, key, _ in PAGES:
            results[key] = measure(base + pages[key])
            floors.append(measure(base + args.floor))
        if not args.no_nginx:
            media_root = Path(tempfile.mkdtemp(prefix="clinic-bench-media-"))
            with server.nginx(base.removeprefix("http://"), media_root=media_root) as proxy:
                for _, key, _ in PAGES:
                    proxied[key] = {**measure(proxy.base + pages[key]), "cache": cache_status(proxy, pages[key])}
    load = os.getloadavg()
    floor_of = {key: (floors[n]["rps"] + floors[n + 1]["rps"]) / 2 for n, (_, key, _) in enumerate(PAGES)}

    print()
    print(
        f"{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, cache: {cache_name}, "
        f"page cache: {'off' if args.no_page_cache else 'on'}; gunicorn {args.workers} sync workers; "
        f"wrk {args.connections} connections, {args.warmup} s warm-up + {args.seconds} s per page, "
        f"{'new visitors (no cookie)' if args.new_visitors else 'returning visitors (CSRF cookie)'}; floor: {args.floor}"
    )
    print("data: " + ", ".join(f"{value:,} {name}" for name, value in data.items()))
    print(f"load average after the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores, shared)")
    print()
    header = (
        f"{'page':<28} {'req/s':>8} {'floor':>7} {'% floor':>8} {'p50 ms':>8} {'p99 ms':>8} {'p99/p50':>8} "
        f"{'errors':>7} {'queries cold/warm':>18} {'cold ms':>8} {'app cpu':>8} {'db cpu':>7}  target"
    )
    print(header)
    print("-" * len(header))
    failed = []
    for label, key, target in PAGES:
        target = MISS_TARGET if args.no_page_cache else target
        row = results[key]
        share = row["rps"] / floor_of[key]
        ratio = row["p99"] / row["p50"] if row["p50"] else 0
        cold, warm, cold_ms = counted[key]
        met = share >= target and ratio <= 3 and row["errors"] == 0
        if not met:
            failed.append(label)
        print(
            f"{label:<28} {row['rps']:>8.0f} {floor_of[key]:>7.0f} {share:>7.0%} {row['p50']:>8.2f} {row['p99']:>8.2f} {ratio:>8.1f} "
            f"{row['errors']:>7} {f'{cold} / {warm}':>18} {cold_ms:>8.1f} {row['cpu']['app']:>8.2f} "
            f"{row['cpu']['postgres']:>7.2f}  >={target:.0%} {'met' if met else 'MISSED'}"
        )
    for label, pick in (("floor (lowest run)", min), ("floor (highest run)", max)):
        row = pick(floors, key=lambda run: run["rps"])
        ratio = row["p99"] / row["p50"] if row["p50"] else 0
        print(
            f"{label:<28} {row['rps']:>8.0f} {'':>7} {'':>8} {row['p50']:>8.2f} {row['p99']:>8.2f} "
            f"{ratio:>8.1f} {row['errors']:>7} {'0 / 0':>18} {'':>8} {row['cpu']['app']:>8.2f} {row['cpu']['postgres']:>7.2f}"
        )
    floor_errors = sum(run["errors"] for run in floors)
    if floor_errors:
        failed.append("floor")
    nginx_problems = []
    if proxied:
        print()
        print("The same pages through nginx's cache (docs/nginx.conf, TLS on loopback), beside the same floor:")
        header = (
            f"{'page':<28} {'req/s':>8} {'floor':>7} {'% floor':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}  cache"
        )
        print(header)
        print("-" * len(header))
        for label, key, _ in PAGES:
            row = proxied[key]
            print(
                f"{label:<28} {row['rps']:>8.0f} {floor_of[key]:>7.0f} {row['rps'] / floor_of[key]:>7.0%} "
                f"{row['p50']:>8.2f} {row['p99']:>8.2f} {row['errors']:>7}  {row['cache']}"
            )
            if row["errors"]:
                failed.append(f"{label} through nginx")
        nginx_problems = server.log_problems(proxy.error_log)
    print()
    for key, path in pages.items():
        print(f"  {key}: {path}")
    problems = server.log_problems()
    print(f"gunicorn log: {len(problems)} warnings or errors ({server.LOG})")
    if proxied:
        print(f"nginx log: {len(nginx_problems)} warnings or errors ({proxy.error_log})")
    problems += nginx_problems
    for line in problems[:20]:
        print("  " + line)
    if failed or problems:
        print("targets missed: " + (", ".join(failed) or "none") + ("; errors in the log" if problems else ""))
        sys.exit(1)


if __name__ == "__main__":
    main()
