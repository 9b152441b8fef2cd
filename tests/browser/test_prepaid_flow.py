"""Packages and gift cards in Chromium, against localstripe: buy a package and book twice with it; buy a gift
card and pay part of a session with it. Every page on the way is audited with axe (localstripe's stand-in
card fields, which the real Stripe draws in its own frame, are left out of the audit)."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings.services import ClientDetails, appointment_book
from bookings.tokens import manage_token
from payments.prepaid_models import GiftCard, PackagePurchase
from tests.browser.axe import axe_violations
from tests.browser.staff_pages import PASSWORD, sign_in_as
from tests.factories import StaffUserFactory, clinic_with_hours
from tests.payments.conftest import (  # noqa: F401 - the localstripe fixtures
    localstripe_base,
    stripe_on,
    webhook_secret,
)
from tests.payments.prepaid_scene import package_make

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("stripe_on")]
VISA = "4242424242424242"


def audited(page):
    """axe's findings on the page, leaving out localstripe's bare stand-in inputs inside #card-element."""
    return [line for line in axe_violations(page) if "#card-element" not in line]


def enter_card(page, number=VISA):
    field = page.locator("#card-element")
    field.get_by_placeholder("number").fill(number)
    field.get_by_placeholder("exp_month").fill("12")
    field.get_by_placeholder("exp_year").fill("34")
    field.get_by_placeholder("cvc").fill("123")
    field.get_by_placeholder("postal_code").fill("02139")


@pytest.fixture
def clinic():
    service, (therapist,), _ = clinic_with_hours(
        start=time(9), end=time(17), duration_minutes=60, name="Deep tissue massage", slug="deep-tissue"
    )
    day = timezone.localdate() + timedelta(days=4)

    def book(hour):
        details = ClientDetails(name="Ana Silva", email="ana@example.com", phone="1", consent=True)
        starts_at = timezone.make_aware(datetime.combine(day, time(hour))).astimezone(UTC)
        return appointment_book(service=service, therapist=therapist, starts_at=starts_at, client=details)

    return service, book


def test_a_package_bought_online_pays_for_two_bookings(live_server, page, screenshot, clinic):
    service, book = clinic
    package_make(sessions=5, price=40_000, services=[service])
    page.goto(f"{live_server.url}/payments/packages/")
    expect(page.get_by_role("heading", name="Packages")).to_be_visible()
    assert audited(page) == []
    screenshot("packages")
    page.get_by_role("link", name="Buy 5 × 60-minute massage").click()
    page.get_by_label("Your name").fill("Ana Silva")
    page.get_by_label("Your email").fill("ana@example.com")
    page.get_by_role("button", name="Go to payment").click()
    expect(page.get_by_text("Due now: $400.00")).to_be_visible()
    expect(page.locator("#card-element input").first).to_be_visible()
    assert audited(page) == []
    enter_card(page)
    screenshot("pay")
    page.get_by_role("button", name="Pay $400.00").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert audited(page) == []
    screenshot("bought")
    code = page.locator("[data-package-code]").inner_text()
    assert code == PackagePurchase.objects.get().code

    for hour, left in [(10, 4), (13, 3)]:
        appointment = book(hour)
        page.goto(f"{live_server.url}/book/manage/{manage_token(appointment)}/")
        page.get_by_text("Use a credit from my package").click()
        page.get_by_label("The email address the package was bought with").fill("ana@example.com")
        page.get_by_label("Package code").fill(code.lower().replace("-", " "))
        page.get_by_role("button", name="Use one credit").click()
        expect(page.get_by_text(f"{left} of 5 credits left").first).to_be_visible()
    assert audited(page) == []
    screenshot("second-booking-paid")
    assert PackagePurchase.objects.get().credits_left == 3


def test_a_gift_card_bought_online_pays_part_of_a_session(live_server, page, screenshot, clinic, mailoutbox):
    _, book = clinic
    page.goto(f"{live_server.url}/payments/gift-cards/")
    page.get_by_label("Amount").fill("120")
    page.get_by_label("Your name").fill("Bea Costa")
    page.get_by_label("Your email").fill("bea@example.com")
    page.get_by_label("Their name").fill("Ana Silva")
    page.get_by_label("Their email").fill("ana@example.com")
    page.get_by_label("A message for them (optional)").fill("Happy birthday!")
    assert audited(page) == []
    screenshot("gift-form")
    page.get_by_role("button", name="Go to payment").click()
    expect(page.get_by_text("Due now: $120.00")).to_be_visible()
    enter_card(page)
    page.get_by_role("button", name="Pay $120.00").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    card = GiftCard.objects.get()
    (delivery,) = [message for message in mailoutbox if message.to == ["ana@example.com"]]
    code = re.search(r"code: (\S+)", delivery.body).group(1)
    assert code == card.code

    appointment = book(11)
    page.goto(f"{live_server.url}/book/manage/{manage_token(appointment)}/")
    page.get_by_text("Pay with a gift card").click()
    page.get_by_label("Gift card code").fill(code)
    page.get_by_role("button", name="Use the gift card").click()
    expect(page.get_by_text("$90.00 taken from your gift card; $30.00 is left on it.")).to_be_visible()
    assert audited(page) == []
    screenshot("gift-used")

    page.goto(f"{live_server.url}/payments/gift-cards/balance/")
    page.get_by_label("Gift card code").fill(code)
    page.get_by_role("button", name="Check the balance").click()
    expect(page.get_by_text("$30.00 left of $120.00.")).to_be_visible()
    assert audited(page) == []
    screenshot("balance")


def test_the_front_desk_sells_a_package_for_cash_and_a_gift_card_by_terminal(live_server, page, screenshot, clinic):
    service, _ = clinic
    package_make(sessions=5, price=40_000, services=[service])
    StaffUserFactory(username="owner", password=PASSWORD, is_superuser=True)
    sign_in_as(page, live_server.url, "/staff/sell/package/", "owner")
    expect(page.get_by_role("heading", name="Sell a package")).to_be_visible()
    assert audited(page) == []
    page.get_by_label("Client's name").fill("Ana Silva")
    page.get_by_label("Client's email").fill("ana@example.com")
    page.get_by_label("Paid by").select_option("cash")
    page.get_by_role("button", name="Record the sale").click()
    expect(page.get_by_text(re.compile(r"Sold 5 × 60-minute massage to Ana Silva for \$400\.00"))).to_be_visible()
    assert audited(page) == []
    screenshot("package-sold")
    page.get_by_role("link", name="Sell a gift card instead").click()
    page.get_by_label("Amount").fill("5")
    page.get_by_label("Buyer's name").fill("Bea Costa")
    page.get_by_role("button", name="Record the sale").click()
    expect(page.get_by_text("A gift card is for $10.00 to $1,000.00.")).to_be_visible()
    expect(page.get_by_label("Buyer's name")).to_have_value("Bea Costa")
    assert audited(page) == []
    screenshot("gift-card-refused")
