import hashlib
import re
from dataclasses import fields
from datetime import date, datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from core.clinictime import clinic_tz
from core.generations import generation_cached_many
from core.httpcache import pages_generation

from .availability import LONGEST_BLOCK, Setting
from .models import Appointment, BookingPolicy, Service, Therapist
from .sweep_reads import setting_read


def services_active() -> QuerySet[Service]:
    return Service.objects.filter(is_active=True)


def therapists_public() -> QuerySet[Therapist]:
    return Therapist.objects.filter(is_active=True)


LISTS_SECONDS = 300
SLUG = re.compile(r"[-a-zA-Z0-9_]+")
#: A kept setting is a pickled ``Setting``: its key names the fields it has, so during a deploy a process
#: never reads one kept by a release whose ``Setting`` had other fields (it would lack, or misread, them).
SETTING_FORM = hashlib.sha256(",".join(field.name for field in fields(Setting)).encode()).hexdigest()[:8]


def _kept(computes: dict) -> dict:
    """Each ``compute()``, kept in the cache until the bookings' public pages change or five minutes pass.

    Those pages change with any save or delete of a service, therapist, room, working hours, closure or
    the policy (``BookingsConfig.ready``), and with the admin's and the services' ``pages_changed``.
    """
    return generation_cached_many(
        pages_generation("bookings"), computes, prefix="bookings:", seconds=lambda token: LISTS_SECONDS
    )


def _listed(name: str, compute) -> list:
    return _kept({name: compute})[name]


def services_listed() -> list[Service]:
    """The active services, in their order, as the booking page lists them (cached)."""
    return _listed("services", lambda: list(services_active()))


def availability_kept(service_slug: str) -> tuple[BookingPolicy, Setting | None]:
    """The booking policy, and the setting of the active service at ``service_slug`` (None if there is none),
    as the public availability reads them: kept in the cache, in one round trip.

    The setting's closures are those from yesterday on: the public never books an earlier day.
    """
    computes = {"policy": BookingPolicy.current}
    # Only a plain slug names a cache entry; anything else names no service, without a query.
    plain = len(service_slug) <= Service._meta.get_field("slug").max_length and SLUG.fullmatch(service_slug)
    if plain:
        computes[f"setting:{SETTING_FORM}:{service_slug}"] = lambda: _setting(service_slug)
    kept = _kept(computes)
    return kept["policy"], kept.get(f"setting:{SETTING_FORM}:{service_slug}") if plain else None


def _setting(service_slug: str) -> Setting | None:
    service = services_active().filter(slug=service_slug).first()
    if service is None:
        return None
    today = timezone.now().astimezone(clinic_tz()).date()
    return setting_read(service=service, online_only=True, since=today - timedelta(days=1), until=date.max)


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
