"""Client search and the client page: history, notes, intake, book again, merge, export and erase."""

import json

import pytest

from bookings.models import Appointment
from clients.models import Client, ClientEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def regular(busy_day):
    session = busy_day["appointments"][3]
    client = session.client
    client.notes = "Prefers light pressure"
    client.save()
    return client, session


def test_the_header_search_finds_a_client_by_phone_and_opens_their_page(desk, regular):
    client, _ = regular
    response = desk.post("/staff/clients/", {"q": client.phone[-4:]})
    assert response.status_code == 302 and response["Location"] == f"/staff/clients/{client.pk}/"


def test_the_client_page_shows_sessions_notes_and_book_again_with_the_same_service_and_therapist(desk, regular):
    client, session = regular
    html = desk.get(f"/staff/clients/{client.pk}/").content.decode()
    assert "Prefers light pressure" in html and "Upcoming sessions" in html
    assert session.service.name in html
    assert (
        f"/staff/book/?client={client.pk}&amp;service={session.service.slug}&amp;therapist={session.therapist.slug}"
        in html
    )


def test_book_again_opens_the_form_with_the_client_service_and_therapist(desk, regular):
    client, session = regular
    html = desk.get(
        f"/staff/book/?client={client.pk}&service={session.service.slug}&therapist={session.therapist.slug}"
    ).content.decode()
    assert f'value="{client.name}"' in html
    assert f'<option value="{session.service.pk}" selected>' in html
    assert f'<option value="{session.therapist.pk}" selected>' in html


def test_no_shows_and_late_cancels_are_counted(desk, regular, at_nine):
    from bookings.status_changes import appointment_cancel

    client, session = regular
    appointment_cancel(appointment=session, by_client=False, reason="Overslept")
    html = desk.get(f"/staff/clients/{client.pk}/").content.decode()
    assert "1 late cancel" in html and "Overslept" in html


def test_editing_notes_is_audited_without_the_notes_text(desk, regular):
    client, _ = regular
    data = {
        "name": client.name,
        "phone": client.phone,
        "email": client.email,
        "date_of_birth": "1980-02-29",
        "notes": "Knee surgery in May",
    }
    assert desk.post(f"/staff/clients/{client.pk}/edit/", data).status_code == 302
    event = client.events.get(action=ClientEvent.Action.CHANGED)
    assert event.changes["notes"] == "updated" and "Knee" not in json.dumps(event.changes)
    assert event.who == "desk"


def test_a_duplicate_is_merged_from_the_client_page(desk, regular):
    client, _ = regular
    duplicate = Client.objects.create(name=client.name, phone=client.phone)
    html = desk.get(f"/staff/clients/{client.pk}/").content.decode()
    assert "Possible duplicates" in html
    desk.post(f"/staff/clients/{client.pk}/merge/", {"duplicate": duplicate.pk})
    assert not Client.objects.filter(pk=duplicate.pk).exists()


def test_export_downloads_everything_and_is_recorded(desk, regular):
    client, session = regular
    response = desk.post(f"/staff/clients/{client.pk}/export/")
    data = json.loads(response.content)
    assert response["Content-Disposition"].startswith("attachment")
    assert data["client"]["staff_notes"] == "Prefers light pressure"
    assert data["sessions"][0]["service"] == session.service.name
    assert client.events.filter(action=ClientEvent.Action.EXPORTED).exists()


def test_erasing_needs_the_name_typed_and_blanks_the_record_and_its_bookings(desk, regular):
    client, session = regular
    response = desk.post(f"/staff/clients/{client.pk}/erase/", {"confirm": "someone else"})
    assert "Type the name exactly" in response.content.decode()
    desk.post(f"/staff/clients/{client.pk}/erase/", {"confirm": client.name})
    client.refresh_from_db()
    assert (client.name, client.phone, client.email, client.notes) == ("Erased client", "", "", "")
    session = Appointment.objects.get(pk=session.pk)
    assert (session.client_name, session.client_email, session.client_phone) == ("Erased client", "", "")
    assert session.status == "booked"
