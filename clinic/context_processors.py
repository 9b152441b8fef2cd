from django.conf import settings


def clinic(request):
    """The clinic's name and contact details, for the header, footer and page titles."""
    return {
        "clinic": {
            "name": settings.CLINIC_NAME,
            "address": settings.CLINIC_ADDRESS,
            "phone": settings.CLINIC_PHONE,
            "email": settings.CLINIC_EMAIL,
            "time_zone": settings.CLINIC_TIME_ZONE,
        },
        "site_url": settings.SITE_URL,
    }
