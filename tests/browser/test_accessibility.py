"""axe-core over every public page and every state of the booking and newsletter flows, phone and desktop."""

import pytest

from tests.browser.axe import axe_violations
from tests.browser.public_pages import public_scene, public_states

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _people_fill_forms_at_machine_speed_here(settings):
    settings.NEWSLETTER_MIN_FILL_SECONDS = 0


def test_every_public_page_and_state_has_no_accessibility_violations(live_server, audited_page):
    found = {}
    for name, visit in public_states(public_scene()):
        visit(audited_page, live_server.url)
        if violations := axe_violations(audited_page):
            found[name] = violations
    assert found == {}
