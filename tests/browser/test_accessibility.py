"""axe-core over every public page and every state of the booking and newsletter flows, phone and desktop."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_public_page_and_state_has_no_accessibility_violations(public_walk):
    assert {state.name: state.violations for state in public_walk if state.violations} == {}
