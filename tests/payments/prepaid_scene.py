"""The scene for the package and gift card tests: a package on sale and bookings to spend it on."""

from datetime import timedelta

from django.utils import timezone

from payments.prepaid_models import Package
from tests.factories import AppointmentFactory, ServiceFactory


def package_make(*, sessions=5, price=40_000, valid_days=365, services=None) -> Package:
    package = Package.objects.create(
        name=f"{sessions} × 60-minute massage", sessions=sessions, price=price, valid_days=valid_days
    )
    package.services.set(services or [ServiceFactory()])
    return package


def appointment_for(service, *, days=3):
    return AppointmentFactory(service=service, starts_at=timezone.now().replace(microsecond=0) + timedelta(days=days))


def bookings_maker(service=None):
    """``make()`` returns a new booking of ``service`` each call, three hours after the last, for one therapist
    and room (cheaper than a new therapist per booking, and apart enough for PostgreSQL's overlap constraints)."""
    service = service or ServiceFactory()
    made = []

    def make():
        if not made:
            made.append(AppointmentFactory(service=service))
        else:
            first = made[0]
            gap = timedelta(hours=3 * len(made))
            made.append(
                AppointmentFactory(
                    service=service, therapist=first.therapist, room=first.room, starts_at=first.starts_at + gap
                )
            )
        return made[-1]

    return make
