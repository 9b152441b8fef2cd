from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig

from core import httpcache


class ClinicConfig(AppConfig):
    """The project shell: settings, root URLs, the home page, sitemaps and the demo commands."""

    name = "clinic"
    verbose_name = "Clinic site"

    def ready(self):
        from django.contrib import admin

        from . import staffaccounts

        staffaccounts.register(admin.site)
        httpcache.cacheable("home", seconds=300, depends_on=("bookings", "blog"))
        httpcache.cacheable("privacy", seconds=300)
        httpcache.cacheable("robots_txt", seconds=3600)
        httpcache.cacheable("sitemap", seconds=300, depends_on=("blog", "bookings"))


class ClinicAdminConfig(AdminConfig):
    default_site = "clinic.admin.ClinicAdminSite"
