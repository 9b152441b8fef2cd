"""localstripe, the stateful stand-in for Stripe that the demo and the tests run on this machine.

``python -m payments.fakestripe`` starts it on a free port and prints its address on the first
line once it answers (SIGTERM stops it); ``localstripe_start`` does the same from Python and waits
(polling, with a deadline) until it answers. The server forgets everything when it stops: its store is never written to or
read from disk (localstripe would otherwise share one file in /tmp between every instance).
"""

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

READY_TIMEOUT_SECONDS = 30


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Localstripe:
    process: subprocess.Popen
    api_base: str

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def wait_ready(api_base: str, *, process: subprocess.Popen | None = None, timeout: float = READY_TIMEOUT_SECONDS):
    """Poll the server's Stripe.js stand-in until it answers; raise if it dies or the deadline passes."""
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"localstripe exited with status {process.returncode}")
        try:
            # api_base is the http:// address this module built, never input from outside.
            with urllib.request.urlopen(f"{api_base}/js.stripe.com/v3/", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"localstripe did not answer at {api_base} within {timeout} seconds")
        time.sleep(delay)
        delay = min(delay * 2, 0.25)


def localstripe_start(*, port: int = 0, log=subprocess.DEVNULL) -> Localstripe:
    """Start localstripe on ``port`` (0: a free one) and return once it answers."""
    port = port or free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "payments.fakestripe", "--serve", "--port", str(port)],
        stdout=log,
        stderr=log,
        stdin=subprocess.DEVNULL,
    )
    api_base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(api_base, process=process)
    except RuntimeError:
        process.kill()
        raise
    return Localstripe(process=process, api_base=api_base)


def _serve(port: int) -> None:
    from aiohttp import web
    from localstripe import resources

    resources.Store.dump_to_disk = lambda self: None
    from localstripe.server import app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    web.run_app(app, sock=sock, access_log=None, print=None)


def main() -> None:
    parser = argparse.ArgumentParser(description="Run localstripe for the demo or the tests.")
    parser.add_argument("--port", type=int, default=0, help="0 (the default): a free port")
    parser.add_argument("--serve", action="store_true", help="serve without announcing the address")
    args = parser.parse_args()
    port = args.port or free_port()
    if not args.serve:
        # One process: the server runs here, and a thread prints the address once it answers,
        # so whoever started us can read the first line and stop us with a plain SIGTERM.
        api_base = f"http://127.0.0.1:{port}"
        threading.Thread(target=_announce, args=(api_base,), daemon=True).start()
    _serve(port)


def _announce(api_base: str) -> None:
    try:
        wait_ready(api_base)
    except RuntimeError as error:
        print(error, file=sys.stderr, flush=True)
        os._exit(1)
    print(api_base, flush=True)


if __name__ == "__main__":
    main()
