"""Start gunicorn on loopback, the one launcher the bench runs and the production smoke
(.ci/smoke_gunicorn.py) share; and drive it with wrk."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
LOG = ROOT / "tmp" / "bench-gunicorn.log"
PROBLEM = re.compile(r"\b(WARNING|ERROR|CRITICAL|Traceback)\b")


def bench_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "DATABASE_URL": database_url}
    env.update(extra)
    return env


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until(ready, *, what: str, process: subprocess.Popen, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with status {process.returncode} before it answered")
        try:
            if ready():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not answer within {seconds:.0f} s")


@contextmanager
def gunicorn(
    env: dict[str, str], *, port: int | None = None, workers: int = 4, threads: int = 1, log: Path = LOG
) -> Iterator[str]:
    """Run gunicorn on loopback until the block ends, once it answers /healthz; yields its base URL.

    Everything gunicorn and Django print goes to ``log`` (see ``log_problems``).
    """
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "clinic.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--worker-class",
                "sync" if threads == 1 else "gthread",
                "--threads",
                str(threads),
                "--keep-alive",
                "5",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )

        def healthy() -> bool:
            # As the proxy would say: production settings redirect plain HTTP to HTTPS.
            request = urllib.request.Request(base + "/healthz", headers={"X-Forwarded-Proto": "https"})
            with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
                return response.status == 200

        try:
            _wait_until(healthy, what=f"gunicorn (see {log})", process=process)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=20)


def log_problems(log: Path = LOG) -> list[str]:
    """Lines of a gunicorn log that report a warning, an error or a traceback."""
    if not log.exists():
        return []
    return [line for line in log.read_text().splitlines() if PROBLEM.search(line)]


WRK_LATENCY = re.compile(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)
UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


# Every request comes from its own client address (bench/settings.py trusts loopback as the proxy).
CLIENT_SCRIPT = """
request = function()
  wrk.headers["X-Forwarded-For"] = "10." .. math.random(0, 255) .. "." .. math.random(0, 255) .. "." .. math.random(1, 254)
  return wrk.format()
end
"""
# A returning visitor's CSRF cookie (any 32 letters and digits is a valid secret).
CSRF_COOKIE = "csrftoken=benchReturningVisitor0123456789x"


def wrk(
    url: str, *, seconds: int, connections: int, threads: int = 2, many_clients: bool = True, cookie: str = ""
) -> dict[str, float]:
    """Run wrk against one URL and return requests/s, p50 and p99 in ms, and errors."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    script = []
    if many_clients:
        path = ROOT / "tmp" / "bench-clients.lua"
        path.parent.mkdir(exist_ok=True)
        path.write_text(CLIENT_SCRIPT)
        script = ["-s", str(path)]
    if cookie:
        script += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(
        ["wrk", "--latency", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", *script, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    latencies = {pct: float(value) * UNIT[unit] for pct, value, unit in WRK_LATENCY.findall(output)}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output):
        errors += int(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        errors += sum(int(n) for n in match.groups())
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    return {"rps": rps, "p50": latencies["50"], "p99": latencies["99"], "errors": errors, "requests": requests}
