"""Hand-typed junk in the desk's links and forms gets a page, never a server error."""

import pytest
from django.utils import timezone

from bookings.models import Appointment


@pytest.mark.parametrize("start", ["0001-01-01T00:00+14:00", "9999-12-31T23:59-14:00"])
def test_a_start_at_the_edge_of_the_calendar_opens_the_booking_form_without_a_time(desk, busy_day, start):
    response = desk.get("/staff/book/", {"start": start})
    assert response.status_code == 200
    assert response.context["form"].initial.get("time") is None


def test_a_picked_time_at_the_edge_of_the_calendar_keeps_the_form_as_typed(desk, busy_day):
    response = desk.post("/staff/book/", {"pick": "0001-01-01T00:00+14:00|1", "name": "Ana Typed"})
    assert response.status_code == 200
    assert "Ana Typed" in response.content.decode()


def test_moving_to_a_picked_time_at_the_edge_of_the_calendar_is_refused_without_a_server_error(desk, busy_day):
    session = Appointment.objects.first()
    before = session.starts_at
    response = desk.post(
        f"/staff/sessions/{session.pk}/move/", {"pick": f"9999-12-31T23:59-14:00|{session.therapist_id}"}
    )
    assert response.status_code == 200
    session.refresh_from_db()
    assert session.starts_at == before


@pytest.mark.parametrize("value", ["²", "١٢", "99999999999999999999999"])
def test_a_client_id_that_is_not_plain_digits_opens_the_form_for_a_new_client(desk, busy_day, value):
    response = desk.get("/staff/book/", {"client": value})
    assert response.status_code == 200
    assert response.context["client"] is None


def test_a_posted_client_id_that_is_not_plain_digits_is_refused_with_the_form_kept(desk, busy_day):
    response = desk.post("/staff/book/", {"client": "²", "name": "Ana Typed", "phone": "6175550100"})
    assert response.status_code == 200
    assert 'value="Ana Typed"' in response.content.decode()


def test_booking_a_client_erased_since_the_form_opened_says_why_it_is_refused(desk, busy_day):
    erased = Appointment.objects.first().client
    erased.erased_at = timezone.now()
    erased.save(update_fields=["erased_at"])
    hour, _ = busy_day["services"]
    therapist = busy_day["therapists"][0]
    form = {"client": erased.pk, "service": hour.pk, "therapist": therapist.pk, "date": "2026-03-05", "time": "16:00"}
    response = desk.post("/staff/book/", {**form, "name": "Ana Typed", "phone": "6175550100"})
    assert response.status_code == 200
    assert "That client record no longer exists (merged or erased)" in response.content.decode()
    assert not Appointment.objects.filter(client_name="Ana Typed").exists()


def test_the_search_results_drop_unknown_parameters_so_none_can_add_its_own(desk, busy_day):
    html = desk.post("/staff/book/?walk%26client%3D999=1", {"q": "Client 0"}).content.decode()
    assert "/staff/book/?client=" in html
    assert "walk%26" not in html and "client=999" not in html
