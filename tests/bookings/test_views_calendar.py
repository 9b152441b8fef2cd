"""The booking calendar as the server renders it: where it opens, how a day's times read, and its fragments."""

import re
from datetime import date, time

import pytest

from bookings.models import Closure
from tests.factories import AppointmentFactory, clinic_with_hours

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(monday_morning):
    service, (maya, daniel), rooms = clinic_with_hours(
        start=time(9), end=time(19), duration_minutes=60, therapists=2, rooms=2, price="90.00"
    )
    maya.name, daniel.name = "Maya Okafor", "Daniel Reyes"
    maya.save()
    daniel.save()
    return service, maya, daniel


def calendar(client, service, therapist="any", query=""):
    response = client.get(f"/book/?service={service.slug}&therapist={therapist}{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_the_calendar_opens_on_the_first_day_with_free_times_and_shows_them(client, scene):
    service, _, _ = scene
    html = calendar(client, service)
    assert "Times on Monday 2 March" in html
    assert re.search(r'data-date="2026-03-02" aria-label="Monday 2 March, [^"]+" aria-current="date"', html)
    assert "9:00 AM" in html


def test_an_empty_month_is_skipped_for_the_first_one_with_a_free_time(client, scene):
    service, _, _ = scene
    Closure.objects.create(starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 31), reason="Renovation")
    html = calendar(client, service)
    assert "April 2026" in html
    assert "Times on Wednesday 1 April" in html


def test_the_first_free_time_is_a_link_that_picks_it(client, scene):
    service, _, _ = scene
    html = calendar(client, service, query="&month=2026-04")
    link = re.search(r'First free time: <a href="([^"]+)">Wednesday 1 April at 9:00 AM</a>', html)
    assert link is not None
    assert "start=2026-04-01T13%3A00Z" in link.group(1).replace("&amp;", "&")
    assert link.group(1).startswith("/book/details/")


def test_a_days_times_are_grouped_by_morning_afternoon_and_evening(client, scene):
    service, maya, _ = scene
    html = calendar(client, service, maya.slug, "&date=2026-03-03")
    headings = re.findall(r"<h3[^>]*>(\w+)</h3>", html)
    assert headings == ["Morning", "Afternoon", "Evening"]
    morning, afternoon, evening = re.split(r"<h3[^>]*>\w+</h3>", html)[1:]
    assert "11:45 AM" in morning and "12:00 PM" not in morning
    assert "12:00 PM" in afternoon and "4:45 PM" in afternoon and "5:00 PM" not in afternoon
    assert "5:00 PM" in evening and "6:00 PM" in evening


def test_with_first_available_each_time_says_who_it_is_with(client, scene):
    service, maya, daniel = scene
    AppointmentFactory(service=service, therapist=daniel, starts_at=local(2026, 3, 3, 9))
    html = calendar(client, service, query="&date=2026-03-03")
    assert (
        'aria-label="9:00 AM on Tuesday 3 March with Maya Okafor">9:00 AM<span class="d-block small">with Maya</span>'
        in html
    )
    # Maya has no booking that day, so she is the fair first choice; Daniel is free again from 10:15.
    assert (
        'aria-label="11:00 AM on Tuesday 3 March with Maya Okafor or Daniel Reyes">11:00 AM'
        '<span class="d-block small">with Maya or Daniel</span>'
    ) in html


def test_with_one_therapist_each_time_is_named_with_its_day_and_therapist(client, scene):
    service, maya, _ = scene
    html = calendar(client, service, maya.slug, "&date=2026-03-05")
    assert 'aria-label="10:00 AM on Thursday 5 March with Maya Okafor">10:00 AM</a>' in html
    assert "with Maya</span>" not in html  # the heading already names her


def test_the_calendar_step_shows_the_sessions_length_and_price(client, scene):
    service, maya, _ = scene
    assert "60 minutes · $90.00" in calendar(client, service, maya.slug)


def test_the_times_fragment_is_only_the_days_times(client, scene):
    service, maya, _ = scene
    html = calendar(client, service, maya.slug, "&date=2026-03-04&fragment=times")
    assert "<html" not in html and "<table" not in html
    assert "Times on Wednesday 4 March" in html and "Morning" in html


def test_the_month_fragment_is_the_grid_with_no_day_chosen_for_the_visitor(client, scene):
    service, maya, _ = scene
    html = calendar(client, service, maya.slug, "&month=2026-04&fragment=month")
    assert "<html" not in html and "Times on" not in html
    assert "April 2026" in html and 'aria-current="date"' not in html
    assert 'data-date="2026-04-30"' in html


def test_days_without_times_still_carry_their_date_for_the_arrow_keys(client, scene):
    service, maya, _ = scene
    html = calendar(client, service, maya.slug)
    assert re.search(r'data-date="2026-03-01"><span aria-hidden="true">1</span>', html)
    assert "Sunday 1 March, no times available" in html
