"""Does a page cost more as history grows? Availability and the blog list at 1x, 10x and 100x data.

    .venv/bin/python bench/growth.py                  # builds clinic_perf_growth_{1,10,100}x (PostgreSQL)
    .venv/bin/python bench/growth.py --reuse          # measures the databases built by an earlier run
    .venv/bin/python bench/growth.py --scales 1 10    # fewer scales

Each scale is a big clinic (bench/bigclinic.py) with N times the appointments and posts: the
team, the rooms and the next 60 days are the same, only history is longer. Subscribers are not
part of these pages, so the growth databases have none. Every request runs its view (the public
page cache is off); times are the median and 90th percentile of in-process requests through the
whole Django stack, with the blog's cached fragments (sidebar, page counts) warm, as they nearly
always are, and, separately, cold.
Each scale runs in its own process, so the databases never share a connection.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bigclinic  # noqa: E402
import server  # noqa: E402

RUNS = 30


def database_exists(url: str) -> bool:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres") as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def measure_scale(url: str) -> dict:
    """In this process: time the pages on the database at ``url`` and return the numbers."""
    os.environ["PUBLIC_PAGE_CACHE"] = "false"
    os.environ.pop("REDIS_URL", None)
    bigclinic.setup(url)
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(SERVER_NAME="127.0.0.1")
    pages = bigclinic.describe()

    def timed(path: str, *, cold: bool = False) -> dict:
        client.get(path)
        timings, queries = [], 0
        for _ in range(RUNS):
            cache.clear()  # rate limits and the blog fragments; then they are warmed unless asked cold
            if not cold:
                client.get(path)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
            queries = len(captured.captured_queries)
        timings.sort()
        return {"median": statistics.median(timings), "p90": timings[int(RUNS * 0.9) - 1], "queries": queries}

    return {
        "counts": bigclinic.counts(),
        "availability": timed(pages["availability"]),
        "blog": timed(pages["blog"]),
        "blog, cold": timed(pages["blog"], cold=True),
        "blog page 50": timed("/blog/?page=50"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--reuse", action="store_true", help="measure the databases an earlier run built")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # internal: one scale, in a child process
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure_scale(args.measure)))
        return

    # The pages name hashed static files, so each measuring process needs the collected manifest.
    static_root = tempfile.mkdtemp(prefix="clinic-bench-static-")
    measure_env = {**os.environ, "STATIC_ROOT": static_root}
    server.manage(
        "collectstatic", "--noinput", "-v0", env=server.bench_env("sqlite://:memory:", STATIC_ROOT=static_root)
    )
    rows = {}
    for scale in args.scales:
        url = bigclinic.database_url(f"clinic_perf_growth_{scale}x", sqlite=False)
        if not (args.reuse and database_exists(url)):
            subprocess.run(
                [
                    sys.executable,
                    __file__.replace("growth.py", "bigclinic.py"),
                    "--scale",
                    str(scale),
                    "--name",
                    f"clinic_perf_growth_{scale}x",
                    "--subscribers",
                    "0",
                ],
                check=True,
            )
        output = subprocess.run(
            [sys.executable, __file__, "--measure", url], check=True, capture_output=True, text=True, env=measure_env
        )
        rows[scale] = json.loads(output.stdout.strip().splitlines()[-1])

    load = os.getloadavg()
    print()
    print(
        f"PostgreSQL, page cache off, {RUNS} requests each (in-process, whole Django stack); "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores, shared)"
    )
    print(
        f"{'scale':<6} {'appointments':>13} {'posts':>8}  {'request':<34} {'median ms':>10} {'p90 ms':>8} {'queries':>8}"
    )
    for scale, row in rows.items():
        for n, name in enumerate(["availability", "blog", "blog, cold", "blog page 50"]):
            label = {
                "availability": "availability, a month, any",
                "blog": "/blog/ (fragments cached)",
                "blog, cold": "/blog/ (fragments cold)",
                "blog page 50": "/blog/?page=50",
            }[name]
            first = f"{scale}x" if n == 0 else ""
            counts = (
                f"{row['counts']['appointments']:>13,} {row['counts']['published posts']:>8,}" if n == 0 else " " * 22
            )
            numbers = row[name]
            print(
                f"{first:<6} {counts}  {label:<34} {numbers['median']:>10.1f} {numbers['p90']:>8.1f} "
                f"{numbers['queries']:>8}"
            )


if __name__ == "__main__":
    main()
