"""Joining the waitlist from the booking page: the form, its refusals, the confirmation email and page."""

import re
from datetime import date

import pytest
from django.core import mail

from waitlist.models import Entry

pytestmark = pytest.mark.django_db


def form_data(service, **changes):
    data = {
        "service": service.slug,
        "therapist": "",
        "earliest_on": "2026-03-05",
        "latest_on": "2026-03-12",
        "parts_of_day": ["morning", "evening"],
        "window_1_weekday": "",
        "window_1_starts": "",
        "window_1_ends": "",
        "notice_minutes": "180",
        "name": "Bea Park",
        "email": "Bea@Example.com",
        "phone": "617 555 0100",
        "consent": "on",
    }
    data.update(changes)
    return data


def test_a_full_day_on_the_calendar_offers_the_waitlist_with_its_service_therapist_and_day(client, full_thursday):
    service, therapist, _, _ = full_thursday
    html = client.get(f"/book/?service={service.slug}&therapist={therapist.slug}&date=2026-03-05").content.decode()
    assert "No free times on this day" in html
    assert "Join the waitlist for a time like this" in html
    assert f"/waitlist/join/?service={service.slug}&amp;therapist={therapist.slug}&amp;day=2026-03-05" in html


def test_a_day_with_times_has_only_a_quiet_waitlist_link(client, full_thursday):
    service, therapist, _, _ = full_thursday
    html = client.get(f"/book/?service={service.slug}&therapist={therapist.slug}&date=2026-03-06").content.decode()
    assert "No time that suits?" in html
    assert "Join the waitlist for a time like this" not in html


def test_the_times_fragment_the_script_swaps_in_carries_the_link_too(client, full_thursday):
    service, therapist, _, _ = full_thursday
    url = f"/book/?service={service.slug}&therapist={therapist.slug}&date=2026-03-05&fragment=times"
    assert "day=2026-03-05" in client.get(url).content.decode()


def test_the_join_form_is_prefilled_from_the_calendar(client, full_thursday):
    service, therapist, _, _ = full_thursday
    html = client.get(
        f"/waitlist/join/?service={service.slug}&therapist={therapist.slug}&day=2026-03-05"
    ).content.decode()
    assert f'<option value="{service.slug}" selected>' in html
    assert f'<option value="{therapist.slug}" selected>' in html
    assert 'name="earliest_on" value="2026-03-05"' in html
    assert 'name="latest_on" value="2026-03-12"' in html


def test_a_made_up_prefill_is_ignored_rather_than_refused(client, full_thursday):
    response = client.get("/waitlist/join/?service=nope&therapist=nobody&day=9999-99-99")
    assert response.status_code == 200
    assert 'name="earliest_on" value="2026-03-02"' in response.content.decode()


def test_joining_makes_the_entry_emails_a_private_link_and_shows_it(
    client, full_thursday, django_capture_on_commit_callbacks
):
    service, _, _, _ = full_thursday
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/waitlist/join/", form_data(service))
    assert response.status_code == 303 and response["Location"] == "/waitlist/joined/"
    entry = Entry.objects.get()
    assert (entry.email, entry.parts_of_day, entry.notice_minutes) == ("bea@example.com", ["evening", "morning"], 180)
    assert entry.therapist is None and entry.earliest_on == date(2026, 3, 5)
    (message,) = mail.outbox
    assert message.to == ["bea@example.com"] and "waitlist" in message.subject
    link = re.search(r"https://clinic.test(/waitlist/entry/\S+/)", message.body).group(1)
    assert entry.email not in link and "Park" not in link and "617" not in link
    html_part = message.alternatives[0][0]
    assert link in html_part
    page = client.get("/waitlist/joined/").content.decode()
    assert "You're on the waitlist" in page and link in page
    assert "Mornings, evenings" in page and "At least 3 hours&#x27; notice" in page


def test_explicit_windows_are_kept_and_shown_back_on_the_entry_page(client, full_thursday):
    service, _, _, _ = full_thursday
    data = form_data(service, parts_of_day=[], window_1_weekday="3", window_1_starts="12:00", window_1_ends="15:00")
    data.update(window_3_starts="17:00", window_3_ends="19:30")
    assert client.post("/waitlist/join/", data).status_code == 303
    windows = Entry.objects.get().windows.all()
    assert {(w.weekday, f"{w.starts:%H:%M}", f"{w.ends:%H:%M}") for w in windows} == {
        (None, "17:00", "19:30"),
        (3, "12:00", "15:00"),
    }
    page = client.get(client.get("/waitlist/joined/").context["entry_path"]).content.decode()
    assert "Thursdays 12:00 to 15:00" in page and "Every day 17:00 to 19:30" in page
    assert 'name="change-window_1_starts" value="' in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"consent": ""}, "consent", "consent to treatment"),
        ({"email": "bea@"}, "email", "complete email address"),
        ({"name": ""}, "name", "your name"),
        ({"earliest_on": "2026-03-01"}, "earliest_on", "can't be in the past"),
        ({"latest_on": "2026-03-04"}, "latest_on", "on or after the first day"),
        ({"latest_on": "2027-03-04"}, "latest_on", "days ahead"),
        ({"earliest_on": "5 March"}, "earliest_on", "a date like"),
        ({"window_1_starts": "15:00", "window_1_ends": "12:00"}, "window_1_starts", "end after it starts"),
        ({"window_2_starts": "15:00"}, "window_2_starts", "both a start and an end"),
        ({"notice_minutes": "99999"}, "notice_minutes", "Select a valid choice"),
    ],
)
def test_each_refusal_is_shown_beside_its_field_and_keeps_what_was_typed(
    client, full_thursday, changes, field, message
):
    service, _, _, _ = full_thursday
    response = client.post("/waitlist/join/", form_data(service, **changes))
    assert response.status_code == 400
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    html = response.content.decode()
    assert 'value="617 555 0100"' in html and "nothing you typed is lost" in html
    assert not Entry.objects.exists() and not mail.outbox


def test_a_therapist_who_does_not_give_the_service_is_refused_by_name(client, full_thursday):
    from tests.factories import clinic_with_hours

    service, _, _, _ = full_thursday
    _, (other,), _ = clinic_with_hours()
    response = client.post("/waitlist/join/", form_data(service, therapist=other.slug))
    assert response.status_code == 400
    assert f"{other.name} doesn't offer {service.name}" in " ".join(response.context["form"].errors["therapist"])


def test_joining_twice_for_the_same_thing_points_to_the_first_entry(
    client, full_thursday, django_capture_on_commit_callbacks
):
    service, _, _, _ = full_thursday
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/waitlist/join/", form_data(service))
        response = client.post("/waitlist/join/", form_data(service))
    assert response.status_code == 400
    assert "already on the waitlist" in response.content.decode()
    assert Entry.objects.count() == 1 and len(mail.outbox) == 1


def test_the_join_form_is_rate_limited_per_client(client, full_thursday, rate_limit):
    service, _, _, _ = full_thursday
    rate_limit("waitlist:join", 1)
    client.post("/waitlist/join/", form_data(service, email="a@example.com"))
    response = client.post("/waitlist/join/", form_data(service, email="b@example.com"))
    assert response.status_code == 429
    assert "Too many waitlist requests" in response.content.decode()
    assert 'value="b@example.com"' in response.content.decode()
    assert Entry.objects.count() == 1


def test_the_joined_page_without_a_join_goes_to_the_form(client, db):
    assert client.get("/waitlist/joined/")["Location"] == "/waitlist/join/"


def test_the_join_form_needs_csrf(full_thursday):
    from django.test import Client

    service, _, _, _ = full_thursday
    response = Client(enforce_csrf_checks=True).post("/waitlist/join/", form_data(service))
    assert response.status_code == 403 and not Entry.objects.exists()


def test_a_therapist_booked_solid_for_the_whole_advance_window_offers_the_waitlist(client, monday_morning):
    from datetime import UTC, time

    from bookings.models import BookingPolicy
    from tests.factories import clinic_with_hours

    from .conftest import book, local

    BookingPolicy.objects.update_or_create(pk=1, defaults={"max_advance_days": 6})
    service, (therapist,), _ = clinic_with_hours(weekdays=[3], start=time(9), end=time(11), duration_minutes=60)
    book(service, therapist, local(2026, 3, 5, 9).astimezone(UTC), name="First Client")
    html = client.get(f"/book/?service={service.slug}&therapist={therapist.slug}").content.decode()
    assert "Join the waitlist for a time like this" in html
    assert f"/waitlist/join/?service={service.slug}&amp;therapist={therapist.slug}" in html


def test_the_join_form_reads_in_a_few_queries(client, full_thursday, django_assert_max_num_queries):
    service, therapist, _, _ = full_thursday
    with django_assert_max_num_queries(8):
        assert client.get(f"/waitlist/join/?service={service.slug}&therapist={therapist.slug}").status_code == 200
