"""The demo clinic's first bookings, seeded after the payment rules (payments.demo) so that their emails say
what the clinic's terms are when payments are on.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from .availability import slots_available
from .demo import DEMO_CLIENTS, STAFF_USERNAME
from .models import Appointment, Service, Therapist
from .refusals import SlotTaken
from .services import ClientDetails, appointment_book


def seed(*, stdout) -> None:
    staff = get_user_model().objects.filter(username=STAFF_USERNAME).first()
    booked = _seed_appointments(staff)
    stdout.write(f"Bookings: {booked} new demo appointments.")


def _seed_appointments(staff) -> int:
    """A few bookings in the coming weeks, made through the booking service like any phone booking.

    Only on a clinic with no appointments yet, so running the seed again changes nothing.
    """
    if Appointment.objects.exists():
        return 0
    booked = 0
    today = timezone.localdate()
    for name, service_slug, therapist_slug, days_ahead in DEMO_CLIENTS:
        service = Service.objects.get(slug=service_slug)
        therapist = Therapist.objects.get(slug=therapist_slug)
        day = today + timedelta(days=days_ahead)
        slots = slots_available(service=service, therapist=therapist, start=day, end=day + timedelta(days=6))
        if not slots:
            continue
        slot = slots[len(slots) // 3]
        first, last = name.split()
        client = ClientDetails(
            name=name,
            email=f"{first.lower()}.{last.lower()}@example.com",
            phone="(617) 555-0100",
            consent=True,
            areas_to_avoid="Lower back, please go gently." if booked % 2 else "",
        )
        try:
            appointment_book(
                service=service,
                therapist=therapist,
                starts_at=slot.start,
                client=client,
                source=Appointment.Source.STAFF,
                booked_by=staff,
                ignore_notice=True,
            )
        except SlotTaken:
            continue
        booked += 1
    return booked
