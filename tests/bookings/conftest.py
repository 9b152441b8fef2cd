from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def _skip_postgres_only_on_sqlite(request):
    if request.node.get_closest_marker("postgres") is None:
        return
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL to run it)")


@pytest.fixture
def monday_morning():
    """Frozen at Monday 2 March 2026, 07:00 in New York (EST), the clinic's zone in tests."""
    with time_machine.travel(datetime(2026, 3, 2, 7, 0, tzinfo=NEW_YORK), tick=False) as traveller:
        yield traveller


def local(year, month, day, hour, minute=0, fold=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NEW_YORK, fold=fold)


@pytest.fixture
def booking(monday_morning):
    """Ana Silva's 60-minute session on Thursday 5 March 2026 at 10 AM, with a therapist who works 9 to 5."""
    from bookings.services import ClientDetails, appointment_book
    from tests.factories import clinic_with_hours

    service, (therapist,), _ = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60)
    client = ClientDetails(name="Ana Silva", email="ana@example.com", phone="1", consent=True)
    return appointment_book(
        service=service, therapist=therapist, starts_at=local(2026, 3, 5, 10).astimezone(UTC), client=client
    )


@pytest.fixture
def front_desk(client):
    """The test client, logged in as a member of the Front desk group."""
    from django.contrib.auth.models import Group

    from tests.factories import StaffUserFactory

    user = StaffUserFactory(username="desk")
    user.groups.add(Group.objects.get_or_create(name="Front desk")[0])
    client.force_login(user)
    return client
