"""The site under load, in production shape, against Django's own floor. Prints one table.

    .venv/bin/python bench/load.py                          # PostgreSQL database clinic_perf_load, rebuilt
    .venv/bin/python bench/load.py --reuse                  # keep the big clinic from the last run
    REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/load.py --reuse    # shared Redis cache
    .venv/bin/python bench/load.py --sqlite                 # a SQLite file in tmp/ instead
    .venv/bin/python bench/load.py --reuse --no-page-cache  # every request runs its view

Builds the big clinic (bench/bigclinic.py), collects static files into a temporary folder, starts
gunicorn with bench.settings (production settings on loopback HTTP, plus the floor view at
/bench/floor/) and drives each page with wrk on loopback: a warm-up, then a fixed measured time.
The machine may be shared, so the floor is measured before each page and after the last, and
each page is compared with the mean of the two floor runs around it. Queries per request are counted
in-process through the same settings: "cold" with the page cache and blog fragments forgotten,
"warm" on the second request. Requests carry a CSRF cookie, as a returning visitor's browser does;
``--new-visitors`` sends none, so every answer makes a new CSRF secret (Django's own cost, twice
that of masking the token). Requires wrk (``apt-get install wrk``).
"""

import argparse
import os
import sys
import tempfile
import time
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
]
DATABASE = "clinic_perf_load"


def queries(path: str) -> tuple[int, int, float]:
    """Queries for ``path`` with every cache forgotten, then on a repeat; and the cold request's time in ms."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from blog.selectors import blog_cache_forget
    from core.httpcache import PUBLIC_VIEWS, pages_changed

    client = Client(SERVER_NAME="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9")
    client.get(path)  # imports, template loading, connection
    pages_changed(*{label for view in PUBLIC_VIEWS.values() for label in view.depends_on})
    blog_cache_forget()
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
    parser.add_argument(
        "--new-visitors",
        action="store_true",
        help="send no CSRF cookie, so every request is a first visit that gets a new CSRF secret",
    )
    args = parser.parse_args()

    url = bigclinic.database_url(DATABASE, sqlite=args.sqlite)
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

    def measure(path: str) -> dict:
        server.wrk(base + path, seconds=args.warmup, connections=args.connections, cookie=cookie)
        return server.wrk(base + path, seconds=args.seconds, connections=args.connections, cookie=cookie)

    # The machine is shared, so the floor is measured before every page and after the last one;
    # each page is compared with the mean of the floors either side of it.
    with server.gunicorn(env, workers=args.workers) as base:
        floors = [measure("/bench/floor/")]
        results = {}
        for _, key, _ in PAGES:
            results[key] = measure(pages[key])
            floors.append(measure("/bench/floor/"))
    load = os.getloadavg()
    floor_of = {key: (floors[n]["rps"] + floors[n + 1]["rps"]) / 2 for n, (_, key, _) in enumerate(PAGES)}

    print()
    print(
        f"{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, cache: {cache_name}, "
        f"page cache: {'off' if args.no_page_cache else 'on'}; gunicorn {args.workers} sync workers; "
        f"wrk {args.connections} connections, {args.warmup} s warm-up + {args.seconds} s per page, "
        f"{'new visitors (no cookie)' if args.new_visitors else 'returning visitors (CSRF cookie)'}"
    )
    print("data: " + ", ".join(f"{value:,} {name}" for name, value in data.items()))
    print(f"load average after the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores, shared)")
    print()
    header = (
        f"{'page':<28} {'req/s':>8} {'floor':>7} {'% floor':>8} {'p50 ms':>8} {'p99 ms':>8} {'p99/p50':>8} "
        f"{'errors':>7} {'queries cold/warm':>18} {'cold ms':>8}  target"
    )
    print(header)
    print("-" * len(header))
    failed = []
    for label, key, target in PAGES:
        row = results[key]
        share = row["rps"] / floor_of[key]
        ratio = row["p99"] / row["p50"] if row["p50"] else 0
        cold, warm, cold_ms = counted[key]
        met = share >= target and ratio <= 3 and row["errors"] == 0
        if not met:
            failed.append(label)
        print(
            f"{label:<28} {row['rps']:>8.0f} {floor_of[key]:>7.0f} {share:>7.0%} {row['p50']:>8.2f} {row['p99']:>8.2f} {ratio:>8.1f} "
            f"{row['errors']:>7} {f'{cold} / {warm}':>18} {cold_ms:>8.1f}  >={target:.0%} {'met' if met else 'MISSED'}"
        )
    for label, pick in (("floor (lowest run)", min), ("floor (highest run)", max)):
        row = pick(floors, key=lambda run: run["rps"])
        ratio = row["p99"] / row["p50"] if row["p50"] else 0
        print(
            f"{label:<28} {row['rps']:>8.0f} {'':>7} {'':>8} {row['p50']:>8.2f} {row['p99']:>8.2f} "
            f"{ratio:>8.1f} {row['errors']:>7} {'0 / 0':>18}"
        )
    floor_errors = sum(run["errors"] for run in floors)
    if floor_errors:
        failed.append("floor")
    print()
    for key, path in pages.items():
        print(f"  {key}: {path}")
    problems = server.log_problems()
    print(f"gunicorn log: {len(problems)} warnings or errors ({server.LOG})")
    for line in problems[:20]:
        print("  " + line)
    if failed or problems:
        print("targets missed: " + (", ".join(failed) or "none") + ("; errors in the log" if problems else ""))
        sys.exit(1)


if __name__ == "__main__":
    main()
