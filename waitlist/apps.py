from django.apps import AppConfig


class WaitlistConfig(AppConfig):
    name = "waitlist"
    verbose_name = "Waitlist"

    def ready(self):
        from bookings.maintenance import retention_due
        from bookings.signals import hold_confirmed, hold_released, time_freed

        from . import listeners, paid, retention

        time_freed.connect(listeners.time_freed_received, dispatch_uid="waitlist.time_freed")
        hold_confirmed.connect(paid.hold_confirmed_received, dispatch_uid="waitlist.hold_confirmed")
        hold_released.connect(paid.hold_released_received, dispatch_uid="waitlist.hold_released")
        retention_due.connect(retention.retention_due_received, dispatch_uid="waitlist.retention_due")
