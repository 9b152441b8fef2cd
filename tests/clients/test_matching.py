"""One record per person: a proven email joins bookings to it, a phone does for people without email."""

from datetime import UTC

import pytest

from bookings.models import Appointment
from bookings.services import ClientDetails, appointment_book
from clients.models import Client, ClientEvent
from clients.services import client_email_verify, client_merge
from tests.bookings.conftest import local
from tests.factories import StaffUserFactory, clinic_with_hours

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic(monday_morning):
    service, therapists, _ = clinic_with_hours(duration_minutes=60, therapists=2, rooms=2)
    return service, therapists


def book(clinic, hour, *, source="online", staff=None, **details):
    service, (therapist, _) = clinic
    defaults = {"name": "Ana Silva", "email": "ana@example.com", "phone": "(617) 555-0101", "consent": True}
    return appointment_book(
        service=service,
        therapist=therapist,
        starts_at=local(2026, 3, 5, hour).astimezone(UTC),
        client=ClientDetails(**{**defaults, **details}),
        source=source,
        booked_by=staff,
        ignore_notice=source != "online",
    )


def test_a_staff_booking_makes_a_verified_record_that_later_online_bookings_join(clinic):
    first = book(clinic, 10, source="staff", staff=StaffUserFactory())
    second = book(clinic, 12, email="ANA@example.com")
    assert first.client == second.client
    assert first.client.email_verified and Client.objects.count() == 1
    assert list(first.client.appointments.order_by("starts_at")) == [first, second]


def test_an_online_booking_under_an_unproven_address_starts_its_own_record(clinic):
    first = book(clinic, 10)
    second = book(clinic, 12, name="Someone Else", areas_to_avoid="Neck")
    assert first.client != second.client
    assert not first.client.email_verified


def test_opening_the_manage_link_proves_the_address_and_joins_the_records(clinic, client):
    from bookings.tokens import manage_token

    verified = book(clinic, 10, source="staff", staff=StaffUserFactory())
    Client.objects.filter(pk=verified.client_id).update(email_verified=False)
    online = book(clinic, 12)
    assert online.client_id != verified.client_id
    client.get(f"/book/manage/{manage_token(verified)}/")
    client.get(f"/book/manage/{manage_token(online)}/")
    online.refresh_from_db()
    assert online.client_id == verified.client_id
    assert Client.objects.count() == 1
    assert Client.objects.get().email_verified


def test_people_without_email_are_matched_by_phone_whatever_its_punctuation(clinic):
    staff = StaffUserFactory()
    first = book(clinic, 10, source="staff", staff=staff, email="", phone="617 555 0199")
    second = book(clinic, 12, source="staff", staff=staff, email="", phone="(617) 555-0199", name="Ana S.")
    assert first.client == second.client
    assert first.client.name == "Ana Silva"


def test_each_booking_with_new_answers_adds_a_step_to_the_intake_history_and_the_same_answers_add_none(clinic):
    staff = StaffUserFactory()
    book(clinic, 10, source="staff", staff=staff, allergies="Almond oil")
    book(clinic, 12, source="staff", staff=staff, allergies="Almond oil")
    third = book(clinic, 14, source="staff", staff=staff, allergies="Almond oil", medications="Warfarin")
    intakes = list(third.client.intakes.all())
    assert [intake.medications for intake in intakes] == ["Warfarin", ""]
    assert intakes[0].allergies == "Almond oil" and intakes[0].consent_at is not None


def test_merging_moves_the_duplicates_bookings_and_intake_and_says_who_merged(clinic):
    staff = StaffUserFactory(username="desk")
    kept = book(clinic, 10, source="staff", staff=staff, email="", phone="617 555 0000")
    duplicate = book(clinic, 12, name="Ana Silva", email="ana.silva@example.com", allergies="Nuts")
    merged = client_merge(keep=kept.client, duplicate=duplicate.client, changed_by=staff)
    assert Client.objects.count() == 1
    assert set(merged.appointments.all()) == {kept, duplicate}
    assert [intake.allergies for intake in merged.intakes.all()] == ["Nuts", ""]
    assert merged.email == "ana.silva@example.com"
    event = merged.events.get(action=ClientEvent.Action.MERGED)
    assert event.who == "desk" and "ana.silva@example.com" in event.changes["merged"]


def test_a_record_cannot_be_merged_into_itself(clinic):
    from clients.services import ClientError

    booking = book(clinic, 10)
    with pytest.raises(ClientError, match="same one"):
        client_merge(keep=booking.client, duplicate=booking.client, changed_by=None)


def test_verifying_twice_changes_nothing_more(clinic):
    booking = book(clinic, 10)
    client_email_verify(client=booking.client)
    client_email_verify(client=Client.objects.get())
    assert ClientEvent.objects.filter(action=ClientEvent.Action.VERIFIED).count() == 1
    assert Appointment.objects.get().client.email_verified
