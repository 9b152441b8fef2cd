from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig

from core import pagecache


class ClinicConfig(AppConfig):
    """The project shell: settings, root URLs, the home page, sitemaps and the demo commands."""

    name = "clinic"
    verbose_name = "Clinic site"

    def ready(self):
        pagecache.cacheable("home", timeout=300, depends_on=("bookings", "blog"))
        pagecache.cacheable("privacy", timeout=300)
        pagecache.cacheable("sitemap", timeout=300, depends_on=("blog",))


class ClinicAdminConfig(AdminConfig):
    default_site = "clinic.admin.ClinicAdminSite"
