"""The desk's sale forms and the public balance page, over HTTP; with payments off none of them exists."""

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from payments.giftcards import giftcard_sell_at_desk
from payments.models import LedgerEntry
from payments.prepaid_models import GiftCard, PackagePurchase
from tests.factories import StaffUserFactory

from .conftest import PUBLISHABLE_KEY, SECRET_KEY
from .prepaid_scene import package_make

pytestmark = pytest.mark.django_db
BALANCE = reverse("payments:giftcard_balance")


@pytest.fixture
def keys(settings):
    """Payments switched on without a Stripe server: these pages never call Stripe."""
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = PUBLISHABLE_KEY
    settings.STRIPE_WEBHOOK_SECRET = "whsec_pages"
    return settings


@pytest.fixture
def desk(client):
    user = StaffUserFactory(username="desk")
    user.groups.add(Group.objects.get_or_create(name="Front desk")[0])
    client.force_login(user)
    return client


@pytest.fixture
def card():
    return giftcard_sell_at_desk(
        sold_by=None,
        method="cash",
        amount=7_500,
        purchaser_name="Ana",
        purchaser_email="ana@example.com",
        recipient_name="Bea",
        recipient_email="bea@example.com",
        deliver_on=date.today(),
    )


@pytest.mark.parametrize("name", ["desk:package_sell", "desk:giftcard_sell", "payments:giftcard_balance"])
def test_with_payments_off_the_pages_are_not_there(desk, name):
    assert desk.get(reverse(name)).status_code == 404


def test_the_desk_sells_a_package_for_cash_and_the_ledger_says_who(keys, desk, django_capture_on_commit_callbacks):
    package = package_make(sessions=5, price=40_000)
    data = {"package": package.pk, "name": "Ana Silva", "email": "ana@example.com", "method": "cash"}
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(reverse("desk:package_sell"), data, follow=True)
    purchase = PackagePurchase.objects.get()
    assert f"the code {purchase.code} is in their receipt email" in response.content.decode()
    entry = LedgerEntry.objects.get(package=purchase)
    assert (entry.amount, entry.method, entry.actor.username) == (40_000, "cash", "desk")
    assert [message.to for message in mail.outbox] == [["ana@example.com"]]


def test_a_sale_with_a_bad_email_keeps_what_was_typed(keys, desk):
    package = package_make()
    data = {"package": package.pk, "name": "Ana Silva", "email": "ana@", "method": "terminal"}
    response = desk.post(reverse("desk:package_sell"), data)
    assert response.status_code == 400
    assert 'value="Ana Silva"' in response.content.decode() and not PackagePurchase.objects.exists()


def test_the_desk_sells_a_gift_card_by_terminal(keys, desk):
    data = {
        "amount": "50.00",
        "purchaser_name": "Ana",
        "purchaser_email": "ana@example.com",
        "recipient_name": "Bea",
        "recipient_email": "bea@example.com",
        "deliver_on": date.today().isoformat(),
        "method": "terminal",
    }
    response = desk.post(reverse("desk:giftcard_sell"), data, follow=True)
    assert "Sold a $50.00 gift card for Bea" in response.content.decode()
    card = GiftCard.objects.get()
    assert (card.amount, card.balance, card.method) == (5_000, 5_000, "terminal")


def test_a_gift_card_below_the_minimum_is_refused_beside_the_amount(keys, desk):
    data = {"amount": "2.00", "purchaser_name": "Ana", "purchaser_email": "ana@example.com", "recipient_name": "Bea"}
    data |= {"recipient_email": "bea@example.com", "deliver_on": date.today().isoformat(), "method": "cash"}
    response = desk.post(reverse("desk:giftcard_sell"), data)
    assert response.status_code == 400 and "A gift card is for $10.00 to $1,000.00." in response.content.decode()
    assert not GiftCard.objects.exists()


def test_the_sale_forms_are_for_the_front_desk_only(keys, client):
    assert client.get(reverse("desk:package_sell")).status_code == 302


def test_the_balance_page_shows_what_is_left_from_the_code(keys, client, card):
    response = client.post(BALANCE, {"code": card.code.lower()})
    assert response.status_code == 200 and "$75.00</strong> left of $75.00" in response.content.decode()


def test_a_guessed_code_gets_the_same_refusal_as_a_mistyped_one(keys, client, card):
    guessed = client.post(BALANCE, {"code": "0000-0000-0000-0000"})
    assert guessed.status_code == 404 and "There is no gift card with that code." in guessed.content.decode()
    malformed = client.post(BALANCE, {"code": "hello"})
    assert malformed.status_code == 400 and "four groups of four" in malformed.content.decode()


def test_balance_look_ups_are_rate_limited_for_the_client(keys, client, card, rate_limit):
    rate_limit("payments:giftcard_lookup", 3)
    for _ in range(3):
        client.post(BALANCE, {"code": "0000-0000-0000-0000"})
    refused = client.post(BALANCE, {"code": card.code})
    assert refused.status_code == 429 and "$75.00" not in refused.content.decode()


def test_the_footer_links_to_packages_and_gift_cards_only_while_payments_are_on(client, settings):
    home = client.get("/").content.decode()
    assert reverse("payments:packages") not in home and "Gift cards" not in home
    settings.STRIPE_SECRET_KEY, settings.STRIPE_PUBLISHABLE_KEY = SECRET_KEY, PUBLISHABLE_KEY
    settings.STRIPE_WEBHOOK_SECRET = "whsec_pages"
    home = client.get("/").content.decode()
    assert f'href="{reverse("payments:packages")}"' in home and f'href="{reverse("payments:giftcard_buy")}"' in home


def test_the_package_list_reads_its_packages_and_services_in_a_fixed_number_of_queries(
    keys, client, django_assert_max_num_queries
):
    for sessions in range(1, 7):
        package_make(sessions=sessions, price=sessions * 9_000)
    with django_assert_max_num_queries(2):  # the packages, then every package's services at once
        page = client.get(reverse("payments:packages"))
    assert page.status_code == 200 and page.content.decode().count("Buy<span") == 6
