"""The month-and-times calendar in Chromium, for booking and for moving: keys, focus and in-place times.

Phone is 390 px wide here (a common phone), desktop 1280 px.
"""

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Appointment
from bookings.services import ClientDetails, appointment_book
from bookings.tokens import manage_token
from tests.browser.conftest import VIEWPORTS
from tests.browser.test_bookings_keyboard import FOCUS_IS_VISIBLE, tab_to
from tests.factories import clinic_with_hours

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def sized(page, viewport):
    if viewport == "phone":
        page.set_viewport_size(PHONE)
    return page


@pytest.fixture
def clinic():
    service, (maya, daniel), _ = clinic_with_hours(
        start=time(9), end=time(19), duration_minutes=60, therapists=2, rooms=2, name="Deep tissue massage", price="90"
    )
    maya.name, maya.slug = "Maya Okafor", "maya"
    daniel.name, daniel.slug = "Daniel Reyes", "daniel"
    maya.save()
    daniel.save()
    return service, maya, daniel


def focused_date(page) -> date:
    return date.fromisoformat(page.evaluate("document.activeElement.dataset.date"))


def day_name(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def test_the_month_grid_is_one_tab_stop_and_the_arrow_keys_move_between_days(live_server, sized, screenshot, clinic):
    page = sized
    service, maya, _ = clinic
    page.goto(f"{live_server.url}/book/?service={service.slug}&therapist={maya.slug}")
    page.wait_for_load_state("load")
    days = page.locator("#booking-month [data-date]")
    expect(page.locator("#booking-month [data-date][tabindex='0']")).to_have_count(1)
    assert days.evaluate_all("days => days.filter(day => day.tabIndex === -1).length") == days.count() - 1

    tab_to(page, page.locator("#booking-month [data-date][tabindex='0']"))
    start = focused_date(page)
    assert start == timezone.localdate() or start == timezone.localdate() + timedelta(days=1)  # the first free day
    for key, step in [("ArrowRight", 1), ("ArrowDown", 7), ("ArrowLeft", -1), ("ArrowUp", -7)]:
        before = focused_date(page)
        page.keyboard.press(key)
        target = before + timedelta(days=step)
        if target.month == before.month:
            assert focused_date(page) == target, key
        else:  # the week crossed into the next or previous month, which loaded in place
            expect(page.locator(f'#booking-month [data-date="{target}"]')).to_be_focused()
        assert page.locator(":focus").evaluate(FOCUS_IS_VISIBLE), f"focus is not visible after {key}"
    page.keyboard.press("ArrowDown")  # into a week that is all this month's
    page.keyboard.press("Home")
    assert focused_date(page).weekday() == 0
    page.keyboard.press("End")
    assert focused_date(page).weekday() == 6
    screenshot("grid-focus")

    # Page Down crosses into the next month without leaving the page; the arrow keys come back.
    page.evaluate("window.stayedOnThePage = true")
    month = page.locator("#month-heading").inner_text()
    page.keyboard.press("PageDown")
    expect(page.locator("#month-heading")).not_to_have_text(month)
    for _ in range(31):  # back to the 1st of the new month, a day at a time
        if focused_date(page).day == 1:
            break
        page.keyboard.press("ArrowLeft")
    first = focused_date(page)
    assert first.day == 1
    page.keyboard.press("ArrowLeft")
    expect(page.locator(f'#booking-month [data-date="{first - timedelta(days=1)}"]')).to_be_focused()
    expect(page.locator("#month-heading")).to_have_text(month)
    assert page.locator(":focus").evaluate(FOCUS_IS_VISIBLE)
    assert page.evaluate("window.stayedOnThePage") is True

    # Still one Tab stop: the next Tab leaves the grid.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#booking-month table') === null")
    page.keyboard.press("Shift+Tab")
    chosen = focused_date(page)
    for _ in range(7):  # to a weekday after today, which has free times
        if chosen.weekday() < 5 and chosen > timezone.localdate():
            break
        page.keyboard.press("ArrowRight")
        chosen = focused_date(page)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=f"Times on {day_name(chosen)}", level=2)).to_be_focused()
    expect(page).to_have_url(re.compile(f"date={chosen.isoformat()}"))
    assert page.evaluate("window.stayedOnThePage") is True
    screenshot("times-after-keys")

    # A time drawn as a button answers Space.
    ten = page.get_by_role("link", name=f"10:00 AM on {day_name(chosen)} with Maya Okafor")
    tab_to(page, ten)
    page.keyboard.press("Space")
    expect(page.get_by_role("heading", name="Your details", level=1)).to_be_visible()


def test_first_available_times_say_who_they_are_with(live_server, sized, screenshot, clinic):
    page = sized
    service, maya, daniel = clinic
    day = timezone.localdate() + timedelta(days=3)
    client = ClientDetails(name="Bo", email="bo@example.com", phone="1", consent=True)
    for therapist in (maya, daniel):
        appointment_book(
            service=service,
            therapist=therapist,
            starts_at=timezone.make_aware(datetime.combine(day, time(9))).astimezone(UTC),
            client=client,
        )
    page.goto(f"{live_server.url}/book/?service={service.slug}&therapist=any&date={day}")
    times = page.locator("#booking-times")
    expect(times.get_by_role("heading", level=3)).to_have_text(["Morning", "Afternoon", "Evening"])
    expect(
        times.get_by_role("link", name=f"3:00 PM on {day_name(day)} with Maya Okafor or Daniel Reyes")
    ).to_contain_text("with Maya or Daniel")
    expect(page.get_by_text("60 minutes · $90.00")).to_be_visible()
    screenshot("first-available")


def move_path(appointment) -> str:
    return f"/book/manage/{manage_token(appointment)}/move/"


@pytest.fixture
def booked(clinic):
    service, maya, _ = clinic
    client = ClientDetails(name="Ana Silva", email="ana@example.com", phone="1", consent=True)
    starts_at = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=5), time(10)))
    return appointment_book(service=service, therapist=maya, starts_at=starts_at.astimezone(UTC), client=client)


def test_moving_shows_the_times_first_in_place_and_with_none_chosen(live_server, sized, viewport, screenshot, booked):
    page = sized
    page.goto(live_server.url + move_path(booked))
    page.wait_for_load_state("load")
    times = page.locator("#booking-times")
    heading = times.get_by_role("heading", level=2)
    expect(heading).to_have_text(re.compile(r"^Times on "))
    top = heading.bounding_box()["y"]
    print(f"move page, {viewport}: the times' heading starts {top:.0f} px down")
    if viewport == "phone":
        assert top < 400  # it was 672 px when the move page put the month first
    expect(times.locator("input[type=radio]:checked")).to_have_count(0)
    expect(page.get_by_text("60 minutes · $90.00")).to_be_visible()
    screenshot("move-opened")

    day = timezone.localdate() + timedelta(days=6)
    page.evaluate("window.stayedOnThePage = true")
    link = page.locator(f'#booking-month a[data-date="{day}"]')
    if link.count() == 0:
        page.locator("#booking-month a[rel=next]").click()
    link.click()
    expect(heading).to_have_text(f"Times on {day_name(day)}")
    expect(heading).to_be_focused()
    assert page.evaluate("window.stayedOnThePage") is True
    expect(times.locator("input[type=radio]:checked")).to_have_count(0)
    times.get_by_label("2:00 PM", exact=True).check()
    screenshot("move-day-chosen")
    page.get_by_role("button", name="Move to this time").click()
    expect(page.locator("main").get_by_role("status")).to_contain_text("Your booking has moved")
    booked.refresh_from_db()
    assert timezone.localtime(booked.starts_at) == timezone.make_aware(datetime.combine(day, time(14)))


def test_without_javascript_a_client_moves_to_another_therapist(live_server, browser, viewport, booked, clinic):
    _, _, daniel = clinic
    size = PHONE if viewport == "phone" else VIEWPORTS[viewport]
    context = browser.new_context(viewport=size, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + move_path(booked))
        days = page.locator("#booking-month a.booking-day-link")
        assert days.count() > 1
        assert days.evaluate_all("links => links.every(link => !link.hasAttribute('tabindex'))")
        page.get_by_label("With").select_option(label="Daniel Reyes")
        page.get_by_role("button", name="Show times").click()
        expect(page).to_have_url(re.compile(r"therapist=daniel"))
        day = timezone.localdate() + timedelta(days=6)
        link = page.locator(f'#booking-month a[data-date="{day}"]')
        if link.count() == 0:
            page.locator("#booking-month a[rel=next]").click()
        link.click()
        expect(page.locator("#booking-times").get_by_role("heading", level=2)).to_have_text(f"Times on {day_name(day)}")
        page.locator("#booking-times").get_by_label("4:00 PM", exact=True).check()
        page.get_by_role("button", name="Move to this time").click()
        expect(page.locator("main").get_by_role("status")).to_contain_text("Your booking has moved")
    finally:
        context.close()
    moved = Appointment.objects.get()
    assert moved.therapist == daniel
    assert timezone.localtime(moved.starts_at) == timezone.make_aware(datetime.combine(day, time(16)))
