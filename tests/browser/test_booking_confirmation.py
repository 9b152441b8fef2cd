"""The confirmation page in Chromium: price, calendar links that load nothing, the .ics download."""

import re
from datetime import time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings.availability import slots_available
from tests.browser.axe import axe_violations
from tests.factories import clinic_with_hours

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_confirmation_page_offers_price_calendar_and_directions_without_loading_anything_foreign(
    live_server, page, screenshot
):
    service, (therapist,), _ = clinic_with_hours(
        start=time(9), end=time(17), duration_minutes=60, name="Deep tissue massage", slug="deep-tissue"
    )
    day = timezone.localdate() + timedelta(days=3)
    slot = slots_available(service=service, therapist=therapist, start=day, end=day)[0]
    foreign = []
    page.on("request", lambda r: None if r.url.startswith(live_server.url) else foreign.append(r.url))

    page.goto(f"{live_server.url}/book/details/?service=deep-tissue&therapist={therapist.slug}&start={slot.param}")
    page.locator("#id_name").fill("Ana Silva")
    page.locator("#id_email").fill("ana@example.com")
    page.locator("#id_phone").fill("617 555 0199")
    page.get_by_label(re.compile("consent to massage treatment")).check()
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()

    main = page.locator("main")
    expect(main.get_by_text(f"${service.price}: nothing is charged online.")).to_be_visible()
    expect(main.get_by_role("heading", name="Getting here")).to_be_visible()
    expect(main.get_by_role("link", name="Google Calendar")).to_have_attribute(
        "href", re.compile(r"^https://calendar\.google\.com/calendar/render\?")
    )
    expect(main.get_by_role("link", name="Outlook.com")).to_have_attribute(
        "href", re.compile(r"^https://outlook\.live\.com/calendar/")
    )
    screenshot("confirmed")
    assert axe_violations(page) == []

    with page.expect_download() as download_info:
        main.get_by_role("link", name="Calendar file (.ics)").click()
    download = download_info.value
    assert download.suggested_filename == "session.ics"
    ics = Path(download.path()).read_text(encoding="utf-8")
    assert "BEGIN:VALARM" in ics and "TRIGGER:-PT1H" in ics
    assert foreign == []
