"""The day grid: a column per therapist or room, blocks of their real length, free slots that book."""

import re

import pytest

pytestmark = pytest.mark.django_db
URL = "/staff/?date=2026-03-05"


def test_the_day_grid_shows_every_session_as_a_block_in_its_therapists_column(desk, busy_day):
    html = desk.get(URL).content.decode()
    assert html.count('class="desk-block ') == 40
    for therapist in busy_day["therapists"]:
        assert f">{therapist.name}</h2>" in html
    assert "Client 0" in html and "Client 39" in html


def test_a_session_spans_the_rows_of_its_length_and_cleanup(desk, busy_day):
    html = desk.get(URL).content.decode()
    # The 60-minute classic massage plus 15 minutes' cleanup at 9:00 covers five 15-minute rows from row 2.
    assert re.search(r'style="grid-row: 2 / span 5; grid-column: 2;"', html)
    assert "then 15 minutes' cleanup" in html


def test_the_grid_renders_in_a_constant_number_of_queries(desk, busy_day, django_assert_max_num_queries):
    with django_assert_max_num_queries(16):
        response = desk.get(URL)
    assert response.status_code == 200


def test_by_room_the_columns_are_the_rooms(desk, busy_day):
    html = desk.get(URL + "&by=room").content.decode()
    for room in busy_day["rooms"]:
        assert f">{room.name}</h2>" in html
    assert html.count('class="desk-block ') == 40


def test_free_slots_link_to_the_booking_form_with_the_therapist_and_time(desk, busy_day):
    html = desk.get(URL).content.decode()
    free, busy = busy_day["therapists"][4], busy_day["therapists"][0]  # the first four have an express at 4:30
    assert f"/staff/book/?start=2026-03-05T16%3A45-05%3A00&amp;therapist={free.slug}" in html
    assert f"/staff/book/?start=2026-03-05T16%3A45-05%3A00&amp;therapist={busy.slug}" not in html


def test_outside_hours_and_time_off_are_greyed_not_bookable(desk, busy_day):
    from bookings.models import TimeOff
    from tests.bookings.conftest import local

    therapist = busy_day["therapists"][5]
    TimeOff.objects.create(
        therapist=therapist, starts_at=local(2026, 3, 5, 15), ends_at=local(2026, 3, 5, 17), reason="Dentist"
    )
    html = desk.get(URL).content.decode()
    assert f"{therapist.name} away: Dentist" in html
    assert f"start=2026-03-05T15%3A30-05%3A00&amp;therapist={therapist.slug}" not in html


def test_the_glance_counts_the_days_sessions(desk, busy_day):
    html = desk.get(URL).content.decode()
    assert "<strong>40</strong> booked" in html and "<strong>0</strong> cancelled" in html
    assert "Next: " in html


def test_the_desk_is_for_the_front_desk_only(client, busy_day):
    from tests.factories import StaffUserFactory

    assert client.get(URL).status_code == 302
    client.force_login(StaffUserFactory(username="bookkeeper"))
    assert client.get(URL).status_code == 403


def test_a_health_data_reader_without_a_second_factor_is_sent_to_sign_in_with_one(
    client, busy_day, desk_user, settings
):
    settings.OTP_REQUIRED_FOR_HEALTH_DATA = True
    client.force_login(desk_user)
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_the_week_shows_seven_days(desk, busy_day):
    html = desk.get("/staff/week/?date=2026-03-05").content.decode()
    assert html.count('class="desk-week-day') == 7
    assert "Client 12" in html
