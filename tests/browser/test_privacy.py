"""Private by construction: every public page loads only from our own origin and sets no tracking cookies."""

import pytest

from tests.browser.public_pages import public_scene, public_states

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _people_fill_forms_at_machine_speed_here(settings):
    settings.NEWSLETTER_MIN_FILL_SECONDS = 0


def test_no_public_page_or_state_requests_anything_from_another_origin(live_server, page):
    foreign = []
    page.on(
        "request",
        lambda request: None if request.url.startswith(live_server.url + "/") else foreign.append(request.url),
    )
    for _name, visit in public_states(public_scene()):
        visit(page, live_server.url)
        page.wait_for_load_state("networkidle")
    assert foreign == []


def test_an_anonymous_visitor_gets_only_the_cookies_the_forms_they_use_need(live_server, page):
    first_set = {}
    for name, visit in public_states(public_scene()):
        visit(page, live_server.url)
        for cookie in page.context.cookies():
            first_set.setdefault(cookie["name"], name)
    assert first_set == {"csrftoken": "book: details", "sessionid": "book: confirmation"}
