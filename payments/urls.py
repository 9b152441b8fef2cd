from django.urls import path

from .views import prepaid, webhooks

app_name = "payments"

urlpatterns = [
    path("webhooks/stripe/", webhooks.stripe_webhook, name="stripe_webhook"),
    path("gift-cards/balance/", prepaid.giftcard_balance, name="giftcard_balance"),
]
