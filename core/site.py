"""The clinic's name and contact details, as every page, error page and email shows them."""

from urllib.parse import urlencode

from django.conf import settings

from .clinictime import clinic_zone_name


def clinic_details() -> dict:
    """The ``clinic`` context for templates; built from settings on each call, so tests may override them."""
    return {
        "name": settings.CLINIC_NAME,
        "address": settings.CLINIC_ADDRESS,
        "phone": settings.CLINIC_PHONE,
        "email": settings.CLINIC_EMAIL,
        "directions": settings.CLINIC_DIRECTIONS,
        "parking": settings.CLINIC_PARKING,
        "payment_note": settings.CLINIC_PAYMENT_NOTE,
        "map_url": "https://www.openstreetmap.org/search?" + urlencode({"query": settings.CLINIC_ADDRESS}),
        "time_zone": settings.CLINIC_TIME_ZONE,
        "time_zone_name": clinic_zone_name(),
    }
