from datetime import UTC, time

import pytest

from bookings.services import ClientDetails, appointment_book
from bookings.signals import time_freed
from bookings.status_changes import appointment_cancel
from tests.factories import clinic_with_hours

from .conftest import local

pytestmark = pytest.mark.django_db
CLIENT = ClientDetails(name="Ana Silva", email="ana@example.com", phone="617 555 0199", consent=True)


@pytest.fixture
def heard():
    calls = []

    def listener(sender, **kwargs):
        calls.append(kwargs)

    time_freed.connect(listener)
    yield calls
    time_freed.disconnect(listener)


def test_a_cancellation_announces_the_session_and_its_cleanup_once_committed(
    monday_morning, heard, django_capture_on_commit_callbacks
):
    service, (therapist,), _ = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60, cleanup_minutes=15)
    booked = appointment_book(
        service=service, therapist=therapist, starts_at=local(2026, 3, 3, 10).astimezone(UTC), client=CLIENT
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        appointment_cancel(appointment=booked, by_client=False)
    assert heard == []
    for callback in callbacks:
        callback()
    assert heard == [
        {
            "signal": time_freed,
            "therapist_id": therapist.pk,
            "starts_at": local(2026, 3, 3, 10).astimezone(UTC),
            "ends_at": local(2026, 3, 3, 11, 15).astimezone(UTC),
            "reason": "cancelled",
            "appointment_id": booked.pk,
        }
    ]
