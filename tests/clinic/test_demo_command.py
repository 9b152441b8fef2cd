"""`manage.py demo` as the README runs it: a real process with its site, worker and localstripe, stopped by Ctrl-C."""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
START_DEADLINE_SECONDS = 120
STOP_DEADLINE_SECONDS = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"manage.py demo exited with {process.returncode} before serving {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 (our own demo)
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"manage.py demo did not serve {url} within {START_DEADLINE_SECONDS} seconds")


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_demo_links_its_emails_to_its_own_address_and_ctrl_c_stops_every_process(tmp_path):
    port = free_port()
    database = tmp_path / "demo.sqlite3"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("STRIPE_", "SITE_URL"))}
    env.update(DJANGO_SETTINGS_MODULE="clinic.settings.base", DATABASE_URL=f"sqlite:///{database}")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "demo", "--addrport", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", process)
        with sqlite3.connect(database) as db:
            payloads = [row[0] for row in db.execute("SELECT payload FROM core_outgoingemail")]
        assert payloads, "the demo's bookings queued no confirmation emails"
        assert all("127.0.0.1:8000" not in payload for payload in payloads)
        assert any(f"http://127.0.0.1:{port}/book/manage/" in payload for payload in payloads)
        # Ctrl-C in a terminal sends SIGINT to the whole foreground group: the command, site, worker, localstripe.
        os.killpg(process.pid, signal.SIGINT)
        assert process.wait(timeout=STOP_DEADLINE_SECONDS) == 0
        deadline = time.monotonic() + STOP_DEADLINE_SECONDS
        while group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not group_alive(process.pid), "a site, worker or localstripe process outlived Ctrl-C"
    finally:
        if group_alive(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
