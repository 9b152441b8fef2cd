"""The retention rule covers client records: intake history and staff notes go with the sessions' intake."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from bookings.maintenance import appointment_intake_erase_expired
from clients.models import Client, ClientEvent, ClientIntake
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)


def client_seen(days_ago, *, notes="Prefers light pressure; had knee surgery", intake_taken_days_ago=None):
    with time_machine.travel(NOW - timedelta(days=400), tick=False):
        client = Client.objects.create(name="Ana Silva", email="ana@example.com", notes=notes)
    AppointmentFactory(client=client, starts_at=NOW - timedelta(days=days_ago, hours=1), status="completed")
    taken = NOW - timedelta(days=intake_taken_days_ago if intake_taken_days_ago is not None else days_ago + 2)
    ClientIntake.objects.create(client=client, taken_at=taken, medications="Warfarin")
    return client


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_a_client_last_seen_before_the_retention_period_loses_notes_and_intake_history(frozen):
    client = client_seen(366)
    appointment_intake_erase_expired()
    client.refresh_from_db()
    assert client.notes == "" and not client.intakes.exists()
    assert client.name == "Ana Silva"
    assert client.events.get(action=ClientEvent.Action.RETENTION).who == "system"


def test_a_client_still_coming_keeps_notes_and_their_newest_intake_but_not_steps_older_than_the_period(frozen):
    client = client_seen(10, intake_taken_days_ago=12)
    ClientIntake.objects.create(client=client, taken_at=NOW - timedelta(days=380), medications="Old answer")
    appointment_intake_erase_expired()
    client.refresh_from_db()
    assert client.notes.startswith("Prefers")
    assert [intake.medications for intake in client.intakes.all()] == ["Warfarin"]


def test_a_client_whose_only_intake_is_old_but_who_comes_again_keeps_it(frozen):
    client = client_seen(5, intake_taken_days_ago=500)
    appointment_intake_erase_expired()
    assert client.intakes.count() == 1
