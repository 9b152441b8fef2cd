import re

from playwright.sync_api import expect

from tests.factories import ServiceFactory, TherapistFactory


def show_main_navigation(page, viewport):
    """On a phone, unfold the main navigation from its "Menu" disclosure (it needs no script)."""
    if viewport == "phone":
        page.locator("summary", has_text="Menu").click()
        expect(page.locator("#main-nav")).to_be_visible()


def test_home_page_loads_and_navigation_works(live_server, page, screenshot, viewport):
    ServiceFactory(name="Sports massage", slug="sports-massage")
    TherapistFactory(name="Maya Okafor", slug="maya-okafor", credentials="LMT, E-RYT 500")
    foreign_requests = []
    page.on("request", lambda r: None if r.url.startswith(live_server.url) else foreign_requests.append(r.url))

    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_text("Sports massage").first).to_be_visible()
    screenshot("home")

    nav = page.get_by_role("navigation", name="Main")
    show_main_navigation(page, viewport)
    nav.get_by_role("link", name="Our therapists").click()
    expect(page).to_have_url(re.compile(r"/therapists/$"))
    expect(page.get_by_role("heading", name="Our therapists", level=1)).to_be_visible()
    page.get_by_role("link", name="Maya Okafor", exact=True).click()
    expect(page.get_by_role("heading", name="Maya Okafor", level=1)).to_be_visible()
    screenshot("therapist")

    show_main_navigation(page, viewport)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Blog").click()
    expect(page).to_have_url(re.compile(r"/blog/$"))
    assert foreign_requests == []


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(live_server, page, viewport):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
