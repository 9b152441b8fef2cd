from django.apps import AppConfig


class WaitlistConfig(AppConfig):
    name = "waitlist"
    verbose_name = "Waitlist"

    def ready(self):
        from bookings.maintenance import retention_due
        from bookings.signals import time_freed

        from . import listeners, retention

        time_freed.connect(listeners.time_freed_received, dispatch_uid="waitlist.time_freed")
        retention_due.connect(retention.retention_due_received, dispatch_uid="waitlist.retention_due")
