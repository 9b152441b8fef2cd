from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    """Money: the ledger, Stripe, and what bookings' changes cost. Sits above bookings and clients, never below."""

    name = "payments"
    verbose_name = "Payments"

    def ready(self):
        from django.db.models.signals import post_migrate
        from django.urls import reverse

        from core.paystep import payment_step_register
        from core.paysummary import payment_summary_register

        from . import listeners, panels, prepaid_listeners, prepaid_panels, webhook_handlers  # noqa: F401 (they register themselves)
        from .appendonly import ledger_guard_after_migrate
        from .paid_summary import appointment_paid_summary

        listeners.connect()
        post_migrate.connect(ledger_guard_after_migrate, sender=self)
        payment_step_register(lambda: reverse("payments:checkout"))
        payment_summary_register(appointment_paid_summary)
