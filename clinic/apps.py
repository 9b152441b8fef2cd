from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic site"

    def ready(self):
        from .pagecache import connect_signals

        connect_signals()


class ClinicAdminConfig(AdminConfig):
    default_site = "clinic.admin.ClinicAdminSite"
