from django.urls import path

from .views import checkout, prepaid, prepaid_apply, receipts, webhooks

app_name = "payments"

urlpatterns = [
    path("webhooks/stripe/", webhooks.stripe_webhook, name="stripe_webhook"),
    path("gift-cards/balance/", prepaid.giftcard_balance, name="giftcard_balance"),
    path("checkout/", checkout.checkout, name="checkout"),
    path("receipts/<str:token>/", receipts.receipt, name="receipt"),
    path("bookings/<str:token>/package/", prepaid_apply.package_apply, name="package_apply"),
    path("bookings/<str:token>/gift-card/", prepaid_apply.giftcard_apply, name="giftcard_apply"),
]
