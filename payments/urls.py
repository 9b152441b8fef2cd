from django.urls import path

from .views import checkout, prepaid, receipts, webhooks

app_name = "payments"

urlpatterns = [
    path("webhooks/stripe/", webhooks.stripe_webhook, name="stripe_webhook"),
    path("gift-cards/balance/", prepaid.giftcard_balance, name="giftcard_balance"),
    path("checkout/", checkout.checkout, name="checkout"),
    path("receipts/<str:token>/", receipts.receipt, name="receipt"),
]
