"""Bookings' part of the sitemap: each public therapist profile."""

from core.sitemaps import Sitemap

from .selectors import therapists_public


class TherapistSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self):
        return therapists_public().order_by("slug")


SITEMAPS = {"therapists": TherapistSitemap}
