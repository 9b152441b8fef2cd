"""Page-weight budget: no public page transfers more than 300 KB on first load, compressed.

The test server does not compress, so each response body is gzipped, as the production server
sends it. The numbers go to screenshots/page-weights-<viewport>.txt to be quoted.
"""

import pytest

from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)

BUDGET_BYTES = 300 * 1024


def test_every_public_page_weighs_at_most_300_kb_compressed_on_first_load(public_walk, viewport):
    weights = {state.name: state.first_load for state in public_walk if state.first_load is not None}
    SCREENSHOTS.mkdir(exist_ok=True)
    lines = [f"{bytes_ / 1024:7.1f} KB  {count:3d} requests  {name}" for name, (bytes_, count) in weights.items()]
    (SCREENSHOTS / f"page-weights-{viewport}.txt").write_text("\n".join(lines) + "\n")
    print(f"\nPage weights ({viewport}, gzip):\n" + "\n".join(lines))
    assert {name: size for name, (size, _) in weights.items() if size > BUDGET_BYTES} == {}
