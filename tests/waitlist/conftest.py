from datetime import UTC, date, time, timedelta

import pytest
from django.utils import timezone

from bookings.services import ClientDetails, appointment_book
from tests.bookings.conftest import (  # noqa: F401 - fixtures are used by name
    NEW_YORK,
    _skip_postgres_only_on_sqlite,
    local,
    monday_morning,
)
from tests.factories import clinic_with_hours
from waitlist.entries import Contact, Wish, entry_join
from waitlist.models import Opening

__all__ = ["NEW_YORK", "local", "join", "book", "opening_for"]

THURSDAY = date(2026, 3, 5)


def join(service, *, therapist=None, name="Bea Park", email=None, days=(THURSDAY, THURSDAY), **wish):
    """Put someone on the waitlist through the real service (the clock is wherever the test froze it)."""
    email = email or f"{name.split()[0].lower()}@example.com"
    return entry_join(
        wish=Wish(service=service, therapist=therapist, earliest_on=days[0], latest_on=days[1], **wish),
        contact=Contact(name=name, email=email, phone="617 555 0100", consent=True),
    )


def book(service, therapist, starts_at, *, name="Ana Silva"):
    client = ClientDetails(name=name, email=f"{name.split()[0].lower()}@example.com", phone="1", consent=True)
    return appointment_book(service=service, therapist=therapist, starts_at=starts_at, client=client)


def opening_for(therapist, starts_at, minutes=75, *, reason="cancelled", source=None):
    """A freed stretch recorded straight in the table, for the matching rules alone."""
    return Opening.objects.create(
        therapist=therapist,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        reason=reason,
        source_appointment=source,
        opened_at=timezone.now(),
    )


@pytest.fixture
def full_thursday(monday_morning):  # noqa: F811
    """One therapist, 9 to 5 every day, one room; Thursday 5 March booked solid with 60 + 15 minute sessions."""
    service, (therapist,), (room,) = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60)
    booked = []
    for hour, minute in [(9, 0), (10, 15), (11, 30), (12, 45), (14, 0), (15, 15)]:
        starts_at = local(2026, 3, 5, hour, minute).astimezone(UTC)
        booked.append(book(service, therapist, starts_at, name=f"Client {hour}{minute:02}"))
    return service, therapist, room, booked
