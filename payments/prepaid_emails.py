"""Emails for packages and gift cards (HTML + text), queued through the one email engine in the caller's transaction.

The package receipt carries the holder's private code and the link that fills it in at booking; the gift
card's code goes to the recipient only (the purchaser's receipt names the amount and the day, never the code).
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from core.outbox import email_queue
from core.site import clinic_details

from .prepaid_models import GiftCard, PackagePurchase


def _queue(*, subject: str, template: str, context: dict, to: str, reference: str) -> None:
    context = {**context, "clinic": clinic_details(), "site_url": settings.SITE_URL}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"payments/email/{template}.txt", context),
        to=[to],
        reply_to=[settings.CLINIC_EMAIL],
    )
    message.attach_alternative(render_to_string(f"payments/email/{template}.html", context), "text/html")
    email_queue(message=message, reference=reference)


def package_receipt_queue(*, purchase: PackagePurchase) -> None:
    _queue(
        subject=f"Your package: {purchase.package.name}",
        template="package_receipt",
        context={"purchase": purchase, "book_url": settings.SITE_URL + reverse("bookings:start")},
        to=purchase.email,
        reference=f"package {purchase.pk}: receipt",
    )


def giftcard_receipt_queue(*, card: GiftCard) -> None:
    _queue(
        subject=f"Your gift card for {card.recipient_name}",
        template="giftcard_receipt",
        context={"card": card},
        to=card.purchaser_email,
        reference=f"gift card {card.pk}: receipt",
    )


def giftcard_delivery_queue(*, card: GiftCard) -> None:
    _queue(
        subject=f"{card.purchaser_name} sent you a gift card for {settings.CLINIC_NAME}",
        template="giftcard_delivery",
        context={
            "card": card,
            "book_url": settings.SITE_URL + reverse("bookings:start"),
            "balance_url": settings.SITE_URL + reverse("payments:giftcard_balance"),
        },
        to=card.recipient_email,
        reference=f"gift card {card.pk}: delivery",
    )
