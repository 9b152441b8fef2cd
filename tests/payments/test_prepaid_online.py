"""Buying a package or a gift card online, without a browser: the card is confirmed as Stripe.js would confirm it,
over HTTP to localstripe; nothing mocks our Stripe calls."""

import re
from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from payments.models import LedgerEntry, ProviderCall
from payments.prepaid_checkout import Checkout, checkout_token
from payments.prepaid_models import GiftCard, PackagePurchase

from .conftest import stripe_js_authenticate_payment, stripe_js_confirm_setup
from .prepaid_scene import package_make

pytestmark = pytest.mark.django_db
VISA, DECLINED_ON_CHARGE, NEEDS_3DS = "4242424242424242", "4000000000000341", "4000002500003155"


class IntentOnPage:
    def __init__(self, html: str, attribute="data-client-secret"):
        self.client_secret = re.search(rf'{attribute}="([^"]+)"', html).group(1)
        self.id = self.client_secret.split("_secret_")[0]


def start_package(client):
    package = package_make(sessions=5, price=40_000)
    listing = client.get(reverse("payments:packages"))
    assert package.name in listing.content.decode()
    answer = client.post(
        reverse("payments:package_buy", args=[package.pk]), {"name": "Ana Silva", "email": "ana@example.com"}
    )
    assert answer.status_code == 302
    return answer["Location"]


def pay(client, stripe_on, pay_url, card=VISA):
    page = client.get(pay_url)
    intent = IntentOnPage(page.content.decode())
    stripe_js_confirm_setup(stripe_on.STRIPE_API_BASE, intent, card)
    return page, client.post(pay_url, {"setup_intent": intent.id})


def test_a_package_bought_online_is_charged_once_and_its_code_shown_and_emailed(
    client, stripe_on, django_capture_on_commit_callbacks
):
    pay_url = start_package(client)
    assert "ana" not in pay_url.lower()
    with django_capture_on_commit_callbacks(execute=True):
        page, answer = pay(client, stripe_on, pay_url)
    html = page.content.decode()
    assert "Due now: $400.00" in html and f'src="{stripe_on.STRIPE_API_BASE}/js.stripe.com/v3/"' in html
    assert stripe_on.STRIPE_API_BASE in page["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    done = client.get(answer["Location"])
    purchase = PackagePurchase.objects.get()
    assert purchase.code in done.content.decode() and purchase.credits_left == 5
    sale = LedgerEntry.objects.get(package=purchase)
    assert (sale.kind, sale.amount, sale.method) == ("sale", 40_000, "card") and sale.stripe_id.startswith("pi_")
    assert [message.to for message in mail.outbox] == [["ana@example.com"]]
    # The same confirmation posted again (a double click, a reload) charges nothing more.
    client.post(pay_url, {"setup_intent": purchase.setup_intent_id})
    assert LedgerEntry.objects.filter(package=purchase).count() == 1
    assert ProviderCall.objects.filter(purpose="sale").count() == 1


def test_a_card_declined_on_charge_keeps_the_purchase_pending_and_offers_the_card_form_again(client, stripe_on):
    pay_url = start_package(client)
    _, answer = pay(client, stripe_on, pay_url, card=DECLINED_ON_CHARGE)
    assert answer.status_code == 402 and "data-client-secret" in answer.content.decode()
    purchase = PackagePurchase.objects.get()
    assert purchase.status == "pending" and not LedgerEntry.objects.exists()
    _, second = pay(client, stripe_on, pay_url)
    assert second.status_code == 302
    purchase.refresh_from_db()
    assert purchase.status == "active"


def test_a_card_asking_for_3d_secure_is_confirmed_then_charged(client, stripe_on):
    pay_url = start_package(client)
    _, answer = pay(client, stripe_on, pay_url, card=NEEDS_3DS)
    assert answer.status_code == 200 and "Confirm with my bank" in answer.content.decode()
    action = IntentOnPage(answer.content.decode(), "data-action-secret")
    stripe_js_authenticate_payment(stripe_on.STRIPE_API_BASE, action.client_secret)
    done = client.post(pay_url, {"payment_intent": action.id})
    assert done.status_code == 302 and PackagePurchase.objects.get().status == "active"


def test_a_setup_intent_from_elsewhere_is_refused_and_nothing_is_charged(client, stripe_on):
    pay_url = start_package(client)
    client.get(pay_url)
    answer = client.post(pay_url, {"setup_intent": "seti_someone_else"})
    assert answer.status_code == 402 and "does not belong to this purchase" in answer.content.decode()
    assert not ProviderCall.objects.filter(purpose="sale").exists()


def test_a_gift_card_bought_online_for_a_later_day_waits_and_the_buyer_gets_a_receipt(
    client, stripe_on, django_capture_on_commit_callbacks
):
    data = {
        "amount": "60",
        "purchaser_name": "Ana",
        "purchaser_email": "ana@example.com",
        "recipient_name": "Bea",
        "recipient_email": "bea@example.com",
        "deliver_on": date(2099, 1, 2).isoformat(),
    }
    answer = client.post(reverse("payments:giftcard_buy"), data)
    assert answer.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        _, paid = pay(client, stripe_on, answer["Location"])
    card = GiftCard.objects.get()
    assert (card.status, card.balance, card.delivered_at) == ("active", 6_000, None)
    assert [message.to for message in mail.outbox] == [["ana@example.com"]]
    assert card.code not in client.get(paid["Location"]).content.decode()


def test_a_gift_card_amount_outside_the_limits_keeps_what_was_typed(client, stripe_on):
    data = {"amount": "5", "purchaser_name": "Ana", "purchaser_email": "ana@example.com", "recipient_name": "Bea"}
    data |= {"recipient_email": "bea@example.com", "deliver_on": date.today().isoformat()}
    answer = client.post(reverse("payments:giftcard_buy"), data)
    assert answer.status_code == 400 and "A gift card is for $10.00 to $1,000.00." in answer.content.decode()
    assert 'value="bea@example.com"' in answer.content.decode() and not GiftCard.objects.exists()


def test_a_tampered_pay_link_is_a_clear_page(client, stripe_on):
    assert client.get(reverse("payments:prepaid_pay", args=["nonsense"])).status_code == 404


@pytest.mark.parametrize("name", ["payments:packages", "payments:giftcard_buy"])
def test_with_payments_off_the_shop_is_not_there(client, name):
    assert client.get(reverse(name)).status_code == 404


def test_with_payments_off_a_pay_link_is_not_there(client):
    token = checkout_token(Checkout("package", package_make().purchases.model(pk=1)))
    assert client.get(reverse("payments:prepaid_pay", args=[token])).status_code == 404
