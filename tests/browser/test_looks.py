"""Things that looked broken: a focus ring on arrival, a menu button that did nothing without JavaScript."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, VIEWPORTS
from tests.browser.public_pages import public_scene

pytestmark = pytest.mark.django_db(transaction=True)

OUTLINE = "element => getComputedStyle(element).outlineStyle + ' ' + getComputedStyle(element).outlineWidth"


@pytest.mark.parametrize("viewport", ["desktop"])
def test_a_step_heading_focused_on_arrival_shows_no_ring_and_keyboard_focus_still_does(live_server, page):
    public_scene()
    page.goto(live_server.url + "/book/")
    page.wait_for_load_state("load")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_be_focused()
    assert heading.evaluate(OUTLINE) in ("none 0px", "none 3px")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "A"
    assert page.evaluate(f"({OUTLINE})(document.activeElement)") == "solid 3px"


def test_the_phone_menu_opens_and_closes_without_javascript(live_server, browser):
    public_scene()
    context = browser.new_context(viewport=VIEWPORTS["phone"], java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    navigation = page.get_by_role("navigation", name="Main")
    blog = navigation.get_by_role("link", name="Blog")
    expect(blog).to_be_hidden()

    navigation.locator("summary", has_text="Menu").click()
    expect(blog).to_be_visible()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "test_looks-phone-menu-open-without-javascript.png"))
    blog.click()
    expect(page).to_have_url(live_server.url + "/blog/")

    page.get_by_role("navigation", name="Main").locator("summary", has_text="Menu").click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Our therapists")).to_be_visible()
    page.get_by_role("navigation", name="Main").locator("summary", has_text="Menu").click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Our therapists")).to_be_hidden()
    context.close()


@pytest.mark.parametrize("viewport", ["desktop"])
def test_the_desktop_menu_shows_its_links_without_a_toggle(live_server, page):
    public_scene()
    page.goto(live_server.url + "/")
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_role("link", name="Our therapists")).to_be_visible()
    expect(navigation.locator("summary", has_text="Menu")).to_be_hidden()
