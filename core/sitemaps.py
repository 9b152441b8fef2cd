"""The sitemap base every app's sitemaps use: addresses on ``SITE_URL``, whatever host the request named."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap as DjangoSitemap


class Sitemap(DjangoSitemap):
    """Addresses on ``SITE_URL``, whichever host name the request came in on (like canonical links and emails)."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc
