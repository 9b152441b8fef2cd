from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    """Money: the ledger, Stripe, and what bookings' changes cost. Sits above bookings and clients, never below."""

    name = "payments"
    verbose_name = "Payments"
