from django.apps import AppConfig


class WaitlistConfig(AppConfig):
    name = "waitlist"
    verbose_name = "Waitlist"

    def ready(self):
        from bookings.signals import time_freed

        from . import listeners

        time_freed.connect(listeners.time_freed_received, dispatch_uid="waitlist.time_freed")
