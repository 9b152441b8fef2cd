"""The newsletter's real flows in Chromium: subscribe (with and without JavaScript), confirm, unsubscribe."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from newsletter.models import Subscriber
from newsletter.sending import issue_send_start
from newsletter.services import CONSENT_TEXT, subscription_start
from tests.browser.conftest import SCREENSHOTS, VIEWPORTS
from tests.factories import IssueFactory, SubscriberFactory

ALMOST_THERE = "Almost there — check your inbox to confirm"
THANK_YOU = "Thank you! Your subscription has been confirmed. You'll hear from us soon."


@pytest.fixture(autouse=True)
def _people_fill_forms_at_machine_speed_here(settings):
    """Playwright types faster than any person; the minimum fill time has its own tests."""
    settings.NEWSLETTER_MIN_FILL_SECONDS = 0


@pytest.fixture
def no_js_page(browser, viewport, request):
    context = browser.new_context(viewport=VIEWPORTS[viewport], java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)

    def screenshot(name):
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{request.node.originalname}-{viewport}-{name}.png"), full_page=True)

    page.screenshot_as = screenshot
    yield page
    context.close()


def on_live_server(url: str, live_server) -> str:
    return url.replace("https://clinic.test", live_server.url)


def confirm_link(live_server) -> str:
    [message] = [m for m in mail.outbox if "confirm" in m.subject.lower()]
    return on_live_server(
        re.search(r"https://clinic\.test/newsletter/confirm/\S+/", message.body).group(0), live_server
    )


def test_subscribing_from_the_footer_with_javascript_stays_on_the_page(live_server, page, screenshot):
    foreign_requests = []
    page.on("request", lambda r: None if r.url.startswith(live_server.url) else foreign_requests.append(r.url))
    page.goto(live_server.url + "/")
    footer = page.locator("footer")
    footer.get_by_label("Email address").fill("walker@example.com")
    screenshot("filled")
    footer.get_by_role("button", name="Subscribe").click()
    expect(footer.get_by_role("status")).to_have_text(ALMOST_THERE)
    expect(page).to_have_url(live_server.url + "/")
    screenshot("almost-there")
    assert Subscriber.objects.get().email == "walker@example.com"
    assert len(mail.outbox) == 1
    assert foreign_requests == []


def test_the_footer_widget_shows_a_specific_error_in_place(live_server, page, screenshot):
    page.goto(live_server.url + "/")
    footer = page.locator("footer")
    footer.get_by_label("Email address").fill("walker@clinic")
    footer.get_by_role("button", name="Subscribe").click()
    expect(footer.get_by_role("status")).to_have_text("Enter a complete email address, like name@example.com.")
    expect(footer.get_by_label("Email address")).to_be_focused()
    expect(footer.get_by_label("Email address")).to_have_value("walker@clinic")
    screenshot("error")
    assert not Subscriber.objects.exists()


def test_subscribing_from_the_footer_without_javascript_shows_a_page(live_server, no_js_page):
    no_js_page.goto(live_server.url + "/")
    footer = no_js_page.locator("footer")
    footer.get_by_label("Email address").fill("walker@example.com")
    footer.get_by_role("button", name="Subscribe").click()
    expect(no_js_page).to_have_url(live_server.url + "/newsletter/subscribe/sent/")
    expect(no_js_page.get_by_role("heading", level=1)).to_have_text(ALMOST_THERE)
    no_js_page.screenshot_as("almost-there")
    no_js_page.reload()
    expect(no_js_page.get_by_role("heading", level=1)).to_have_text(ALMOST_THERE)
    assert Subscriber.objects.count() == 1
    assert Subscriber.objects.get().source_url == "https://clinic.test/"


def test_confirming_from_the_emails_link_confirms_automatically(live_server, page, screenshot):
    subscription_start(
        email="walker@example.com", source_url="https://clinic.test/", consent_text=CONSENT_TEXT, ip_address=None
    )
    page.goto(confirm_link(live_server))
    expect(page.locator("#confirm-status")).to_have_text(THANK_YOU)
    expect(page.get_by_role("heading", level=1)).to_have_text("Subscription confirmed")
    expect(page).to_have_title(re.compile(r"^Subscription confirmed · "))
    screenshot("confirmed")
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED


def test_confirming_without_javascript_takes_one_button(live_server, no_js_page):
    subscription_start(
        email="walker@example.com", source_url="https://clinic.test/", consent_text=CONSENT_TEXT, ip_address=None
    )
    no_js_page.goto(confirm_link(live_server))
    no_js_page.screenshot_as("button")
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING
    no_js_page.get_by_role("button", name="Confirm my subscription").click()
    expect(no_js_page.get_by_text(THANK_YOU)).to_be_visible()
    no_js_page.screenshot_as("confirmed")
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED


def test_an_expired_or_broken_link_explains_itself_and_offers_the_form(live_server, page, screenshot):
    page.goto(live_server.url + "/newsletter/confirm/not-a-real-token/")
    expect(page.get_by_role("heading", level=1)).to_have_text("We couldn't confirm with this link")
    expect(page.get_by_label("Email address")).to_be_visible()
    screenshot("invalid")


def test_unsubscribing_from_a_newsletters_link(live_server, page, screenshot):
    subscriber = SubscriberFactory(email="walker@example.com")
    issue_send_start(issue=IssueFactory(subject="Winter hours"))
    [message] = mail.outbox
    link = re.search(r'href="(https://clinic\.test/newsletter/unsubscribe/[^"]+)"', message.alternatives[0][0]).group(1)
    page.goto(on_live_server(link, live_server))
    screenshot("button")
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You're unsubscribed")
    screenshot("unsubscribed")
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
