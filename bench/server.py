"""Start gunicorn, and nginx in front of it, on loopback: the launchers the bench runs and the
production smoke (.ci/smoke_gunicorn.py) share; and drive them with wrk."""

import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
LOG = ROOT / "tmp" / "bench-gunicorn.log"
#: The nginx configuration README.md prescribes; ``nginx()`` runs it with loopback ports and temporary folders.
NGINX_CONF = ROOT / "docs" / "nginx.conf"
PROBLEM = re.compile(r"\b(WARNING|ERROR|CRITICAL|Traceback)\b|\[(warn|error|crit|alert|emerg)\]")


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
    """Lines of a gunicorn or nginx log that report a warning, an error or a traceback."""
    if not log.exists():
        return []
    return [line for line in log.read_text().splitlines() if PROBLEM.search(line)]


@dataclass(frozen=True)
class Proxy:
    base: str
    port: int
    certificate: Path  # self-signed for 127.0.0.1: trust it to check TLS, as a browser would a real one
    error_log: Path
    access_log: Path

    def tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.certificate)


def nginx_site(*, upstream: str, port: int, media_root: Path, folder: Path, certificate: Path, key: Path) -> str:
    """docs/nginx.conf with this run's addresses and folders in place of the production ones."""
    text = NGINX_CONF.read_text()
    for production, here in {
        "server 127.0.0.1:8000;": f"server {upstream};",
        "listen 443 ssl": f"listen 127.0.0.1:{port} ssl",
        "server_name clinic.example;": "server_name 127.0.0.1;",
        "/etc/letsencrypt/live/clinic.example/fullchain.pem": str(certificate),
        "/etc/letsencrypt/live/clinic.example/privkey.pem": str(key),
        "alias /srv/clinic/media/;": f"alias {media_root}/;",
        "proxy_cache_path /var/cache/nginx/clinic ": f"proxy_cache_path {folder / 'cache'} ",
    }.items():
        if text.count(production) != 1:
            raise RuntimeError(f"docs/nginx.conf no longer says {production!r} once; update bench/server.py")
        text = text.replace(production, here)
    return text


NGINX_MAIN = """\
{user}worker_processes 2;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/clinic.conf;
}}
"""


@contextmanager
def nginx(upstream: str, *, media_root: Path, port: int | None = None) -> Iterator[Proxy]:
    """Debian's nginx with docs/nginx.conf in front of ``upstream`` (host:port), on a loopback port with a
    self-signed certificate, until the block ends. Its own folder holds the configuration, cache and logs."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise SystemExit("nginx is missing: apt-get install nginx")
    port = port or free_port()
    folder = Path(tempfile.mkdtemp(prefix="clinic-nginx-"))
    certificate, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(certificate)],
        check=True,
        capture_output=True,
    )
    (folder / "clinic.conf").write_text(
        nginx_site(upstream=upstream, port=port, media_root=media_root, folder=folder, certificate=certificate, key=key)
    )
    # Run as root (CI), the workers would become "nobody", who cannot read these private folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(NGINX_MAIN.format(user=user, folder=folder))
    proxy = Proxy(f"https://127.0.0.1:{port}", port, certificate, folder / "error.log", folder / "access.log")
    with (folder / "stderr.log").open("w") as output:
        process = subprocess.Popen(
            [binary, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", str(proxy.error_log)]
            + ["-g", "daemon off;"],
            stdout=output,
            stderr=subprocess.STDOUT,
        )

        def listening() -> bool:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True

        try:
            _wait_until(listening, what=f"nginx (see {folder}/stderr.log)", process=process)
            yield proxy
        finally:
            process.terminate()
            process.wait(timeout=20)


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


#: Each process group whose CPU time ``cpu_seconds`` adds up: how to tell its processes in /proc.
CPU_GROUPS = {
    "app": lambda command, name: "gunicorn" in command,
    "postgres": lambda command, name: name == "postgres",
    "redis": lambda command, name: name.startswith("redis-server"),
}


def cpu_seconds() -> dict[int, tuple[str, float]]:
    """Each process of a ``CPU_GROUPS`` group on this machine: its group, and the CPU time (user and system)
    it has used so far. ``cpu_used`` tells what they used between two of these."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            stat = (entry / "stat").read_text()
        except OSError:  # it ended meanwhile
            continue
        name, fields = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :].split()
        for group, belongs in CPU_GROUPS.items():
            if belongs(command, name):
                found[int(entry.name)] = (group, (int(fields[11]) + int(fields[12])) / ticks)  # utime, stime
    return found


def cpu_used(before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]]) -> dict[str, float]:
    """CPU seconds each group used from ``before`` to ``after``: a process that ended meanwhile took its
    time with it, so only those still there count (with all of the time of any that started)."""
    used = dict.fromkeys(CPU_GROUPS, 0.0)
    for pid, (group, seconds) in after.items():
        earlier = before.get(pid)
        used[group] += seconds - (earlier[1] if earlier and earlier[0] == group else 0.0)
    return used
