"""A booking paid from its manage page with a package credit or a gift card, over HTTP, and what a cancellation
before or after the cutoff gives back."""

from datetime import UTC, date, datetime, time

import pytest
import time_machine
from django.urls import reverse

from bookings.services import ClientDetails, appointment_book
from bookings.status_changes import appointment_cancel
from bookings.tokens import manage_token
from payments.giftcards import giftcard_sell_at_desk
from payments.models import LedgerEntry
from payments.packages import package_sell_at_desk
from tests.bookings.conftest import NEW_YORK, local
from tests.factories import clinic_with_hours

from .prepaid_scene import package_make
from .test_prepaid_pages import keys  # noqa: F401 - payments on, no Stripe server needed

pytestmark = pytest.mark.django_db


@pytest.fixture
def monday_morning():
    """Monday 2 March 2026, 07:00 in New York, as in the bookings tests."""
    with time_machine.travel(datetime(2026, 3, 2, 7, 0, tzinfo=NEW_YORK), tick=False) as traveller:
        yield traveller


@pytest.fixture
def scene(monday_morning, keys):  # noqa: F811
    service, (therapist,), _ = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60)

    def book(day=5, hour=10):
        details = ClientDetails(name="Ana Silva", email="ana@example.com", phone="1", consent=True)
        starts_at = local(2026, 3, day, hour).astimezone(UTC)
        return appointment_book(service=service, therapist=therapist, starts_at=starts_at, client=details)

    package = package_make(sessions=2, price=15_000, services=[service])
    purchase = package_sell_at_desk(package=package, name="Ana", email="ana@example.com", method="cash", sold_by=None)
    return book, purchase


def use_credit(client, appointment, purchase, *, email="ana@example.com"):
    token = manage_token(appointment)
    data = {"package-email": email, "package-code": purchase.code}
    return client.post(reverse("payments:package_apply", args=[token]), data, follow=True)


def test_the_manage_page_offers_a_package_credit_and_shows_the_credits_left_once_used(client, scene):
    book, purchase = scene
    appointment = book()
    page = client.get(reverse("bookings:manage", args=[manage_token(appointment)]))
    assert "Use a credit from my package" in page.content.decode()
    response = use_credit(client, appointment, purchase)
    text = response.content.decode()
    assert "1 of 2 credits left" in text and "Use a credit from my package" not in text
    assert LedgerEntry.objects.get(appointment=appointment, kind="redemption").package == purchase


def test_two_bookings_use_two_credits_and_a_third_is_refused_in_words(client, scene):
    book, purchase = scene
    first, second, third = book(hour=10), book(hour=12), book(hour=14)
    use_credit(client, first, purchase)
    use_credit(client, second, purchase)
    refused = use_credit(client, third, purchase)
    assert "That package has no credits left." in refused.content.decode()
    assert not LedgerEntry.objects.filter(appointment=third).exists()


def test_a_wrong_email_finds_no_package(client, scene):
    book, purchase = scene
    response = use_credit(client, book(), purchase, email="someone@example.com")
    assert "We found no package with that email address and code." in response.content.decode()


def test_cancelling_before_the_cutoff_gives_the_credit_back(scene, django_capture_on_commit_callbacks):
    book, purchase = scene
    appointment = book()
    from payments.ledger import LedgerActor
    from payments.packages import package_credit_use

    package_credit_use(purchase=purchase, appointment=appointment, actor=LedgerActor.client())
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=appointment, by_client=True)
    purchase.refresh_from_db()
    assert purchase.credits_left == 2
    assert LedgerEntry.objects.get(appointment=appointment, kind="credit_return").actor_kind == "client"


def test_a_late_cancel_keeps_the_credit_used(scene, monday_morning, django_capture_on_commit_callbacks):
    book, purchase = scene
    appointment = book(day=2, hour=15)  # this afternoon: inside the cutoff
    from payments.ledger import LedgerActor
    from payments.packages import package_credit_use

    package_credit_use(purchase=purchase, appointment=appointment, actor=LedgerActor.client())
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=appointment, by_client=False)
    purchase.refresh_from_db()
    assert purchase.credits_left == 1


def test_a_gift_card_pays_part_of_a_session_and_keeps_the_rest(client, scene, django_capture_on_commit_callbacks):
    book, _ = scene
    card = giftcard_sell_at_desk(
        sold_by=None,
        method="cash",
        amount=12_000,
        purchaser_name="Bea",
        purchaser_email="bea@example.com",
        recipient_name="Ana",
        recipient_email="ana@example.com",
        deliver_on=date(2026, 3, 2),
    )
    first, second = book(hour=10), book(hour=12)
    url = reverse("payments:giftcard_apply", args=[manage_token(first)])
    text = client.post(url, {"gift-code": card.code}, follow=True).content.decode()
    assert "$90.00 taken from your gift card; $30.00 is left on it." in text
    text = client.post(
        reverse("payments:giftcard_apply", args=[manage_token(second)]), {"gift-code": card.code}, follow=True
    ).content.decode()
    assert "$30.00 taken from your gift card; $0.00 is left on it. $60.00 is still due at the clinic." in text
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=first, by_client=True)
    card.refresh_from_db()
    assert card.balance == 9_000


def test_a_guessed_gift_card_code_is_refused_and_nothing_is_taken(client, scene):
    book, _ = scene
    appointment = book()
    url = reverse("payments:giftcard_apply", args=[manage_token(appointment)])
    text = client.post(url, {"gift-code": "ABCD-EFGH-JKMN-PQRS"}, follow=True).content.decode()
    assert "There is no gift card with that code." in text
    assert not LedgerEntry.objects.filter(appointment=appointment).exists()


def test_with_payments_off_the_manage_page_says_nothing_of_packages(client, monday_morning, settings):
    service, (therapist,), _ = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60)
    details = ClientDetails(name="Ana Silva", email="ana@example.com", phone="1", consent=True)
    appointment = appointment_book(
        service=service, therapist=therapist, starts_at=local(2026, 3, 5, 10).astimezone(UTC), client=details
    )
    text = client.get(reverse("bookings:manage", args=[manage_token(appointment)])).content.decode()
    assert "package" not in text.lower() and "gift card" not in text.lower()
    assert client.post(reverse("payments:package_apply", args=[manage_token(appointment)])).status_code == 404
