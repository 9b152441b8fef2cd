"""axe-core over every public page and every state of the booking and newsletter flows, phone and desktop."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_public_page_and_state_has_no_accessibility_violations(public_walk):
    assert {state.name: state.violations for state in public_walk if state.violations} == {}


def test_form_controls_and_open_calendar_days_stand_out_3_to_1_from_their_background(public_walk):
    """WCAG 1.4.11 for what axe-core leaves out: field and checkbox borders, the open days' marking."""
    assert {state.name: state.low_contrast_edges for state in public_walk if state.low_contrast_edges} == {}
