"""Page-weight budget: no public page loads more than 120 KB on a first visit, before compression.

The site ships only the part of Bootstrap it uses (clinic/sass/bootstrap.scss) and no Bootstrap
script. The test server does not compress, so each response body is also gzipped, as the
production server sends it, for the record. The numbers go to screenshots/page-weights-<viewport>.txt
to be quoted.
"""

import pytest

from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)

BUDGET_BYTES = 120 * 1024


def test_every_public_page_weighs_at_most_120_kb_on_first_load(public_walk, viewport):
    weights = {state.name: state.first_load for state in public_walk if state.first_load is not None}
    SCREENSHOTS.mkdir(exist_ok=True)
    lines = [
        f"{raw / 1024:7.1f} KB  {gzipped / 1024:6.1f} KB gzip  {count:3d} requests  {name}"
        for name, (raw, gzipped, count) in weights.items()
    ]
    (SCREENSHOTS / f"page-weights-{viewport}.txt").write_text("\n".join(lines) + "\n")
    print(f"\nPage weights ({viewport}, as served and gzipped):\n" + "\n".join(lines))
    assert {name: raw for name, (raw, _, _) in weights.items() if raw > BUDGET_BYTES} == {}
