"""Page-weight budget: no public page transfers more than 300 KB on first load, compressed.

The test server does not compress, so each response body is gzipped here, as the production
server sends it. The numbers go to screenshots/page-weights-<viewport>.txt to be quoted.
"""

import gzip

import pytest

from tests.browser.conftest import SCREENSHOTS, VIEWPORTS
from tests.browser.public_pages import public_scene, public_states

pytestmark = pytest.mark.django_db(transaction=True)

BUDGET_BYTES = 300 * 1024


def first_load_bytes(browser, viewport, url) -> tuple[int, int]:
    """(gzip-compressed bytes, request count) of loading ``url`` with an empty cache."""
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    responses = []
    try:
        page = context.new_page()
        page.on("response", lambda response: responses.append(response))
        page.goto(url)
        page.wait_for_load_state("networkidle")
        sizes = [
            len(gzip.compress(response.body(), compresslevel=6))
            for response in responses
            if not 300 <= response.status < 400
        ]
    finally:
        context.close()
    return sum(sizes), len(sizes)


def test_every_public_page_weighs_at_most_300_kb_compressed_on_first_load(live_server, browser, viewport):
    weights = {}
    for name, visit in public_states(public_scene()):
        if path := getattr(visit, "path", None):
            weights[name] = first_load_bytes(browser, viewport, live_server.url + path)
    SCREENSHOTS.mkdir(exist_ok=True)
    lines = [f"{bytes_ / 1024:7.1f} KB  {count:3d} requests  {name}" for name, (bytes_, count) in weights.items()]
    (SCREENSHOTS / f"page-weights-{viewport}.txt").write_text("\n".join(lines) + "\n")
    print(f"\nPage weights ({viewport}, gzip):\n" + "\n".join(lines))
    assert {name: size for name, (size, _) in weights.items() if size > BUDGET_BYTES} == {}
