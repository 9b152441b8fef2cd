"""A busy day at the desk: six therapists, six rooms and 40 sessions, booked through the booking service."""

from datetime import UTC, date, time, timedelta

from bookings.services import ClientDetails, appointment_book
from tests.bookings.conftest import local
from tests.factories import RoomFactory, ServiceFactory, TherapistFactory, WorkingHoursFactory


def busy_day_scene(desk_user, day=(2026, 3, 5), count=40):
    """Six therapists working 9 to 5 in six rooms, and 40 sessions booked through the service on Thursday."""
    rooms = [RoomFactory() for _ in range(6)]
    hour = ServiceFactory(name="Classic massage", slug="classic", duration_minutes=60, cleanup_minutes=15, rooms=rooms)
    half = ServiceFactory(name="Express massage", slug="express", duration_minutes=30, cleanup_minutes=10, rooms=rooms)
    therapists = []
    for position in range(6):
        therapist = TherapistFactory(name=f"Therapist {position + 1}", position=position, services=[hour, half])
        WorkingHoursFactory(therapist=therapist, weekday=date(*day).weekday(), start_time=time(9), end_time=time(17))
        therapists.append(therapist)
    booked = []
    for number in range(count):
        therapist = therapists[number % 6]
        slot = number // 6
        service = half if number % 3 or slot == 6 else hour
        starts = local(*day, 9) + timedelta(minutes=75 * slot)
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
