"""What a visitor waits for on a miss: every public page of the big clinic, uncached beside cached.

    .venv/bin/python bench/speed.py                         # builds clinic_perf_speed, then measures
    .venv/bin/python bench/speed.py --reuse                 # measures the database an earlier run built
    .venv/bin/python bench/speed.py --reuse --against main~5   # the same run on another commit too, side by side

In-process, one request at a time, through Django's WSGI handler with the production settings
(bench.settings), PostgreSQL and Redis (``REDIS_URL``, default ``redis://127.0.0.1:6379/13``).
Each page is asked for ``--runs`` times, interleaved with the others so a busy moment on a shared
machine falls on every page alike, in three ways:

- uncached: the public page cache off, every request runs its view; the blog's cached fragments
  (sidebar, page counts) warm, as they nearly always are;
- cold: the same, with every cache the page reads forgotten before each request;
- cached: the public page cache on and holding the page (what most visitors get).

Queries are counted on every request; the table shows the most any request needed (constant means
the same in every run). ``/healthz`` is the floor: a request that reads one row and renders no
template. ``--against REF`` checks REF out into a temporary worktree, measures it against the same
database in alternating rounds with this tree, and prints a before/after table.
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

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bigclinic  # noqa: E402

ROOT = HERE.parent
DATABASE = "clinic_perf_speed"
REDIS = "redis://127.0.0.1:6379/13"
MODES = ("uncached", "cold", "cached")
#: (label, key in bigclinic.describe()); the last is the floor.
PAGES = [
    ("home page", "home"),
    ("/blog/", "blog"),
    ("a post", "post"),
    ("a tag page", "tag"),
    ("/book/", "book"),
    ("availability, month, any", "availability"),
    ("availability, month, one", "availability_one"),
    ("/healthz (floor)", "healthz"),
]
#: The issue's targets for a miss, in ms (median, page cache off).
TARGETS = {"availability": 15.0, "availability_one": 15.0, "healthz": None}
PAGE_TARGET = 6.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


class Visitor:
    """Requests through Django's WSGI handler in this process (Django set up), as gunicorn would make them."""

    def __init__(self):
        from django.core.handlers.wsgi import WSGIHandler
        from django.test import RequestFactory

        self.handler = WSGIHandler()
        self.factory = RequestFactory()
        self.sent = 0
        self.cpu_ms = 0.0  # this process's CPU time for the last request: what a busy machine cannot inflate much

    def get(self, url: str, *, count: bool = False) -> tuple[float, int]:
        """Ask for ``url``; returns the ms it took and, with ``count``, the queries it made."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        path, _, query = url.partition("?")
        n = self.sent = self.sent + 1
        # Every request from its own address, so the production rate limits never answer 429.
        environ = self.factory._base_environ(
            PATH_INFO=path,
            QUERY_STRING=query,
            REQUEST_METHOD="GET",
            SERVER_NAME="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"10.{n // 62500 % 250}.{n // 250 % 250}.{n % 250 + 1}",
        )
        status = []
        captured = CaptureQueriesContext(connection) if count else None
        if captured is not None:
            captured.__enter__()
        started, cpu_started = time.perf_counter(), time.thread_time()
        result = self.handler(environ, lambda code, headers, *_: status.append(code))
        b"".join(result)
        result.close()
        elapsed = (time.perf_counter() - started) * 1000
        self.cpu_ms = (time.thread_time() - cpu_started) * 1000
        if captured is not None:
            captured.__exit__(None, None, None)
        if not status[0].startswith("200"):
            raise SystemExit(f"{url} answered {status[0]}")
        return elapsed, len(captured.captured_queries) if captured is not None else 0


def caches_forget() -> None:
    """Forget every cached page and the fragments kept with them (an older tree's own blog fragments too)."""
    from core.httpcache import PUBLIC_VIEWS, pages_changed

    pages_changed(*sorted({label for view in PUBLIC_VIEWS.values() for label in view.depends_on}))
    try:
        from blog.selectors import blog_cache_forget
    except ImportError:
        return
    blog_cache_forget()


def pages_all() -> dict[str, str]:
    return {**bigclinic.describe(), "healthz": "/healthz"}


def measure(runs: int, tree: str) -> dict:
    """In this process (Django set up): time every page in every mode; returns raw timings and query counts."""
    from django.conf import settings

    visitor = Visitor()
    pages = pages_all()
    request, forget = visitor.get, caches_forget

    timings = {mode: {key: [] for key in pages} for mode in MODES}
    cpu = {key: [] for key in pages}
    queries = {mode: {key: set() for key in pages} for mode in MODES}
    for mode in MODES:
        settings.PUBLIC_PAGE_CACHE = mode == "cached"
        for url in pages.values():  # imports, templates, connections, and the caches a mode keeps warm
            request(url, count=False)
            request(url, count=False)
        for run in range(runs):
            # Time most requests bare; count queries on every fourth (capturing them costs time too).
            count = run % 4 == 3
            for key, url in pages.items():
                if mode == "cold":
                    forget()
                elapsed, number = request(url, count=count)
                if count:
                    queries[mode][key].add(number)
                else:
                    timings[mode][key].append(elapsed)
                    if mode == "uncached":
                        cpu[key].append(visitor.cpu_ms)
    return {
        "timings": timings,
        "cpu": cpu,
        "queries": {mode: {key: sorted(found) for key, found in by.items()} for mode, by in queries.items()},
        "pages": pages,
        "counts": bigclinic.counts(),
        "commit": subprocess.run(
            ["git", "-C", tree, "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip(),
    }


def profile(key: str, runs: int, *, cold: bool) -> None:
    """In this process: cProfile ``runs`` uncached requests for one page and print where the time went."""
    import cProfile
    import pstats

    from django.conf import settings

    settings.PUBLIC_PAGE_CACHE = False
    visitor = Visitor()
    url = pages_all()[key]
    for _ in range(3):
        visitor.get(url)
    profiler = cProfile.Profile()
    for _ in range(runs):
        if cold:
            caches_forget()
        profiler.enable()
        visitor.get(url)
        profiler.disable()
    stats = pstats.Stats(profiler).strip_dirs()
    print(f"{url}: {runs} requests{' (cold)' if cold else ''}; per request, cumulative then own time")
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)


def explain(key: str, *, cold: bool) -> None:
    """In this process: run one uncached request for a page and EXPLAIN ANALYZE every query it made."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PUBLIC_PAGE_CACHE = False
    visitor = Visitor()
    url = pages_all()[key]
    visitor.get(url)
    if cold:
        caches_forget()
    with CaptureQueriesContext(connection) as captured:
        visitor.get(url)
    print(f"{url}: {len(captured.captured_queries)} queries{' (cold)' if cold else ''}")
    for number, query in enumerate(captured.captured_queries, 1):
        print(f"\n--- query {number} ({float(query['time']) * 1000:.2f} ms as run): {query['sql'][:600]}")
        with connection.cursor() as cursor:
            # The captured text has its parameters in place; it came from our own queries.
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            for (line,) in cursor.fetchall():
                print("    " + line)


def child(tree: Path, url: str, runs: int, env: dict) -> dict:
    """Measure the Django project in ``tree`` (this tree or another commit's) in its own process."""
    output = subprocess.run(
        [sys.executable, __file__, "--measure", url, "--runs", str(runs), "--tree", str(tree)],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tree,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def merged(results: list[dict]) -> dict:
    first = results[0]
    for later in results[1:]:
        for mode in MODES:
            for key in first["timings"][mode]:
                first["timings"][mode][key] += later["timings"][mode][key]
                first["queries"][mode][key] = sorted({*first["queries"][mode][key], *later["queries"][mode][key]})
        for key in first["cpu"]:
            first["cpu"][key] += later["cpu"][key]
    return first


def summary(result: dict) -> dict:
    numbers = {
        mode: {
            key: {
                "median": statistics.median(values),
                "p90": percentile(values, 0.9),
                "queries": result["queries"][mode][key],
            }
            for key, values in by.items()
        }
        for mode, by in result["timings"].items()
    }
    for key, values in result["cpu"].items():
        numbers["uncached"][key]["cpu"] = statistics.median(values)
    return numbers


def queries_text(found: list[int]) -> str:
    return str(found[0]) if len(found) == 1 else f"{found[0]}-{found[-1]}!"


def print_table(title: str, numbers: dict) -> None:
    print(title)
    header = (
        f"{'page':<26} {'uncached ms':>11} {'p90':>6} {'cpu':>6} {'queries':>7}   {'cold ms':>8} {'queries':>7}   "
        f"{'cached ms':>9} {'p90':>6} {'queries':>7}  target (uncached median)"
    )
    print(header)
    print("-" * len(header))
    for label, key in PAGES:
        miss, cold, hit = (numbers[mode][key] for mode in MODES)
        target = TARGETS.get(key, PAGE_TARGET)
        verdict = "" if target is None else f"<= {target:g} ms {'met' if miss['median'] <= target else 'MISSED'}"
        print(
            f"{label:<26} {miss['median']:>11.2f} {miss['p90']:>6.2f} {miss['cpu']:>6.2f} {queries_text(miss['queries']):>7}   "
            f"{cold['median']:>8.2f} {queries_text(cold['queries']):>7}   "
            f"{hit['median']:>9.2f} {hit['p90']:>6.2f} {queries_text(hit['queries']):>7}  {verdict}"
        )
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="measure the database an earlier run built")
    parser.add_argument("--name", default=DATABASE, help=f"database name (default {DATABASE})")
    parser.add_argument("--runs", type=int, default=200, help="requests per page and mode, in all")
    parser.add_argument("--rounds", type=int, default=4, help="processes the runs are split over (alternating trees)")
    parser.add_argument("--against", metavar="REF", help="also measure this commit, for a before/after table")
    parser.add_argument(
        "--profile", metavar="PAGE", help="cProfile one page (home, blog, post, tag, book, availability, …)"
    )
    parser.add_argument("--explain", metavar="PAGE", help="EXPLAIN ANALYZE every query one page makes")
    parser.add_argument(
        "--cold", action="store_true", help="with --profile or --explain: forget the caches before each request"
    )
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # internal: measure in this process
    parser.add_argument("--tree", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("REDIS_URL", REDIS)
    os.environ.setdefault("EMAIL_URL", "consolemail://")

    if args.profile or args.explain:
        os.environ.setdefault("STATIC_ROOT", tempfile.mkdtemp(prefix="clinic-speed-static-"))
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "PUBLIC_PAGE_CACHE": "false"}
        env["DATABASE_URL"] = bigclinic.database_url(args.name, sqlite=False)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )
        os.environ.update(env)
        bigclinic.setup(env["DATABASE_URL"])
        if args.explain:
            explain(args.explain, cold=args.cold)
        else:
            profile(args.profile, min(args.runs, 100), cold=args.cold)
        return
    if args.measure:
        # That tree's project (and its bench.settings), which may be another commit's.
        sys.path.insert(0, args.tree)
        os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
        os.environ["DATABASE_URL"] = args.measure
        import django

        django.setup()
        print(json.dumps(measure(args.runs, args.tree)))
        return

    url = bigclinic.database_url(args.name, sqlite=False)
    if not args.reuse:
        subprocess.run([sys.executable, str(HERE / "bigclinic.py"), "--name", args.name], check=True, cwd=ROOT)
    trees = {"this tree": ROOT}
    worktree = None
    if args.against:
        worktree = Path(tempfile.mkdtemp(prefix="clinic-speed-before-"))
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(worktree), args.against], check=True)
        (worktree / ".venv").symlink_to((ROOT / ".venv").resolve())
        trees = {args.against: worktree, "this tree": ROOT}
    try:
        envs = {}
        for name, tree in trees.items():
            # The pages name hashed static files: each tree needs its own collected manifest.
            static_root = tempfile.mkdtemp(prefix="clinic-speed-static-")
            envs[name] = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "bench.settings",
                "DATABASE_URL": url,
                "STATIC_ROOT": static_root,
                "PUBLIC_PAGE_CACHE": "false",
            }
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=tree, env=envs[name], check=True
            )
        per_round = max(4, args.runs // args.rounds)
        results = {name: [] for name in trees}
        loads = []
        for _ in range(args.rounds):
            for name, tree in trees.items():
                results[name].append(child(tree, url, per_round, envs[name]))
                loads.append(os.getloadavg()[0])
    finally:
        if worktree is not None:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)], check=True)

    numbers = {name: summary(merged(found)) for name, found in results.items()}
    first = next(iter(results.values()))[0]
    load = os.getloadavg()
    print()
    print(
        f"PostgreSQL + Redis, production settings (bench.settings), in-process WSGI, one request at a time; "
        f"{per_round * args.rounds} requests per page and mode ({args.rounds} rounds)"
    )
    print("data: " + ", ".join(f"{value:,} {name}" for name, value in first["counts"].items()))
    print(
        f"load average during the rounds {min(loads):.2f}-{max(loads):.2f}, after {load[0]:.2f} {load[1]:.2f} "
        f"{load[2]:.2f} (2 cores, shared)"
    )
    print()
    for name, found in results.items():
        print_table(f"{name} ({found[0]['commit']}): median and p90 ms, queries per request", numbers[name])
    if len(trees) == 2:
        before, after = numbers[args.against], numbers["this tree"]
        print("before -> after: median ms (queries per request); cpu: this process's CPU ms per uncached request")
        header = f"{'page':<26} {'uncached':>24} {'cpu':>16} {'cold':>24} {'cached':>20}"
        print(header)
        print("-" * len(header))
        for label, key in PAGES:
            cells = []
            for mode in MODES:
                old, new = before[mode][key], after[mode][key]
                cells.append(
                    f"{old['median']:.2f} ({queries_text(old['queries'])}) -> {new['median']:.2f} "
                    f"({queries_text(new['queries'])})"
                )
            old_cpu, new_cpu = before["uncached"][key]["cpu"], after["uncached"][key]["cpu"]
            cells.insert(1, f"{old_cpu:.2f} -> {new_cpu:.2f}")
            print(f"{label:<26} {cells[0]:>24} {cells[1]:>16} {cells[2]:>24} {cells[3]:>20}")
        print()
    for key, path in first["pages"].items():
        print(f"  {key}: {path}")


if __name__ == "__main__":
    main()
