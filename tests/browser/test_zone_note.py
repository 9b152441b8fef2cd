"""A visitor whose device keeps another time zone is told what the clinic's times are for them.

The clinic's times stay the clinic's; the note beside them says what the first (or chosen) time
is in the visitor's zone, and says nothing more in the clinic's own zone or without JavaScript.
"""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, VIEWPORTS
from tests.browser.test_bookings_flow import open_day
from tests.factories import clinic_with_hours

pytestmark = pytest.mark.django_db(transaction=True)
NEW_YORK = ZoneInfo("America/New_York")
ZONE = "Times are in the clinic's time, Eastern Time — New York"


@pytest.fixture
def clinic():
    service, (therapist,), _ = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60)
    return service, therapist


@pytest.fixture
def visitor(browser, request):
    """A desktop page whose device keeps ``request.param``'s time zone (or none given: JavaScript off)."""
    zone, javascript = request.param
    context = browser.new_context(viewport=VIEWPORTS["desktop"], timezone_id=zone, java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(10_000)
    SCREENSHOTS.mkdir(exist_ok=True)
    yield page
    context.close()


def in_london(day, hour) -> str:
    moment = datetime.combine(day, time(hour), tzinfo=NEW_YORK).astimezone(ZoneInfo("Europe/London"))
    return f"{moment.hour % 12 or 12}:{moment:%M} {moment:%p}"


def zone_note(page):
    return page.locator("[data-zone-note]").first


@pytest.mark.parametrize("visitor", [("Europe/London", True)], indirect=True, ids=["london"])
def test_a_visitor_in_london_is_told_what_the_first_time_is_for_them(live_server, visitor, clinic):
    page = visitor
    service, therapist = clinic
    day = timezone.localdate() + timedelta(days=3)
    page.goto(f"{live_server.url}/book/?service={service.slug}&therapist={therapist.slug}")
    open_day(page, day)
    times = page.locator("#booking-times")
    expect(times.get_by_role("link").first).to_have_text(re.compile(r"^9:00 AM"))  # the clinic's times stay
    expect(zone_note(page)).to_have_text(f"{ZONE}; 9:00 AM at the clinic is {in_london(day, 9)} your time (London).")
    page.screenshot(path=str(SCREENSHOTS / "zone-note-london-calendar.png"), full_page=True)

    # Another day, shown by the script without a page load: the note follows its first time.
    open_day(page, day + timedelta(days=1))
    expect(times.get_by_role("heading", level=2)).to_have_text(re.compile((day + timedelta(days=1)).strftime("%A")))
    expect(zone_note(page)).to_contain_text(f"9:00 AM at the clinic is {in_london(day + timedelta(days=1), 9)}")

    times.get_by_role("link", name=re.compile(r"^11:00 AM")).click()
    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    expect(page.get_by_text(re.compile(r", 11:00 AM$"))).to_be_visible()
    expect(zone_note(page)).to_have_text(
        f"{ZONE}; 11:00 AM at the clinic is {in_london(day + timedelta(days=1), 11)} your time (London)."
    )
    page.screenshot(path=str(SCREENSHOTS / "zone-note-london-details.png"), full_page=True)


@pytest.mark.parametrize(
    "visitor",
    [("America/New_York", True), ("America/Detroit", True), ("Europe/London", False)],
    indirect=True,
    ids=["new-york", "detroit-keeps-the-same-clock", "london-no-script"],
)
def test_in_the_clinics_zone_or_without_javascript_the_note_names_only_the_clinics_zone(live_server, visitor, clinic):
    page = visitor
    service, therapist = clinic
    day = timezone.localdate() + timedelta(days=3)
    page.goto(f"{live_server.url}/book/?service={service.slug}&therapist={therapist.slug}&date={day}")
    page.wait_for_load_state("load")
    expect(page.locator("#booking-times").get_by_role("link").first).to_have_text(re.compile(r"^9:00 AM"))
    expect(zone_note(page)).to_have_text(f"{ZONE}.")
    page.locator("#booking-times").get_by_role("link", name=re.compile(r"^10:00 AM")).click()
    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    page.wait_for_load_state("load")
    expect(zone_note(page)).to_have_text(f"{ZONE}.")


@pytest.mark.parametrize("visitor", [("Europe/London", True)], indirect=True, ids=["london"])
def test_the_script_shows_a_fall_back_days_times_as_the_server_labels_them(live_server, visitor):
    from bookings.models import BookingPolicy

    page = visitor
    service, (therapist,), _ = clinic_with_hours(
        weekdays=[6], start=time(0), end=time(3), duration_minutes=60, cleanup_minutes=0
    )
    BookingPolicy.objects.create(slot_step_minutes=30, max_advance_days=800)
    page.goto(f"{live_server.url}/book/?service={service.slug}&therapist={therapist.slug}&month=2027-11")
    expect(page.get_by_role("table")).to_be_visible()
    page.wait_for_load_state("load")
    page.locator('a[data-date="2027-11-07"]').click()
    times = page.locator("#booking-times")
    expect(times.get_by_role("heading", level=2)).to_have_text("Times on Sunday 7 November")
    labels = ["12:00 AM EDT", "12:30 AM EDT", "1:00 AM EDT", "1:30 AM EDT", "1:00 AM EST", "1:30 AM EST", "2:00 AM EST"]
    # The times' own links (the day's list also links to the waitlist).
    expect(times.get_by_role("link", name=re.compile(r"^\d{1,2}:\d{2} [AP]M"))).to_have_text(labels)
    expect(zone_note(page)).to_have_text(f"{ZONE}; 12:00 AM EDT at the clinic is 4:00 AM your time (London).")
    page.screenshot(path=str(SCREENSHOTS / "zone-note-fall-back-2027.png"), full_page=True)
