"""The desk's money in a browser, phone and desktop: a client with a card on file misses the session, the desk
marks the no-show and charges the fee once (localstripe behind it), sees the day's takings; axe on every new page."""

import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from payments.models import LedgerEntry
from tests.browser.axe import axe_violations
from tests.browser.staff_pages import PASSWORD, desk_money_states, sign_in_as
from tests.factories import StaffUserFactory
from tests.payments.conftest import localstripe_base, stripe_on, webhook_secret  # noqa: F401 - fixtures
from tests.payments.desk_scene import charges_at_stripe, missed_session

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def jo():
    user = StaffUserFactory(username="jo", password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name="Front desk")[0])
    return user


def test_the_desk_marks_a_no_show_and_charges_the_fee_once(live_server, page, screenshot, stripe_on, jo):  # noqa: F811
    appointment = missed_session(api_base=stripe_on.STRIPE_API_BASE, status="booked")
    session = f"/staff/sessions/{appointment.pk}/"
    sign_in_as(page, live_server.url, session, "jo")
    expect(page.get_by_role("heading", name="Money")).to_be_visible()
    expect(page.get_by_text("card on file: visa ending 4242")).to_be_visible()

    page.get_by_role("link", name="No-show…").click()
    page.get_by_role("button", name="Mark as a no-show").click()
    page.goto(live_server.url + session)
    page.get_by_role("link", name="Charge the no-show fee…").click()
    expect(page.get_by_role("heading", name="Charge the no-show fee?")).to_be_visible()
    expect(page.get_by_label("Amount to charge")).to_have_value("45.00")
    screenshot("confirm")
    page.get_by_role("button", name="Charge the fee").click()

    expect(page.get_by_role("status")).to_contain_text("Charged the no-show fee of $45.00 to the card on file.")
    expect(page.locator("[data-money-paid]")).to_have_text("$45.00")
    expect(page.get_by_text(re.compile(r"Fee charged by jo"))).to_be_visible()
    expect(page.get_by_role("link", name="Charge the no-show fee…")).to_have_count(0)
    screenshot("charged")

    # Back to the confirmation (a second tab, a colleague): the fee is there, and it is not charged again.
    page.goto(live_server.url + session + "fee/")
    expect(page.get_by_role("heading", name="Fee already charged")).to_be_visible()
    assert LedgerEntry.objects.filter(kind="fee").count() == 1
    assert len(charges_at_stripe(appointment)) == 1

    page.goto(f"{live_server.url}/staff/takings/?date={timezone.localdate().isoformat()}")
    expect(page.locator("[data-takings-total]")).to_have_text("$45.00")
    screenshot("takings")


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_the_desks_money_pages_have_no_accessibility_violations(live_server, page, stripe_on, jo):  # noqa: F811
    found = {}
    for name, visit in desk_money_states(api_base=stripe_on.STRIPE_API_BASE, staff=jo):
        visit(page, live_server.url)
        if violations := axe_violations(page):
            found[name] = violations
    assert found == {}, "\n".join(f"{name}: {line}" for name, lines in found.items() for line in lines)
