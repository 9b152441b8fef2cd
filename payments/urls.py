from django.urls import path

from .views import checkout, prepaid, prepaid_apply, prepaid_buy, receipts, webhooks

app_name = "payments"

urlpatterns = [
    path("webhooks/stripe/", webhooks.stripe_webhook, name="stripe_webhook"),
    path("gift-cards/balance/", prepaid.giftcard_balance, name="giftcard_balance"),
    path("gift-cards/", prepaid_buy.giftcard_buy, name="giftcard_buy"),
    path("packages/", prepaid_buy.packages_list, name="packages"),
    path("packages/<int:pk>/buy/", prepaid_buy.package_buy, name="package_buy"),
    path("pay/<str:token>/", prepaid_buy.prepaid_pay, name="prepaid_pay"),
    path("pay/<str:token>/done/", prepaid_buy.prepaid_done, name="prepaid_done"),
    path("checkout/", checkout.checkout, name="checkout"),
    path("receipts/<str:token>/", receipts.receipt, name="receipt"),
    path("bookings/<str:token>/package/", prepaid_apply.package_apply, name="package_apply"),
    path("bookings/<str:token>/gift-card/", prepaid_apply.giftcard_apply, name="giftcard_apply"),
]
