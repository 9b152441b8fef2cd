"""Booking from /book/ to the confirmation with the keyboard alone: Tab, Enter and Space, never the mouse."""

import re
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Appointment
from bookings.params import format_start
from tests.factories import clinic_with_hours

pytestmark = pytest.mark.django_db(transaction=True)

FOCUS_IS_VISIBLE = """el => {
  const style = getComputedStyle(el);
  const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  return outlined || style.boxShadow !== "none";
}"""


def tab_to(page, target, *, limit=60):
    """Press Tab until ``target`` has focus, checking that every element met on the way shows its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        description = focused.evaluate("el => el.outerHTML.slice(0, 120)")
        assert focused.evaluate(FOCUS_IS_VISIBLE), f"focus is not visible on {description}"
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}")


def test_a_client_books_a_session_with_the_keyboard_alone(live_server, page, screenshot):
    service, (therapist,), _ = clinic_with_hours(
        start=time(9), end=time(17), name="Deep tissue massage", slug="deep-tissue"
    )
    therapist.name = "Maya Okafor"
    therapist.save()
    day = timezone.localdate() + timedelta(days=3)

    page.goto(live_server.url + "/book/")
    expect(page.get_by_role("heading", name="Book a session", level=1)).to_be_focused()
    tab_to(page, page.get_by_role("link", name="Deep tissue massage"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Deep tissue massage", level=1)).to_be_focused()
    tab_to(page, page.get_by_role("link", name="Maya Okafor"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_be_focused()
    expect(page.get_by_role("table")).to_be_visible()
    page.wait_for_load_state("load")
    tab_to(page, page.locator("#booking-month [data-date][tabindex='0']"))
    opened_on = date.fromisoformat(page.locator(":focus").get_attribute("data-date"))  # the first day with free times
    for _ in range((day - opened_on).days):  # one Tab stop, then the arrow keys, across a month end if need be
        page.keyboard.press("ArrowRight")
    target = page.get_by_role("link", name=re.compile(rf"^{day:%A} {day.day} {day:%B}, \d+ times available$"))
    expect(target).to_be_focused()
    page.keyboard.press("Space")
    expect(page.get_by_role("heading", name=re.compile(f"^Times on {day:%A}"))).to_be_focused()
    screenshot("times")
    tab_to(page, page.locator("#booking-times").get_by_role("link", name=re.compile(r"^10:00 AM")))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Your details", level=1)).to_be_focused()
    for label, text in [("Name", "Ana Silva"), ("Email", "ana@example.com"), ("Phone", "617 555 0199")]:
        tab_to(page, page.get_by_label(label, exact=False).first)
        page.keyboard.type(text)
    tab_to(page, page.get_by_label(re.compile("consent to massage treatment")))
    page.keyboard.press("Space")
    confirm = page.get_by_role("button", name="Confirm booking")
    tab_to(page, confirm)
    screenshot("details")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="You're booked", level=1)).to_be_focused()
    screenshot("confirmed")
    appointment = Appointment.objects.get()
    assert (appointment.client_name, appointment.client_email) == ("Ana Silva", "ana@example.com")
    assert timezone.localtime(appointment.starts_at).time() == time(10)


def test_after_a_refused_form_focus_lands_on_the_first_field_to_fix(live_server, page, screenshot):
    service, (therapist,), _ = clinic_with_hours(start=time(9), end=time(17), slug="deep-tissue")
    starts_at = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=3), time(10)))
    page.goto(
        f"{live_server.url}/book/details/?service={service.slug}&therapist={therapist.slug}&start={format_start(starts_at)}"
    )
    tab_to(page, page.get_by_label("Email", exact=False).first)
    page.keyboard.type("ana@example")
    tab_to(page, page.get_by_role("button", name="Confirm booking"))
    page.keyboard.press("Enter")

    name = page.get_by_label("Name", exact=False).first
    expect(name).to_be_focused()
    screenshot("refused")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_have_accessible_description(re.compile("required", re.IGNORECASE))
    expect(page.get_by_label("Email", exact=False).first).to_have_value("ana@example")
    assert not Appointment.objects.exists()
