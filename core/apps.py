from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    """The ground floor: infrastructure every app may use and that imports none of them."""

    name = "core"
    verbose_name = "Site infrastructure"

    def ready(self):
        # Fill the task registry (core.queue) with every app's tasks, as the admin finds admin.py.
        autodiscover_modules("tasks")
        # Fill the page panels (core.panels) the same way: an app's panels.py adds to other apps' pages.
        autodiscover_modules("panels")
