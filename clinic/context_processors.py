from django.conf import settings

from core.site import clinic_details


def clinic(request):
    """The clinic's name and contact details, for the header, footer and page titles."""
    return {"clinic": clinic_details(), "site_url": settings.SITE_URL}
