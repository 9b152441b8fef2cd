"""Dates at the edges of the calendar (year 1, year 9999) get a clear answer, never a 500."""

from datetime import time

import pytest

from bookings.models import Appointment
from bookings.tokens import manage_token
from tests.factories import clinic_with_hours

pytestmark = pytest.mark.django_db

EDGES = ["0001-01-01", "0001-01", "9999-12-31", "9999-12", "1899-12-31", "3000-01-01"]


@pytest.fixture
def scene(monday_morning):
    service, (therapist,), _ = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60)
    return service, therapist


def param_for(edge: str) -> str:
    return "month" if len(edge) == 7 else "date"


@pytest.mark.parametrize("edge", EDGES)
def test_the_booking_calendar_explains_a_date_at_the_edge_of_time(client, scene, edge):
    service, _ = scene
    response = client.get("/book/", {"service": service.slug, "therapist": "any", param_for(edge): edge})
    assert response.status_code == 400
    assert "That date doesn" in response.content.decode()


@pytest.mark.parametrize("edge", EDGES)
def test_the_move_calendar_explains_a_date_at_the_edge_of_time(client, booking, edge):
    response = client.get(f"/book/manage/{manage_token(booking)}/move/", {param_for(edge): edge})
    assert response.status_code == 400


@pytest.mark.parametrize("start", ["9999-12-31T23:30:00+00:00", "0001-01-01T00:00:00+00:00"])
def test_the_details_step_refuses_a_start_at_the_edge_of_time(client, scene, start):
    service, _ = scene
    response = client.get("/book/details/", {"service": service.slug, "therapist": "any", "start": start})
    assert response.status_code == 400


@pytest.mark.parametrize(("start", "end"), [("9999-12-31", "9999-12-31"), ("0001-01-01", "0001-01-02")])
def test_the_availability_api_names_the_accepted_years(client, scene, start, end):
    service, _ = scene
    response = client.get("/api/availability/", {"service": service.slug, "start": start, "end": end})
    assert response.status_code == 400
    assert "between the years 1900 and 2999" in response.json()["error"]


@pytest.mark.parametrize("view", ["day", "week"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_the_staff_schedule_survives_a_date_at_the_edge_of_time(front_desk, scene, view, day):
    assert front_desk.get("/staff/schedule/", {"date": day, "view": view}, follow=True).status_code == 200


@pytest.mark.parametrize(("day", "message"), [("9999-12-31", "more than 3 years ahead"), ("0001-01-01", "a year ago")])
def test_a_phone_booking_with_a_mistyped_year_is_refused_with_a_reason_and_nothing_saved(
    front_desk, scene, day, message
):
    service, therapist = scene
    response = front_desk.post(
        "/staff/appointments/new/",
        {
            "service": service.pk,
            "therapist": therapist.pk,
            "date": day,
            "time": "23:30",
            "name": "Far Future",
            "email": "far@example.com",
            "phone": "617 555 0100",
            "override_notice": "on",
        },
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Appointment.objects.exists()
