"""Every time a person reads is unambiguous on the days New York's clocks change.

Fall back: 1 November 2026 and 7 November 2027, 02:00 EDT becomes 01:00 EST (1:00 AM happens twice).
Spring forward: 8 March 2026 and 14 March 2027, 02:00 EST becomes 03:00 EDT.
"""

import re
from datetime import UTC, date, datetime, time
from html import unescape

import pytest
from django.core import mail
from icalendar import Calendar

from bookings.models import BookingPolicy, TimeOff
from bookings.moves import appointment_reschedule
from bookings.services import ClientDetails, appointment_book
from bookings.status_changes import appointment_cancel
from bookings.tasks import appointment_reminder_send
from bookings.tokens import feed_token, manage_token
from tests.factories import UserFactory, clinic_with_hours

pytestmark = pytest.mark.django_db
CLIENT = ClientDetails(name="Ana Silva", email="ana@example.com", phone="1", consent=True)
SUNDAY = 6
ZONE_NOTE = "Times are in the clinic's time, Eastern Time — New York."

# (the day, a 60-minute session's start in UTC, the day as pages write it, the session's times)
CHANGE_DAYS = [
    pytest.param(
        date(2026, 11, 1), datetime(2026, 11, 1, 5, tzinfo=UTC), "Sunday 1 November 2026",
        "1:00 AM EDT – 1:00 AM EST", id="fall-back-2026",
    ),
    pytest.param(
        date(2027, 11, 7), datetime(2027, 11, 7, 5, tzinfo=UTC), "Sunday 7 November 2027",
        "1:00 AM EDT – 1:00 AM EST", id="fall-back-2027",
    ),
    pytest.param(
        date(2026, 3, 8), datetime(2026, 3, 8, 6, 30, tzinfo=UTC), "Sunday 8 March 2026",
        "1:30 AM EST – 3:30 AM EDT", id="spring-forward-2026",
    ),
    pytest.param(
        date(2027, 3, 14), datetime(2027, 3, 14, 6, 30, tzinfo=UTC), "Sunday 14 March 2027",
        "1:30 AM EST – 3:30 AM EDT", id="spring-forward-2027",
    ),
]  # fmt: skip
FALL_BACK_DAYS = [date(2026, 11, 1), date(2027, 11, 7)]
SPRING_FORWARD_DAYS = [date(2026, 3, 8), date(2027, 3, 14)]


@pytest.fixture
def night(monday_morning):
    """A 60-minute session with a therapist who works Sundays from midnight to 4 AM, on a 30-minute grid."""
    service, (therapist,), _ = clinic_with_hours(
        weekdays=[SUNDAY], start=time(0), end=time(4), duration_minutes=60, cleanup_minutes=0
    )
    therapist.user = UserFactory(email="maya@clinic.test")
    therapist.save()
    BookingPolicy.objects.create(slot_step_minutes=30, max_advance_days=800, cancel_cutoff_hours=1)
    return service, therapist


def book(night, starts_at):
    service, therapist = night
    return appointment_book(service=service, therapist=therapist, starts_at=starts_at, client=CLIENT)


def text(html: str) -> str:
    words = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))
    return re.sub(r" ([.,;])", r"\1", words)


def calendar_buttons(client, night, day) -> list[str]:
    service, therapist = night
    html = client.get(f"/book/?service={service.slug}&therapist={therapist.slug}&date={day}").content.decode()
    links = re.findall(r'<a class="btn btn-outline-primary" href="[^"]*"[^>]*aria-label="([^"]*)">(.*?)</a>', html)
    return [f"{unescape(label)}<{unescape(name)}" for name, label in links]  # what shows, then the accessible name


@pytest.mark.parametrize("day", FALL_BACK_DAYS)
def test_the_calendar_tells_the_two_one_oclocks_of_a_fall_back_day_apart(client, night, day):
    buttons = calendar_buttons(client, night, day)
    assert [button.split("<")[0] for button in buttons] == [
        "12:00 AM EDT",
        "12:30 AM EDT",
        "1:00 AM EDT",
        "1:30 AM EDT",
        "1:00 AM EST",
        "1:30 AM EST",
        "2:00 AM EST",
        "2:30 AM EST",
        "3:00 AM EST",
    ]
    # The accessible names are all different too.
    assert len({button.split("<", 1)[1] for button in buttons}) == len(buttons)


@pytest.mark.parametrize("day", SPRING_FORWARD_DAYS)
def test_the_calendar_marks_every_time_of_a_spring_forward_day(client, night, day):
    assert [button.split("<")[0] for button in calendar_buttons(client, night, day)] == [
        "12:00 AM EST",
        "12:30 AM EST",
        "1:00 AM EST",
        "1:30 AM EST",
        "3:00 AM EDT",
    ]


def test_an_ordinary_day_shows_plain_times_and_names_the_zone_once(client, night):
    buttons = calendar_buttons(client, night, date(2026, 11, 8))
    assert buttons[0].split("<")[0] == "12:00 AM"
    assert not any("EST" in button or "EDT" in button for button in buttons)
    service, therapist = night
    html = client.get(f"/book/?service={service.slug}&therapist={therapist.slug}&date=2026-11-08").content.decode()
    assert ZONE_NOTE in text(html)
    assert "America/New_York" not in text(html)


@pytest.mark.parametrize(("day", "starts_at", "day_text", "times"), CHANGE_DAYS)
def test_the_details_page_says_which_time_was_chosen(client, night, day, starts_at, day_text, times):
    service, therapist = night
    html = client.get(
        f"/book/details/?service={service.slug}&therapist={therapist.slug}&start={starts_at:%Y-%m-%dT%H:%MZ}"
    ).content.decode()
    assert f"{day_text}, {times.split(' – ')[0]} {ZONE_NOTE}" in text(html)


@pytest.mark.parametrize("day", FALL_BACK_DAYS)
def test_the_details_page_of_the_second_one_oclock_says_est(client, night, day):
    service, therapist = night
    html = client.get(
        f"/book/details/?service={service.slug}&therapist={therapist.slug}&start={day}T06:00Z"
    ).content.decode()
    assert f", 1:00 AM EST {ZONE_NOTE}" in text(html)


@pytest.mark.parametrize(("day", "starts_at", "day_text", "times"), CHANGE_DAYS)
def test_the_confirmation_page_gives_the_session_times_with_their_abbreviations(
    client, night, day, starts_at, day_text, times
):
    service, therapist = night
    response = client.post(
        f"/book/details/?service={service.slug}&therapist={therapist.slug}&start={starts_at:%Y-%m-%dT%H:%MZ}",
        {"name": "Ana Silva", "email": "ana@example.com", "phone": "617 555 0199", "consent": "on",
         "start": f"{starts_at:%Y-%m-%dT%H:%MZ}"},
    )  # fmt: skip
    assert response.status_code == 302
    page = text(client.get(response["Location"]).content.decode())
    assert f"When {day_text}, {times} {ZONE_NOTE}" in page


@pytest.mark.parametrize(("day", "starts_at", "day_text", "times"), CHANGE_DAYS)
def test_the_manage_page_gives_the_session_times_with_their_abbreviations(
    client, night, day, starts_at, day_text, times
):
    appointment = book(night, starts_at)
    page = text(client.get(f"/book/manage/{manage_token(appointment)}/").content.decode())
    assert f"When {day_text}, {times} {ZONE_NOTE}" in page


@pytest.mark.parametrize("day", FALL_BACK_DAYS)
def test_the_move_page_tells_the_current_time_and_the_free_ones_apart(client, night, day):
    appointment = book(night, datetime.combine(day, time(5), tzinfo=UTC))
    page = text(client.get(f"/book/manage/{manage_token(appointment)}/move/?date={day}").content.decode())
    assert "at 1:00 AM EDT (60 minutes" in page
    assert f"Times on {day:%A} {day.day} November" in page
    assert " 1:30 AM EDT " in page and " 1:00 AM EST " in page


@pytest.mark.parametrize(("day", "starts_at", "day_text", "times"), CHANGE_DAYS)
def test_the_booking_emails_give_the_session_times_with_their_abbreviations(
    night, day, starts_at, day_text, times, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        book(night, starts_at)
    client_mail, staff_mail = mail.outbox
    assert client_mail.subject.endswith(f"on {day_text.rsplit(' ', 1)[0]}, {times.split(' – ')[0]}")
    for message in (client_mail, staff_mail):
        assert f"{day_text}, {times} (Eastern Time — New York)" in message.body
        assert f"{day_text}, {times} (Eastern Time — New York)" in text(message.alternatives[0].content)


@pytest.mark.parametrize(("day", "starts_at", "day_text", "times"), CHANGE_DAYS)
def test_the_reminder_gives_the_session_times_with_their_abbreviations(
    night, day, starts_at, day_text, times, django_capture_on_commit_callbacks
):
    appointment = book(night, starts_at)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_reminder_send.call(appointment_id=appointment.pk, starts_at=appointment.starts_at.isoformat())
    (reminder,) = mail.outbox
    assert reminder.subject.startswith("Reminder:") and times.split(" – ")[0] in reminder.subject
    assert f"{day_text}, {times} (Eastern Time — New York)" in reminder.body


@pytest.mark.parametrize("day", FALL_BACK_DAYS)
def test_a_move_between_the_two_one_oclocks_is_told_as_one(night, day, django_capture_on_commit_callbacks):
    appointment = book(night, datetime.combine(day, time(5), tzinfo=UTC))
    with django_capture_on_commit_callbacks(execute=True):
        appointment_reschedule(
            appointment=appointment, starts_at=datetime.combine(day, time(6), tzinfo=UTC), by_client=True
        )
    client_mail, staff_mail = mail.outbox
    assert client_mail.subject.endswith(", 1:00 AM EST")
    assert ", 1:00 AM EST – 2:00 AM EST (Eastern Time — New York)" in client_mail.body
    assert ", 1:00 AM EDT with " in staff_mail.body


@pytest.mark.parametrize("day", FALL_BACK_DAYS)
def test_the_cancellation_email_says_which_one_oclock_was_cancelled(night, day, django_capture_on_commit_callbacks):
    appointment = book(night, datetime.combine(day, time(6), tzinfo=UTC))
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=appointment, by_client=True)
    assert [message.subject.rsplit(", ", 1)[1] for message in mail.outbox] == ["1:00 AM EST", "1:00 AM EST"]


@pytest.mark.parametrize("day", FALL_BACK_DAYS)
def test_the_staff_schedule_tells_the_two_one_oclocks_apart(front_desk, night, day):
    book(night, datetime.combine(day, time(5), tzinfo=UTC))
    book(night, datetime.combine(day, time(6), tzinfo=UTC))
    # The old schedule's address opens the front desk's day grid, which has both one o'clocks as rows too.
    page = text(front_desk.get(f"/staff/schedule/?date={day}", follow=True).content.decode())
    assert "1:00 AM EDT – 1:00 AM EST Ana Silva" in page
    assert "1:00 AM EST – 2:00 AM EST Ana Silva" in page


@pytest.mark.parametrize(("day", "starts_at", "day_text", "times"), CHANGE_DAYS)
def test_the_calendar_file_says_the_clinic_time_with_its_abbreviations(
    night, day, starts_at, day_text, times, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        book(night, starts_at)
    ics = mail.outbox[0].attachments[0][1]
    (event,) = Calendar.from_ical(ics).walk("VEVENT")
    assert event.decoded("dtstart") == starts_at
    assert str(event["description"]).splitlines()[0] == f"At the clinic: {day_text}, {times} (Eastern Time — New York)."


def test_the_therapists_feed_says_the_clinic_time_too(client, night, monday_morning):
    _, therapist = night
    book(night, datetime(2026, 11, 1, 6, tzinfo=UTC))
    monday_morning.move_to(datetime(2026, 10, 20, tzinfo=UTC))
    ics = client.get(f"/calendar/{feed_token(therapist)}.ics").content
    (event,) = Calendar.from_ical(ics).walk("VEVENT")
    assert str(event["description"]).startswith(
        "At the clinic: Sunday 1 November 2026, 1:00 AM EST – 2:00 AM EST (Eastern Time — New York). Room:"
    )


@pytest.mark.parametrize("day", FALL_BACK_DAYS)
def test_the_admin_list_tells_the_two_one_oclocks_apart(admin_client, night, day):
    book(night, datetime.combine(day, time(5), tzinfo=UTC))
    book(night, datetime.combine(day, time(6), tzinfo=UTC))
    page = text(admin_client.get("/admin/bookings/appointment/").content.decode())
    assert f"Sun {day.day} Nov {day.year}, 1:00 AM EDT" in page and f"Sun {day.day} Nov {day.year}, 1:00 AM EST" in page


@pytest.mark.parametrize("day", FALL_BACK_DAYS)
def test_the_admin_page_of_a_booking_says_which_one_oclock_it_ends_at(admin_client, night, day):
    appointment = book(night, datetime.combine(day, time(5), tzinfo=UTC))
    page = text(admin_client.get(f"/admin/bookings/appointment/{appointment.pk}/change/").content.decode())
    assert f"Ends: Sun {day.day} Nov {day.year}, 1:00 AM EST" in page


@pytest.mark.parametrize("day", FALL_BACK_DAYS)
def test_a_booking_and_time_off_name_themselves_in_clinic_time(night, day):
    _, therapist = night
    appointment = book(night, datetime.combine(day, time(6), tzinfo=UTC))
    away = TimeOff(therapist=therapist, starts_at=datetime.combine(day, time(5), tzinfo=UTC))
    away.ends_at = datetime.combine(day, time(6, 30), tzinfo=UTC)
    when = f"Sun {day.day} Nov {day.year}"
    assert str(appointment).endswith(f", {when}, 1:00 AM EST")
    assert str(away) == f"{therapist}: {when}, 1:00 AM EDT – {when}, 1:30 AM EST"
