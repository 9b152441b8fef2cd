"""The client's whole journey in Chromium: book, get the email, open the manage link, move, cancel."""

import re
from datetime import time, timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Appointment
from tests.browser.conftest import VIEWPORTS
from tests.factories import StaffUserFactory, WorkingHoursFactory, clinic_with_hours

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clinic():
    service, (therapist,), _ = clinic_with_hours(
        start=time(9), end=time(17), duration_minutes=60, name="Deep tissue massage", slug="deep-tissue"
    )
    therapist.name = "Maya Okafor"
    therapist.save()
    return service, therapist


def open_day(page, day):
    """On the month calendar, go forward to ``day``'s month if needed and click it.

    Waits for the calendar first: counting links right after a click that navigates would
    look at the page being left, find nothing, and turn one month too far. Then waits for the
    page's load event, so the booking script (deferred) is listening when the day is clicked
    and a page with JavaScript shows the times without a page load, as a visitor's does.
    """
    expect(page.get_by_role("table")).to_be_visible()
    page.wait_for_load_state("load")
    if page.locator(f'a[data-date="{day.isoformat()}"]').count() == 0:
        page.get_by_role("link", name="Next month").click()
    page.locator(f'a[data-date="{day.isoformat()}"]').click()


def test_a_client_books_moves_and_cancels_online(live_server, page, screenshot, mailoutbox, clinic):
    service, therapist = clinic
    day = timezone.localdate() + timedelta(days=3)
    page.goto(live_server.url + "/book/")
    page.get_by_role("link", name="Deep tissue massage").click()
    expect(page.get_by_role("heading", name="Deep tissue massage", level=1)).to_be_visible()
    screenshot("therapist-step")
    page.get_by_role("link", name="Maya Okafor").click()
    expect(page.get_by_role("table")).to_be_visible()
    open_day(page, day)
    times = page.locator("#booking-times")
    expect(times.get_by_role("heading", level=2)).to_have_text(re.compile(day.strftime("%A")))
    expect(page).to_have_url(re.compile(f"date={day.isoformat()}"))  # the script kept the address in step
    screenshot("calendar-with-times")
    times.get_by_role("link", name=re.compile(r"^10:00 AM")).click()

    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    page.locator("#id_name").fill("Ana Silva")
    page.locator("#id_email").fill("ana@example.com")
    page.locator("#id_phone").fill("617 555 0199")
    page.locator("#id_areas_to_avoid").fill("Left knee")
    page.get_by_label(re.compile("consent to massage treatment")).check()
    screenshot("details")
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    screenshot("confirmed")

    confirmation = mailoutbox[0]
    assert confirmation.to == ["ana@example.com"]
    manage_path = re.search(r"https://clinic\.test(/book/manage/\S+/)", confirmation.body).group(1)
    page.goto(live_server.url + manage_path)
    expect(page.get_by_text("10:00 AM")).to_be_visible()
    page.get_by_role("link", name="Move to another time").click()
    open_day(page, day + timedelta(days=1))
    expect(times.get_by_role("heading", level=2)).to_have_text(re.compile((day + timedelta(days=1)).strftime("%A")))
    page.locator("#booking-times").get_by_label("2:00 PM", exact=True).check()
    screenshot("move")
    page.get_by_role("button", name="Move to this time").click()
    expect(page.locator("main").get_by_role("status")).to_contain_text("Your booking has moved")
    expect(page.get_by_text("2:00 PM")).to_be_visible()

    page.get_by_role("button", name="Cancel this booking").click()
    expect(page.locator("main").get_by_role("status")).to_contain_text("Your booking is cancelled")
    screenshot("cancelled")
    appointment = Appointment.objects.get()
    assert (appointment.status, appointment.sequence) == ("cancelled", 2)
    subjects = [message.subject for message in mailoutbox if message.to == ["ana@example.com"]]
    assert len(subjects) == 3
    assert subjects[0].startswith("Your booking: Deep tissue massage")
    assert subjects[1].startswith("Your booking has moved to")
    assert subjects[2].startswith("Cancelled: Deep tissue massage")


def test_the_whole_booking_works_without_javascript(live_server, browser, viewport, mailoutbox, clinic):
    context = browser.new_context(viewport=VIEWPORTS[viewport], java_script_enabled=False)
    page = context.new_page()
    try:
        service, therapist = clinic
        day = timezone.localdate() + timedelta(days=3)
        page.goto(f"{live_server.url}/book/?service={service.slug}&therapist=any")
        open_day(page, day)
        expect(page).to_have_url(re.compile(f"date={day.isoformat()}"))
        page.get_by_role("link", name=re.compile(r"^11:00 AM")).click()
        page.locator("#id_name").fill("Bo Chen")
        page.locator("#id_email").fill("bo@example.com")
        page.locator("#id_phone").fill("617 555 0111")
        page.get_by_label(re.compile("consent to massage treatment")).check()
        page.get_by_role("button", name="Confirm booking").click()
        expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
        assert Appointment.objects.get().therapist == therapist
        assert mailoutbox[0].to == ["bo@example.com"]
    finally:
        context.close()


def test_the_front_desks_old_schedule_opens_the_desk_which_books_and_moves_a_phone_client(
    live_server, page, screenshot, clinic
):
    service, therapist = clinic
    WorkingHoursFactory(therapist=therapist, weekday=0, start_time=time(7), end_time=time(8))
    user = StaffUserFactory(username="desk")
    user.groups.add(Group.objects.get_or_create(name="Front desk")[0])
    day = timezone.localdate() + timedelta(days=2)

    page.goto(live_server.url + "/staff/schedule/")
    page.get_by_label("Username").fill("desk")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Today, "), level=1)).to_be_visible()

    page.get_by_role("link", name="New booking").click()
    page.get_by_label("Service").select_option(label="Deep tissue massage (60 min)")
    page.get_by_label("Therapist", exact=True).select_option(label="Maya Okafor")
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Time", exact=True).fill("10:00")
    page.get_by_label("Client name").fill("Phone Client")
    page.get_by_label("Email (optional)").fill("phone@example.com")
    page.get_by_label("Phone", exact=True).fill("617 555 0123")
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Booked Phone Client")
    session = page.locator("main a:visible", has_text="Phone Client")  # the grid, or on a phone the list
    expect(session.first).to_contain_text("10:00 AM")
    screenshot("schedule-day")

    session.first.click()
    page.get_by_role("link", name="Move…").click()
    page.get_by_label("Time", exact=True).fill("13:00")
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Moved Phone Client")
    expect(session.first).to_contain_text("1:00 PM")
    page.get_by_role("link", name="Week", exact=True).click()
    page.goto(live_server.url + f"/staff/week/?date={day.isoformat()}")
    expect(page.get_by_role("link", name=re.compile("1:00 PM Phone Client"))).to_be_visible()
    screenshot("schedule-week")
