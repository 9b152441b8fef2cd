from datetime import datetime

from django.db.models import QuerySet

from core.generations import generation_cached_many
from core.httpcache import pages_generation

from .availability import LONGEST_BLOCK
from .models import Appointment, Service, Therapist


def services_active() -> QuerySet[Service]:
    return Service.objects.filter(is_active=True)


def therapists_public() -> QuerySet[Therapist]:
    return Therapist.objects.filter(is_active=True)


LISTS_SECONDS = 300


def _listed(name: str, compute) -> list:
    """``compute()``, kept in the cache until the bookings' public pages change (an admin edit of a service or a
    therapist says ``pages_changed("bookings")``) or five minutes pass."""
    return generation_cached_many(
        pages_generation("bookings"), {name: compute}, prefix="bookings:", seconds=lambda token: LISTS_SECONDS
    )[name]


def services_listed() -> list[Service]:
    """The active services, in their order, as the booking page lists them (cached)."""
    return _listed("services", lambda: list(services_active()))


def therapists_bookable(*, service: Service | None = None) -> QuerySet[Therapist]:
    therapists = therapists_public().filter(is_bookable_online=True)
    if service is not None:
        therapists = therapists.filter(services=service)
    return therapists


def appointments_for_schedule(*, start: datetime, end: datetime, therapist=None, room=None) -> QuerySet[Appointment]:
    appointments = Appointment.objects.filter(
        starts_at__lt=end, starts_at__gt=start - LONGEST_BLOCK, ends_at__gt=start
    ).select_related("service", "therapist", "room")
    if therapist is not None:
        appointments = appointments.filter(therapist=therapist)
    if room is not None:
        appointments = appointments.filter(room=room)
    return appointments.order_by("starts_at", "therapist__position")
