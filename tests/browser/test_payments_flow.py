"""Paying at booking in Chromium, against localstripe: its Stripe.js stand-in draws the card fields.

localstripe's stand-in puts plain inputs (number, exp_month, exp_year, cvc, postal_code) where
Stripe's element would be, and asks for 3-D Secure in a box of its own with "Complete
authentication" and "Fail authentication" buttons. Both are localstripe's, not our page's, so the
axe audit of the payment step leaves ``#card-element`` out (Stripe's real element is an iframe
with its own labels).
"""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Appointment, BookingPolicy
from core.clinictime import clinic_tz
from payments.models import LedgerEntry
from tests.browser.axe import axe_violations
from tests.factories import clinic_with_hours
from tests.payments.conftest import localstripe_base, stripe_on, webhook_secret  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clinic(stripe_on):  # noqa: F811 (the fixture imported above)
    BookingPolicy.objects.create(late_cancel_fee_percent=50, no_show_fee_percent=100)
    service, (therapist,), _ = clinic_with_hours(
        start=time(9),
        end=time(17),
        duration_minutes=60,
        name="Deep tissue massage",
        slug="deep-tissue",
        payment_at_booking="deposit",
        deposit_amount=2000,
    )
    therapist.name = "Maya Okafor"
    therapist.save()
    return service, therapist


def details(page, live_server, service, therapist):
    day = timezone.now().astimezone(clinic_tz()).date() + timedelta(days=3)
    start = datetime.combine(day, time(10), tzinfo=clinic_tz()).astimezone(UTC)
    page.goto(
        f"{live_server.url}/book/details/?service={service.slug}&therapist={therapist.slug}"
        f"&start={start.strftime('%Y-%m-%dT%H:%MZ')}"
    )
    page.locator("#id_name").fill("Ana Silva")
    page.locator("#id_email").fill("ana@example.com")
    page.locator("#id_phone").fill("617 555 0199")
    page.get_by_label(re.compile("consent to massage treatment")).check()


def enter_card(page, number):
    card = page.locator("#card-element")
    card.locator('input[placeholder="number"]').fill(number)
    card.locator('input[placeholder="exp_month"]').fill("12")
    card.locator('input[placeholder="exp_year"]').fill("34")
    card.locator('input[placeholder="cvc"]').fill("123")
    card.locator('input[placeholder="postal_code"]').fill("02144")


def audit_without_card_fields(page):
    violations = [line for line in axe_violations(page) if "#card-element" not in line]
    assert violations == []


def test_a_deposit_is_paid_and_refunded_when_cancelled_before_the_cutoff(live_server, page, screenshot, clinic):
    service, therapist = clinic
    details(page, live_server, service, therapist)
    expect(page.get_by_text("A deposit of $20.00 is charged when you book.")).to_be_visible()
    page.get_by_role("button", name="Continue to payment").click()
    expect(page.get_by_role("heading", name="Payment")).to_be_visible()
    expect(page.get_by_text("Due now: $20.00")).to_be_visible()
    expect(page.locator("[data-hold-note]")).to_contain_text("We are holding this time for you until")
    enter_card(page, "4242424242424242")
    audit_without_card_fields(page)
    screenshot("payment-step")
    page.get_by_role("button", name="Pay $20.00 and book").click()
    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    expect(page.get_by_text("Paid online for this booking:")).to_contain_text("$20.00")
    screenshot("confirmed")
    page.get_by_role("link", name="manage your booking").click()
    page.get_by_role("button", name="Cancel this booking").click()
    expect(page.locator("main").get_by_role("status")).to_contain_text("Your booking is cancelled")
    expect(page.get_by_text("Your payment of $20.00 was refunded in full.")).to_be_visible()
    screenshot("cancelled")
    page.get_by_role("link", name="Printable receipt").click()
    expect(page.get_by_role("heading", name="Receipt")).to_be_visible()
    expect(page.get_by_text("Maya Okafor, LMT")).to_be_visible()
    audit_without_card_fields(page)
    screenshot("receipt")
    assert Appointment.objects.get().status == "cancelled"
    charge = LedgerEntry.objects.get(kind="charge")
    refund = LedgerEntry.objects.get(kind="refund")
    assert (charge.amount, refund.amount, refund.reverses) == (2000, -2000, charge)


def test_a_declined_card_says_why_and_another_card_books_with_nothing_typed_lost(live_server, page, screenshot, clinic):
    service, therapist = clinic
    service.payment_at_booking, service.deposit_amount = "card", None
    service.save()
    details(page, live_server, service, therapist)
    page.get_by_role("button", name="Continue to payment").click()
    expect(page.get_by_role("heading", name="Your card")).to_be_visible()
    enter_card(page, "4000000000000002")
    page.get_by_role("button", name="Save card and book").click()
    expect(page.locator("[data-payment-error]")).to_contain_text("Your card was declined.")
    expect(page.locator('#card-element input[placeholder="number"]')).to_have_value("4000000000000002")
    audit_without_card_fields(page)
    screenshot("declined")
    page.locator('#card-element input[placeholder="number"]').fill("4242424242424242")
    page.get_by_role("button", name="Save card and book").click()
    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    expect(page.get_by_text("Card on file:")).to_contain_text("ending 4242")
    appointment = Appointment.objects.get()
    assert appointment.status == "booked" and appointment.cards_on_file.get().last4 == "4242"
    assert not LedgerEntry.objects.exists()


def test_a_card_asking_for_3d_secure_books_once_the_client_confirms(live_server, page, screenshot, clinic):
    service, therapist = clinic
    details(page, live_server, service, therapist)
    page.get_by_role("button", name="Continue to payment").click()
    enter_card(page, "4000002500003155")
    page.get_by_role("button", name="Pay $20.00 and book").click()
    page.get_by_role("button", name="Complete authentication").click()  # saving the card
    expect(page.get_by_role("button", name="Confirm with my bank")).to_be_visible()
    audit_without_card_fields(page)
    screenshot("3ds-charge")
    page.get_by_role("button", name="Confirm with my bank").click()
    page.get_by_role("button", name="Complete authentication").click()  # the charge
    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    assert LedgerEntry.objects.get().amount == 2000
