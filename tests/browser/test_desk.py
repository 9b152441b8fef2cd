"""A day at the front desk in a browser: from the admin to the grid, a phone booking from an empty slot,
a walk-in, check-in, a cancel undone, a move, and the client page's "Book again"; axe on every page."""

import re
from datetime import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from clients.models import Client, ClientIntake
from tests.bookings.conftest import NEW_YORK
from tests.browser.axe import axe_violations
from tests.desk.scenes import busy_day_scene
from tests.factories import StaffUserFactory

PASSWORD = "correct horse battery staple"


@pytest.fixture
def desk_day(transactional_db):
    """Thursday 5 March 2026 at 2:10 PM, 24 sessions booked this morning, and Ana, a regular without email."""
    with time_machine.travel(datetime(2026, 3, 5, 14, 10, tzinfo=NEW_YORK), tick=True):
        user = StaffUserFactory(username="jo", password=PASSWORD)
        user.groups.add(Group.objects.get_or_create(name="Front desk")[0])
        scene = busy_day_scene(user, count=24)
        ana = Client.objects.create(name="Ana Silva", phone="(617) 555-0142", notes="Prefers light pressure")
        ClientIntake.objects.create(
            client=ana, taken_at=timezone.now(), medications="Warfarin 5mg", consent_at=timezone.now()
        )
        yield scene


def audited(page, found, name):
    if violations := axe_violations(page):
        found[name] = violations


def sign_in(page, base_url):
    page.goto(base_url + "/admin/login/")  # no page asked for: the front desk lands on the grid
    page.get_by_label("Username").fill("jo")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def block(page, name):
    return page.locator(".desk-grid a.desk-block", has_text=name)


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_a_day_at_the_front_desk(live_server, page, screenshot, desk_day):
    found = {}
    sign_in(page, live_server.url)
    expect(page.get_by_role("heading", name=re.compile("Today, Thursday 5 March 2026"))).to_be_visible()
    expect(block(page, "Client 0")).to_be_visible()
    screenshot("grid")
    audited(page, found, "grid")

    page.get_by_role("link", name="Admin", exact=True).click()
    page.get_by_role("link", name="Front desk").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))

    # A phone call: Ana wants 4 PM with Therapist 5. An empty slot opens the form, her phone finds her record.
    page.get_by_role("link", name="Book 4:00 PM with Therapist 5").click()
    expect(page.get_by_label("Therapist", exact=True)).to_have_value(str(desk_day["therapists"][4].pk))
    expect(page.get_by_label("Time", exact=True)).to_have_value("16:00")
    page.get_by_label("Name, phone or email", exact=True).fill("555-0142")
    expect(page.locator("[data-client-results]").get_by_role("link", name="Ana Silva")).to_be_visible()
    assert "0142" not in page.url
    # The Find button does the same without JavaScript; the typed phone number stays out of the address.
    page.get_by_role("button", name="Find", exact=True).click()
    expect(page.get_by_label("Name, phone or email", exact=True)).to_have_value("555-0142")
    assert "0142" not in page.url and "q=" not in page.url
    expect(page.get_by_label("Therapist", exact=True)).to_have_value(str(desk_day["therapists"][4].pk))
    page.locator("[data-client-results]").get_by_role("link", name="Ana Silva").click()
    expect(page.get_by_label("Time", exact=True)).to_have_value("16:00")
    expect(page.get_by_text("Warfarin 5mg").first).to_be_visible()
    expect(page.get_by_text("Prefers light pressure").first).to_be_visible()
    expect(page.get_by_label("Client name")).to_have_value("Ana Silva")
    screenshot("phone-booking")
    audited(page, found, "phone booking")
    page.get_by_role("button", name="Book", exact=True).click()
    # Two hours' notice is the online rule; the desk is told so and may override it.
    expect(page.get_by_role("alert")).to_contain_text("at least 2 hours' notice")
    audited(page, found, "booking refused")
    page.get_by_label("Override the notice").check()
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Booked Ana Silva")
    expect(block(page, "Ana Silva")).to_be_visible()

    # A walk-in, now.
    page.get_by_role("link", name="Walk-in now").click()
    expect(page.get_by_label("Time", exact=True)).to_have_value("14:00")
    page.get_by_label("Client name").fill("Walk In")
    page.get_by_label("Phone", exact=True).fill("617 555 0777")
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Booked Walk In")

    # Client 18 arrives.
    block(page, "Client 18").click()
    audited(page, found, "session")
    page.get_by_role("button", name="Check in").click()
    expect(page.locator(".desk-undo")).to_contain_text("Checked in Client 18")
    expect(page.locator(".desk-count.state-arrived")).to_contain_text("1 arrived")

    # Client 19 cancels; it was the wrong client, so the cancel is undone.
    block(page, "Client 19").click()
    page.get_by_role("link", name="Cancel…").click()
    audited(page, found, "cancel confirmation")
    page.get_by_role("button", name="Cancel the session").click()
    expect(page.get_by_text("This field is required")).to_be_visible()
    page.get_by_label("Reason for cancelling").fill("Client ill, called at 1:50")
    page.get_by_role("button", name="Cancel the session").click()
    expect(page.locator(".desk-undo")).to_contain_text("Cancelled Client 19")
    expect(block(page, "Client 19")).to_have_count(0)
    screenshot("cancelled-with-undo")
    audited(page, found, "grid with undo")
    page.locator(".desk-undo").get_by_role("button", name="Undo").click()
    expect(page.get_by_role("status")).to_contain_text("Undone")
    expect(block(page, "Client 19")).to_be_visible()

    # Client 20 moves to 3 PM.
    block(page, "Client 20").click()
    page.get_by_role("link", name="Move…").click()
    page.get_by_label("Time", exact=True).fill("15:00")
    page.get_by_label("Override the notice").check()
    audited(page, found, "move")
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Moved Client 20")
    expect(block(page, "Client 20")).to_contain_text("3:00 PM")

    # The client page, and book again.
    page.get_by_label("Find a client by name, phone or email").fill("Client 3")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="Client 3", level=1)).to_be_visible()
    assert "q=" not in page.url and "Client" not in page.url
    screenshot("client-page")
    audited(page, found, "client page")
    page.get_by_role("link", name=re.compile("Book again")).click()
    expect(page.get_by_label("Client name")).to_have_value("Client 3")
    expect(page.get_by_label("Therapist", exact=True)).to_have_value(str(desk_day["therapists"][3].pk))
    # The next free times with the same therapist are one click each.
    page.locator("#next-free").get_by_role("button").first.click()
    expect(page.get_by_role("status")).to_contain_text("Booked Client 3")

    page.goto(live_server.url + "/staff/week/")
    screenshot("week")
    audited(page, found, "week")
    page.goto(live_server.url + "/staff/?by=room")
    audited(page, found, "grid by room")
    assert found == {}, "\n".join(f"{name}: {line}" for name, lines in found.items() for line in lines)


def test_the_grid_on_a_tablet_and_a_phone(live_server, browser, desk_day):
    from tests.browser.conftest import SCREENSHOTS

    found = {}
    for name, size in {"tablet": {"width": 820, "height": 1180}, "phone": {"width": 375, "height": 740}}.items():
        context = browser.new_context(viewport=size)
        page = context.new_page()
        try:
            sign_in(page, live_server.url)
            expect(page.get_by_role("heading", name=re.compile("Today, Thursday"))).to_be_visible()
            SCREENSHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"test_desk-{name}-grid.png"), full_page=True)
            audited(page, found, name)
            if name == "tablet":
                expect(block(page, "Client 0")).to_be_visible()
                page.get_by_role("link", name="Book 4:00 PM with Therapist 5").focus()
                page.keyboard.press("Enter")
                expect(page.get_by_label("Time", exact=True)).to_have_value("16:00")
            else:
                expect(page.get_by_role("heading", name="Therapist 1", level=2)).to_be_visible()
        finally:
            context.close()
    assert found == {}, "\n".join(f"{name}: {line}" for name, lines in found.items() for line in lines)


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_a_client_typed_before_the_desk_script_arrives_is_still_suggested(live_server, page, desk_day):
    sign_in(page, live_server.url)
    # Hold the desk's script back until the search box is filled in, as a slow connection would.
    held = []
    page.route(re.compile(r".*/desk/desk[^/]*\.js$"), lambda route: held.append(route))
    page.goto(live_server.url + "/staff/book/", wait_until="commit")
    page.get_by_label("Name, phone or email", exact=True).fill("555-0142")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the desk's script was never asked for"
    held[0].continue_()
    expect(page.locator("[data-client-results]").get_by_role("link", name="Ana Silva")).to_be_visible()
    assert "0142" not in page.url
