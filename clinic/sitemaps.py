"""The whole sitemap, composed from each app's own sitemaps plus the site's landing pages."""

from django.urls import reverse

from blog.sitemaps import SITEMAPS as BLOG_SITEMAPS
from bookings.sitemaps import SITEMAPS as BOOKINGS_SITEMAPS
from core.sitemaps import Sitemap


class StaticPageSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return ["home", "bookings:start", "bookings:therapist_list", "blog:index"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {"static": StaticPageSitemap, **BLOG_SITEMAPS, **BOOKINGS_SITEMAPS}
