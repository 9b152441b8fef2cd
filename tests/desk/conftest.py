from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group

from bookings.services import ClientDetails, appointment_book
from tests.bookings.conftest import NEW_YORK, local
from tests.factories import RoomFactory, ServiceFactory, StaffUserFactory, TherapistFactory, WorkingHoursFactory

DAY = (2026, 3, 5)  # a Thursday


@pytest.fixture
def at_nine():
    """Thursday 5 March 2026, 09:00 in New York."""
    with time_machine.travel(datetime(2026, 3, 5, 9, 0, tzinfo=NEW_YORK), tick=False) as traveller:
        yield traveller


@pytest.fixture
def desk_user(db):
    user = StaffUserFactory(username="desk")
    user.groups.add(Group.objects.get_or_create(name="Front desk")[0])
    return user


@pytest.fixture
def desk(client, desk_user):
    client.force_login(desk_user)
    return client


@pytest.fixture
def busy_day(at_nine, desk_user):
    """Six therapists working 9 to 5 in six rooms, and 40 sessions booked through the service on Thursday."""
    rooms = [RoomFactory() for _ in range(6)]
    hour = ServiceFactory(name="Classic massage", slug="classic", duration_minutes=60, cleanup_minutes=15, rooms=rooms)
    half = ServiceFactory(name="Express massage", slug="express", duration_minutes=30, cleanup_minutes=10, rooms=rooms)
    therapists = []
    for position in range(6):
        therapist = TherapistFactory(name=f"Therapist {position + 1}", position=position, services=[hour, half])
        WorkingHoursFactory(therapist=therapist, weekday=3, start_time=time(9), end_time=time(17))
        therapists.append(therapist)
    booked = []
    for number in range(40):
        therapist = therapists[number % 6]
        slot = number // 6
        service = half if number % 3 or slot == 6 else hour
        starts = local(*DAY, 9) + timedelta(minutes=75 * slot)
        booked.append(
            appointment_book(
                service=service,
                therapist=therapist,
                starts_at=starts.astimezone(UTC),
                client=ClientDetails(
                    name=f"Client {number}", email=f"c{number}@example.com", phone=f"617555{number:04d}"
                ),
                source="staff",
                booked_by=desk_user,
                ignore_notice=True,
                allow_past=True,
            )
        )
    return {"therapists": therapists, "rooms": rooms, "services": (hour, half), "appointments": booked}
