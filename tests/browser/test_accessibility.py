"""axe-core over every public page and every state of the booking and newsletter flows, phone and desktop."""

import pytest

from tests.browser.axe import axe_violations
from tests.browser.staff_pages import staff_scene, staff_states

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_public_page_and_state_has_no_accessibility_violations(public_walk):
    assert {state.name: state.violations for state in public_walk if state.violations} == {}


def test_form_controls_and_open_calendar_days_stand_out_3_to_1_from_their_background(public_walk):
    """WCAG 1.4.11 for what axe-core leaves out: field and checkbox borders, the open days' marking."""
    assert {state.name: state.low_contrast_edges for state in public_walk if state.low_contrast_edges} == {}


def test_every_staff_page_and_admin_screen_has_no_accessibility_violations(live_server, page):
    found = {}
    for name, visit in staff_states(staff_scene()):
        visit(page, live_server.url)
        if violations := axe_violations(page):
            found[name] = violations
    assert found == {}, "\n".join(f"{name}: {line}" for name, lines in found.items() for line in lines)
