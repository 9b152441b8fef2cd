"""Polish a client notices: every public and staff page works at 320 px wide, and a confirmation prints with its details."""

import pytest

from tests.browser.public_pages import public_scene, public_states
from tests.browser.staff_pages import desk_states, staff_scene, staff_states

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _people_fill_forms_at_machine_speed_here(settings):
    settings.NEWSLETTER_MIN_FILL_SECONDS = 0


@pytest.fixture
def narrow_page(browser):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_no_public_page_scrolls_sideways_at_320_pixels(live_server, narrow_page):
    too_wide = {}
    for name, visit in public_states(public_scene()):
        visit(narrow_page, live_server.url)
        width = narrow_page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            too_wide[name] = width
    assert too_wide == {}


def test_no_staff_page_or_admin_screen_scrolls_sideways_at_320_pixels(live_server, narrow_page):
    scene = staff_scene()
    too_wide = {}
    for name, visit in staff_states(scene) + desk_states(scene):
        visit(narrow_page, live_server.url)
        width = narrow_page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            too_wide[name] = width
    assert too_wide == {}


def test_a_printed_confirmation_keeps_the_booking_details_and_drops_the_site_chrome(live_server, narrow_page):
    states = dict(public_states(public_scene()))
    states["book: confirmation"](narrow_page, live_server.url)
    narrow_page.emulate_media(media="print")
    main_text = narrow_page.locator("main").inner_text()
    assert narrow_page.locator("footer.site-footer").is_hidden()
    assert narrow_page.locator("header.site-header").is_hidden()
    assert narrow_page.locator("main").is_visible()
    assert any(word in main_text for word in ("booked", "Booked", "confirmed", "Confirmed"))
