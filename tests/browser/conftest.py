"""Playwright driving Debian's Chromium against pytest-django's live_server.

Screenshots go to screenshots/ (ignored by git); look at them.
"""

import fcntl
import os
import pickle
from pathlib import Path

import pytest

from tests.browser.walk import walk_public_states

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make between page actions are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
VIEWPORTS = {"phone": {"width": 375, "height": 740}, "desktop": {"width": 1280, "height": 900}}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
        if "public_walk" in getattr(item, "fixturenames", ()):
            # With --dist loadgroup (.ci/test) the audits that read one walk run on one worker,
            # which then never waits for another to finish walking.
            item.add_marker(pytest.mark.xdist_group(f"public walk {item.callspec.params['viewport']}"))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `bash .ci/venv --dev` to install Debian's chromium.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request):
    return request.param


@pytest.fixture
def page(browser, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(page, viewport, request):
    """Save a full-page screenshot as screenshots/<test>-<viewport>-<name>.png."""
    SCREENSHOTS.mkdir(exist_ok=True)
    test_name = request.node.originalname

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{test_name}-{viewport}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def _walk_unless_started(browser, base_url: str, viewport: str, record: Path) -> bool:
    """Walk ``viewport`` into ``record`` unless it is walked or being walked; say whether this call walked."""
    with open(f"{record}.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        if record.exists():
            return False
        context = browser.new_context(viewport=VIEWPORTS[viewport])
        try:
            record.write_bytes(pickle.dumps(walk_public_states(context, base_url)))
        finally:
            context.close()
        return True


@pytest.fixture
def public_walk(browser, live_server, viewport, settings, tmp_path_factory, worker_id):
    """Every public page and state as one walk saw it in this viewport (see walk.py), walked once a run.

    The first test to ask walks, in its own database and browser context, and the scene it built
    goes with that test's flush; the record stays in the run's temporary directory, under a lock
    (pytest-xdist's recipe for work done once per run). A test whose viewport another xdist worker
    is walking walks a viewport nobody has started, if there is one, rather than wait idle; one
    walk at most, as its scene stays in the test's database.
    """
    run_dir = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        run_dir = run_dir.parent
    records = {name: run_dir / f"public-walk-{name}.pickle" for name in VIEWPORTS}
    # Playwright fills forms faster than any person; the minimum fill time has its own tests.
    settings.NEWSLETTER_MIN_FILL_SECONDS = 0
    for name in sorted(VIEWPORTS, key=lambda name: name != viewport):
        if records[viewport].exists() or _walk_unless_started(browser, live_server.url, name, records[name]):
            break
    with open(f"{records[viewport]}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # held by a worker still walking this viewport
    if not records[viewport].exists():
        pytest.fail(f"the {viewport} walk failed in another test")
    return pickle.loads(records[viewport].read_bytes())
