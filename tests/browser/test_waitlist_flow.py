"""The waitlist in Chromium: join from a full day, get the offer after a cancellation, take it; a second
person's click gets the friendly refusal; and "move me earlier" moves a booked session."""

import re
from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings.availability import slots_available
from bookings.models import Appointment
from bookings.services import ClientDetails, appointment_book
from bookings.status_changes import appointment_cancel
from bookings.tokens import manage_token
from tests.browser.axe import axe_violations
from tests.browser.staff_pages import PASSWORD, sign_in_as
from tests.factories import StaffUserFactory, clinic_with_hours
from waitlist.entries import Contact, Wish, entry_join
from waitlist.models import WaitlistPolicy

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def full_day():
    """Deep tissue with Maya, 9 to noon; in three days every time is booked, and everyone waiting is offered at once."""
    service, (therapist,), _ = clinic_with_hours(
        start=time(9), end=time(12), duration_minutes=60, name="Deep tissue massage", slug="deep-tissue"
    )
    therapist.name = "Maya Okafor"
    therapist.save()
    WaitlistPolicy.objects.create(strategy=WaitlistPolicy.Strategy.EVERYONE)
    day = timezone.localdate() + timedelta(days=3)
    booked = []
    while slots := slots_available(service=service, therapist=therapist, start=day, end=day):
        client = ClientDetails(
            name=f"Client {len(booked)}", email=f"c{len(booked)}@example.com", phone="1", consent=True
        )
        booked.append(appointment_book(service=service, therapist=therapist, starts_at=slots[0].start, client=client))
    return service, therapist, day, booked


def offer_path(mailoutbox, email):
    (message,) = [m for m in mailoutbox if m.to == [email] and "opened up" in m.subject]
    assert "Take this time" in message.alternatives[0][0]
    return re.search(r"https://clinic\.test(/waitlist/offer/\S+/)", message.body).group(1)


def test_a_full_day_is_refilled_from_the_waitlist(live_server, page, screenshot, mailoutbox, full_day):
    service, therapist, day, booked = full_day
    page.goto(f"{live_server.url}/book/?service={service.slug}&therapist={therapist.slug}&date={day.isoformat()}")
    expect(page.get_by_text("No free times on this day")).to_be_visible()
    screenshot("full-day")
    page.get_by_role("link", name="Join the waitlist for a time like this").click()
    expect(page.get_by_role("heading", name="Join the waitlist")).to_be_visible()
    expect(page.get_by_label("First day you could come")).to_have_value(day.isoformat())
    expect(page.get_by_label("Therapist", exact=True)).to_have_value(therapist.slug)
    page.locator("#id_name").fill("Ana Silva")
    page.locator("#id_email").fill("ana@example.com")
    page.get_by_role("button", name="Join the waitlist").click()
    expect(page.locator("#id_consent")).to_have_class(re.compile("is-invalid"))
    expect(page.locator("#id_name")).to_have_value("Ana Silva")
    page.get_by_label(re.compile("consent to massage treatment")).check()
    screenshot("join-form")
    page.get_by_role("button", name="Join the waitlist").click()
    expect(page.get_by_role("heading", name="You're on the waitlist")).to_be_visible()
    screenshot("joined")
    (joined,) = [m for m in mailoutbox if m.to == ["ana@example.com"] and "on the waitlist" in m.subject]
    entry_link = re.search(r"https://clinic\.test(/waitlist/entry/\S+/)", joined.body).group(1)
    assert entry_link in joined.alternatives[0][0]

    entry_join(
        wish=Wish(service=service, earliest_on=day, latest_on=day),
        contact=Contact(name="Bo Chen", email="bo@example.com", consent=True),
    )
    appointment_cancel(appointment=booked[1], by_client=False)
    ana_link, bo_link = offer_path(mailoutbox, "ana@example.com"), offer_path(mailoutbox, "bo@example.com")

    page.goto(live_server.url + entry_link)
    expect(page.locator("[data-entry-state]")).to_have_text("A time is offered")
    screenshot("entry-offered")
    page.get_by_role("link", name="See the offered time").click()
    expect(page).to_have_url(live_server.url + ana_link)
    screenshot("offer")
    page.get_by_role("button", name="Take this time").click()
    expect(page.get_by_role("heading", name="Your booking")).to_be_visible()
    expect(page.get_by_text(timezone.localtime(booked[1].starts_at).strftime("%-I:%M"))).not_to_have_count(0)
    screenshot("booked-from-offer")
    taken = Appointment.objects.get(client_email="ana@example.com")
    assert (taken.starts_at, taken.status) == (booked[1].starts_at, "booked")

    page.goto(live_server.url + entry_link)
    expect(page.locator("[data-entry-state]")).to_have_text("Booked")
    expect(page.get_by_role("link", name="See your booking")).to_be_visible()

    page.goto(live_server.url + bo_link)
    expect(page.get_by_role("heading", name="Someone just took that time")).to_be_visible()
    expect(page.locator("main [role=status]")).to_contain_text("you're still on the list")
    screenshot("second-taker-refused")
    assert Appointment.objects.filter(starts_at=booked[1].starts_at, status="booked").count() == 1


def test_move_me_earlier_moves_a_booking(live_server, page, screenshot, mailoutbox, full_day):
    service, therapist, day, booked = full_day
    later = appointment_book(
        service=service,
        therapist=therapist,
        starts_at=timezone.make_aware(timezone.datetime.combine(day + timedelta(days=1), time(10))),
        client=ClientDetails(name="Cy Li", email="cy@example.com", phone="1", consent=True),
    )
    page.goto(f"{live_server.url}/book/manage/{manage_token(later)}/")
    earlier = page.get_by_role("region", name="Move me earlier if something opens up")
    earlier.get_by_role("button", name="Move me earlier if something opens up").click()
    expect(page.get_by_text("We'll email you if an earlier time opens up")).to_be_visible()
    expect(page.get_by_role("button", name="Stop looking for an earlier time")).to_be_visible()
    screenshot("move-earlier-asked")

    appointment_cancel(appointment=booked[0], by_client=False)
    page.goto(live_server.url + offer_path(mailoutbox, "cy@example.com"))
    page.get_by_role("button", name="Take this time").click()
    expect(page.get_by_role("heading", name="Your booking")).to_be_visible()
    screenshot("moved-earlier")
    later.refresh_from_db()
    assert later.starts_at == booked[0].starts_at and later.status == "booked"


def test_the_desk_offers_a_waiting_person_a_time_by_hand(live_server, page, screenshot, mailoutbox, full_day):
    service, therapist, day, booked = full_day
    entry_join(
        wish=Wish(service=service, earliest_on=day, latest_on=day + timedelta(days=1)),
        contact=Contact(name="Dee Hand", email="dee@example.com", phone="617 555 0123", consent=True),
    )
    StaffUserFactory(username="owner", password=PASSWORD, is_superuser=True)
    sign_in_as(page, live_server.url, f"/staff/waitlist/?date={(day + timedelta(days=1)).isoformat()}", "owner")
    expect(page.get_by_role("heading", name="Dee Hand")).to_be_visible()
    assert axe_violations(page) == []
    screenshot("desk-waitlist")
    page.get_by_role("button", name="Offer to Dee Hand").click()
    expect(page.get_by_role("status")).to_contain_text("Offered to Dee Hand")
    expect(page.get_by_text("(by hand)")).to_be_visible()
    assert axe_violations(page) == []
    screenshot("desk-offered")
    assert offer_path(mailoutbox, "dee@example.com")
