"""A clinic with payment rules, at the real time (localstripe signs its webhooks with the real clock)."""

from datetime import time, timedelta

from django.utils import timezone
from django.utils.http import urlencode

from bookings.availability import slots_available
from bookings.models import BookingPolicy
from core.clinictime import clinic_tz
from tests.factories import clinic_with_hours

DETAILS = {
    "name": "Ana Silva",
    "email": "ana@example.com",
    "phone": "617 555 0199",
    "consent": "on",
}


def paying_clinic(*, therapists=1, **service_rules):
    """A service open around the clock with ``service_rules`` (e.g. ``payment_at_booking="deposit"``)."""
    BookingPolicy.objects.create(late_cancel_fee_percent=50, no_show_fee_percent=100)
    service, team, rooms = clinic_with_hours(
        start=time(0), end=time(23, 45), duration_minutes=60, therapists=therapists, **service_rules
    )
    return service, team


def slot_days_ahead(service, therapist=None, days=3):
    """A free start ``days`` from now (past the 24-hour cancel cutoff)."""
    day = (timezone.now() + timedelta(days=days)).astimezone(clinic_tz()).date()
    return slots_available(service=service, therapist=therapist, start=day, end=day)[0]


def details_url(service, therapist, starts_at) -> str:
    query = {"service": service.slug, "therapist": therapist.slug, "start": starts_at.strftime("%Y-%m-%dT%H:%MZ")}
    return "/book/details/?" + urlencode(query)
