"""Private by construction: every public page loads only from our own origin and sets no tracking cookies."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_no_public_page_or_state_requests_anything_from_another_origin(public_walk):
    assert {state.name: state.foreign_requests for state in public_walk if state.foreign_requests} == {}


def test_an_anonymous_visitor_gets_only_the_cookies_the_forms_they_use_need(public_walk):
    first_set = {cookie: state.name for state in public_walk for cookie in state.cookies_set}
    assert first_set == {"csrftoken": "book: details", "sessionid": "book: confirmation"}
