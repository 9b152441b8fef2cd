"""A client who follows a link to a time that cannot be booked is told why and picks a nearest one in place."""

import re
from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Appointment
from bookings.params import format_start
from tests.browser.axe import axe_violations
from tests.factories import clinic_with_hours

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_time_off_the_grid_is_explained_and_a_nearest_time_books_with_what_was_typed(live_server, page, screenshot):
    service, (therapist,), _ = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60)
    day = timezone.localdate() + timedelta(days=3)
    off_grid = timezone.make_aware(timezone.datetime.combine(day, time(10, 7)))
    page.goto(
        f"{live_server.url}/book/details/?service={service.slug}&therapist={therapist.slug}"
        f"&start={format_start(off_grid)}"
    )
    expect(page.get_by_role("alert")).to_contain_text("Sessions start every 15 minutes")
    expect(page.get_by_role("alert")).not_to_contain_text("just taken")
    choices = page.get_by_role("radio")
    expect(choices).to_have_count(3)
    page.locator("#id_name").fill("Ana Silva")
    page.locator("#id_email").fill("ana@example.com")
    page.locator("#id_phone").fill("617 555 0199")
    page.get_by_label(re.compile("consent to massage treatment")).check()
    page.get_by_label(re.compile(r"10:00 AM")).check()
    screenshot("off-grid")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    booked = Appointment.objects.get()
    assert (booked.client_name, timezone.localtime(booked.starts_at).time()) == ("Ana Silva", time(10))
