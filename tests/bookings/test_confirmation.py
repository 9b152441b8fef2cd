"""What a client takes away from booking: the confirmation page, its email and the calendar file."""

import re
from datetime import time
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from icalendar import Calendar

from bookings.models import Appointment
from tests.factories import clinic_with_hours

pytestmark = pytest.mark.django_db
DETAILS = {"name": "Ana Silva", "email": "ana@example.com", "phone": "617 555 0199", "consent": "on"}
START = "2026-03-03T14:00Z"  # Tuesday 3 March 2026, 9:00 AM EST


@pytest.fixture
def service(monday_morning, settings):
    settings.CLINIC_DIRECTIONS = "Up the blue stairs behind the bakery."
    settings.CLINIC_PARKING = "Free parking in the yard after 6 PM."
    settings.CLINIC_PAYMENT_NOTE = "Card or cash at the desk."
    service, _, _ = clinic_with_hours(start=time(9), end=time(11), duration_minutes=60, price=Decimal("95.00"))
    return service


@pytest.fixture
def confirmed(client, service, django_capture_on_commit_callbacks):
    """Ana books Tuesday 9 AM; the confirmation page as she lands on it."""
    url = f"/book/details/?service={service.slug}&therapist=any&start={START}"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**DETAILS, "start": START})
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


def _links(html: str) -> dict[str, str]:
    return {
        unescape(text): unescape(href) for href, text in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>([^<]+)</a>', html)
    }


def test_the_confirmation_page_shows_the_price_and_that_it_is_all_due_at_the_clinic(confirmed):
    text = unescape(re.sub(r"<[^>]+>", " ", confirmed))
    assert re.search(r"Price\s+\$95\.00", text)
    assert re.search(r"Due at the clinic\s+\$95\.00: nothing is charged online\. Card or cash at the desk\.", text)


def test_the_confirmation_page_says_how_to_get_there_and_where_to_park(confirmed):
    assert "Up the blue stairs behind the bakery." in confirmed
    assert "Free parking in the yard after 6 PM." in confirmed
    assert _links(confirmed)["open a map"].startswith("https://www.openstreetmap.org/search?query=")


def test_the_confirmation_page_adds_the_session_to_google_or_outlook_through_plain_links(confirmed):
    links = _links(confirmed)
    google = urlsplit(links["Google Calendar"])
    assert google.netloc == "calendar.google.com"
    query = parse_qs(google.query)
    assert query["dates"] == ["20260303T140000Z/20260303T150000Z"]
    assert query["location"] == ["Riverside Massage Therapy, 214 Elm Street, Suite 3, Somerville, MA 02144"]
    outlook = parse_qs(urlsplit(links["Outlook.com"]).query)
    assert (outlook["startdt"], outlook["enddt"]) == (["2026-03-03T14:00:00Z"], ["2026-03-03T15:00:00Z"])
    # Nothing from either site loads with the page: they appear in links only, and never carry the manage link.
    assert not re.search(r'(src|srcset|action)="[^"]*(google|outlook|live)\.com', confirmed)
    assert "/book/manage/" not in links["Google Calendar"] + links["Outlook.com"]


def test_the_calendar_file_downloads_with_a_reminder_and_the_manage_link(client, confirmed):
    ics_url = _links(confirmed)["Calendar file (.ics)"]
    response = client.get(ics_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="session.ics"'
    calendar = Calendar.from_ical(response.content)
    assert calendar["method"] == "PUBLISH"
    (event,) = calendar.walk("VEVENT")
    (alarm,) = event.walk("VALARM")
    assert (alarm["action"], alarm["trigger"].to_ical()) == ("DISPLAY", b"-PT1H")
    manage_link = "https://clinic.test" + _links(confirmed)["manage your booking"]
    assert manage_link in str(event["description"]) and str(event["url"]) == manage_link


def test_a_calendar_file_link_with_a_broken_token_is_a_friendly_404(client, db):
    response = client.get("/book/manage/not-a-token/session.ics")
    assert response.status_code == 404
    assert "couldn't find that booking" in response.content.decode()


def test_the_confirmation_email_has_the_price_directions_parking_and_calendar_links(confirmed):
    (message,) = [m for m in mail.outbox if m.to == ["ana@example.com"]]
    html = message.alternatives[0][0]
    html_text = unescape(re.sub(r"<(?!a )[^>]+>", "", html))  # the words as read, and the links' addresses
    for body in (message.body, html_text):
        assert "Price: $95.00, all due at the clinic (nothing is charged online). Card or cash at the desk." in body
        assert "Up the blue stairs behind the bakery." in body and "Free parking in the yard after 6 PM." in body
        assert "https://calendar.google.com/calendar/render?action=TEMPLATE" in body
        assert "https://outlook.live.com/calendar/0/deeplink/compose?" in body


def test_the_emailed_calendar_file_reminds_an_hour_ahead_and_links_to_the_manage_page(confirmed):
    (message,) = [m for m in mail.outbox if m.to == ["ana@example.com"]]
    (event,) = Calendar.from_ical(message.attachments[0][1]).walk("VEVENT")
    assert event.walk("VALARM")[0]["trigger"].to_ical() == b"-PT1H"
    manage_link = re.search(r"https://clinic\.test/book/manage/\S+/", message.body).group(0)
    assert manage_link in str(event["description"])


def test_a_cancelled_sessions_calendar_file_sets_no_alarm(client, confirmed, django_capture_on_commit_callbacks):
    manage = _links(confirmed)["manage your booking"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(manage + "cancel/")
    assert Appointment.objects.get().status == "cancelled"
    (message,) = [m for m in mail.outbox if m.to == ["ana@example.com"]]
    (event,) = Calendar.from_ical(message.attachments[0][1]).walk("VEVENT")
    assert event.walk("VALARM") == []


def test_the_too_many_attempts_page_keeps_the_chosen_time_in_its_summary(client, service, rate_limit):
    rate_limit("bookings:book", 1)
    url = f"/book/details/?service={service.slug}&therapist=any&start={START}"
    client.post(url, {**DETAILS, "consent": "", "start": START})
    response = client.post(url, {**DETAILS, "start": START})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many booking attempts" in html
    assert "Tuesday 3 March 2026, 9:00 AM" in html
    assert f'name="start" value="{START}"' in html
