"""Check in, completed, no-show, cancel with a reason, move, and undo: each in the history with who did it."""

from datetime import date, timedelta

import pytest

from bookings.models import Appointment, BookingEvent, Closure, TimeOff, WorkingHours

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(busy_day):
    return busy_day["appointments"][0]  # Client 0, 9:00 with the first therapist


def test_checking_in_marks_the_client_arrived_in_the_grid_and_the_history(desk, session):
    response = desk.post(f"/staff/sessions/{session.pk}/check_in/")
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.arrived_at is not None
    event = session.events.get(action=BookingEvent.Action.ARRIVED)
    assert event.who == "desk"
    html = desk.get("/staff/?date=2026-03-05").content.decode()
    assert "<strong>1</strong> arrived" in html and "Checked in Client 0" in html


def test_cancelling_asks_first_and_needs_a_reason(desk, session):
    page = desk.get(f"/staff/sessions/{session.pk}/cancel/").content.decode()
    assert "Cancel the session?" in page and "Reason for cancelling" in page
    session.refresh_from_db()
    assert session.status == "booked"
    response = desk.post(f"/staff/sessions/{session.pk}/cancel/", {"reason": ""})
    assert "This field is required" in response.content.decode()
    desk.post(f"/staff/sessions/{session.pk}/cancel/", {"reason": "Client has a cold"})
    session.refresh_from_db()
    assert (session.status, session.cancel_reason) == ("cancelled", "Client has a cold")
    event = session.events.get(action=BookingEvent.Action.CANCELLED)
    assert event.who == "desk" and event.changes["reason"] == ["", "Client has a cold"]


def test_a_cancel_is_undone_from_the_banner_while_the_time_is_still_free(desk, session):
    desk.post(f"/staff/sessions/{session.pk}/cancel/", {"reason": "Wrong day"})
    html = desk.get("/staff/?date=2026-03-05").content.decode()
    assert f'action="/staff/sessions/{session.pk}/undo/"' in html
    desk.post(f"/staff/sessions/{session.pk}/undo/")
    session.refresh_from_db()
    assert (session.status, session.cancel_reason) == ("booked", "")
    assert session.events.order_by("-pk").first().action == BookingEvent.Action.UNDONE


def test_a_cancel_cannot_be_undone_once_someone_else_has_the_time(desk, session, desk_user):
    from bookings.services import ClientDetails, appointment_book

    desk.post(f"/staff/sessions/{session.pk}/cancel/", {"reason": "Wrong day"})
    appointment_book(
        service=session.service,
        therapist=session.therapist,
        starts_at=session.starts_at,
        client=ClientDetails(name="Dana", email="", phone="555"),
        source="staff",
        booked_by=desk_user,
        ignore_notice=True,
        allow_past=True,
    )
    response = desk.post(f"/staff/sessions/{session.pk}/undo/", follow=True)
    assert "booked for someone else since the cancel" in response.content.decode()
    session.refresh_from_db()
    assert session.status == "cancelled"


def test_an_undo_after_the_window_is_refused(desk, session, at_nine):
    desk.post(f"/staff/sessions/{session.pk}/cancel/", {"reason": "Wrong day"})
    at_nine.shift(11 * 60)
    response = desk.post(f"/staff/sessions/{session.pk}/undo/", follow=True)
    assert "can be undone for 10 minutes" in response.content.decode()


def test_a_no_show_is_confirmed_then_recorded_and_can_be_undone(desk, session, at_nine):
    at_nine.shift(20 * 60)
    assert "Mark as a no-show?" in desk.get(f"/staff/sessions/{session.pk}/no_show/").content.decode()
    desk.post(f"/staff/sessions/{session.pk}/no_show/")
    session.refresh_from_db()
    assert session.status == "no_show"
    desk.post(f"/staff/sessions/{session.pk}/undo/")
    session.refresh_from_db()
    assert session.status == "booked"


def test_moving_picks_a_new_time_and_tells_the_client(desk, busy_day):
    from core.models import OutgoingEmail

    session = busy_day["appointments"][4]  # the fifth therapist, 9:00
    response = desk.post(
        f"/staff/sessions/{session.pk}/move/", {"date": "2026-03-05", "time": "16:00", "override_notice": "on"}
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.starts_at.astimezone().hour in (16, 21)
    assert session.events.get(action=BookingEvent.Action.MOVED).who == "desk"
    assert OutgoingEmail.objects.filter(recipients=[session.client_email], reference__endswith="moved").exists()


def test_a_move_onto_a_taken_time_offers_free_times_as_buttons(desk, busy_day):
    session = busy_day["appointments"][4]
    html = desk.post(
        f"/staff/sessions/{session.pk}/move/", {"date": "2026-03-05", "time": "15:15", "override_notice": "on"}
    ).content.decode()
    assert "Someone is already booked then" in html and 'name="pick"' in html
    assert Appointment.objects.get(pk=session.pk).starts_at == session.starts_at


def test_an_unknown_action_is_not_found(desk, session):
    assert desk.post(f"/staff/sessions/{session.pk}/explode/").status_code == 404


def test_undoing_a_cancel_is_refused_once_the_clinic_is_closed_that_day(desk, session):
    desk.post(f"/staff/sessions/{session.pk}/cancel/", {"reason": "Ill"})
    Closure.objects.create(starts_on=date(2026, 3, 5), ends_on=date(2026, 3, 5), reason="Flood")
    response = desk.post(f"/staff/sessions/{session.pk}/undo/", follow=True)
    assert "can&#x27;t be undone now: The clinic is closed on Thursday 5 March." in response.content.decode()
    assert Appointment.objects.get(pk=session.pk).status == "cancelled"


def test_undoing_a_cancel_is_refused_once_the_therapist_is_away_then(desk, session):
    desk.post(f"/staff/sessions/{session.pk}/cancel/", {"reason": "Ill"})
    TimeOff.objects.create(
        therapist=session.therapist, starts_at=session.starts_at, ends_at=session.starts_at + timedelta(hours=2)
    )
    response = desk.post(f"/staff/sessions/{session.pk}/undo/", follow=True)
    assert "can&#x27;t be undone now:" in response.content.decode()
    assert "is away at that time." in response.content.decode()
    assert Appointment.objects.get(pk=session.pk).status == "cancelled"


def test_undoing_a_cancel_is_refused_once_the_therapist_no_longer_works_then(desk, session):
    desk.post(f"/staff/sessions/{session.pk}/cancel/", {"reason": "Ill"})
    WorkingHours.objects.filter(therapist=session.therapist).delete()
    response = desk.post(f"/staff/sessions/{session.pk}/undo/", follow=True)
    assert "can&#x27;t be undone now:" in response.content.decode()
    assert "doesn&#x27;t work at that time" in response.content.decode()
    assert Appointment.objects.get(pk=session.pk).status == "cancelled"
