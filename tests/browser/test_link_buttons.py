"""Links drawn as buttons answer Space as well as Enter, on every page, not only in the booking steps."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_space_on_the_header_book_button_opens_the_booking_page(live_server, page):
    page.goto(live_server.url + "/")
    book = page.get_by_role("link", name="Book a session").first
    book.focus()
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"/book/$"))


def test_space_in_a_text_field_still_types_a_space(live_server, page):
    page.goto(live_server.url + "/")
    email = page.locator("footer").get_by_label(re.compile("email", re.I)).first
    email.focus()
    page.keyboard.type("a b")
    expect(email).to_have_value("a b")
    expect(page).to_have_url(live_server.url + "/")
