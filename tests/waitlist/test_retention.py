"""The waitlist under the clinic's retention and erasure rules."""

from datetime import UTC, timedelta

import pytest
import time_machine
from django.test import Client

from bookings.maintenance import appointment_intake_erase_expired
from clients.models import Client as ClientRecord
from desk.services import client_data_erase
from tests.factories import StaffUserFactory
from waitlist.entries import entry_leave, move_earlier_request
from waitlist.models import Entry
from waitlist.retention import ERASED_NAME
from waitlist.tokens import entry_token

from .conftest import book, join, local

pytestmark = pytest.mark.django_db


def test_erasing_a_client_erases_their_entries_and_their_links(full_thursday):
    service, therapist, _, _ = full_thursday
    friday = book(service, therapist, local(2026, 3, 6, 15, 15).astimezone(UTC), name="Ana Silva")
    earlier = move_earlier_request(appointment=friday)
    own = join(service, name="Ana Silva", email="ANA@example.com")
    other = join(service, name="Bea Park")
    link = f"/waitlist/entry/{entry_token(own)}/"
    client_data_erase(client=ClientRecord.objects.get(email="ana@example.com"), requested_by=StaffUserFactory())
    for entry in (earlier, own):
        entry.refresh_from_db()
        assert (entry.name, entry.email, entry.phone, entry.state) == (ERASED_NAME, "", "", Entry.State.LEFT)
    other.refresh_from_db()
    assert other.name == "Bea Park" and other.state == Entry.State.WAITING
    assert Client().get(link).status_code == 404


def test_the_retention_run_blanks_entries_that_stopped_waiting_long_ago_and_keeps_the_rest(full_thursday, settings):
    settings.INTAKE_RETENTION_DAYS = 30
    service, _, _, _ = full_thursday
    left = join(service, name="Old Left")
    entry_leave(entry=left)
    expired = join(service, name="Old Expired", email="expired@example.com")
    with time_machine.travel(timedelta(days=20)):
        recent = join(service, name="Recent Leaver", days=(local(2026, 3, 23, 0).date(),) * 2)
        entry_leave(entry=recent)
        waiting = join(service, name="Still Waiting", days=(local(2026, 3, 23, 0).date(), local(2026, 4, 30, 0).date()))
    with time_machine.travel(timedelta(days=40)):
        appointment_intake_erase_expired()
    names = dict(Entry.objects.values_list("pk", "name"))
    assert names[left.pk] == ERASED_NAME and names[expired.pk] == ERASED_NAME
    assert names[recent.pk] == "Recent Leaver" and names[waiting.pk] == "Still Waiting"
    assert Entry.objects.get(pk=expired.pk).email == ""
