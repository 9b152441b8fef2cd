import time

import pytest
import time_machine
from django.core import signing
from django.utils import timezone

from newsletter.emails import confirm_url
from newsletter.models import Subscriber
from newsletter.services import subscription_end
from newsletter.tokens import CONFIRM_SALT, confirm_token_make
from tests.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

CONFIRMED = "Thank you! Your subscription has been confirmed. You&#x27;ll hear from us soon."


@pytest.fixture
def pending():
    return SubscriberFactory(status=Subscriber.Status.PENDING)


def link_path(subscriber) -> str:
    return confirm_url(subscriber).removeprefix("https://clinic.test")


def test_opening_the_link_shows_a_button_and_confirms_nothing(client, pending):
    response = client.get(link_path(pending))
    assert response.status_code == 200
    assert "Confirm my subscription" in response.content.decode()
    assert 'data-processing="Processing…"' in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Subscriber.Status.PENDING


def test_the_confirm_page_loads_its_script_from_our_own_origin_and_has_no_inline_script(client, pending):
    content = client.get(link_path(pending)).content.decode()
    assert '<script src="/static/newsletter/js/confirm.js" defer></script>' in content
    assert "<script>" not in content


def test_posting_the_link_confirms_and_thanks_the_reader(client, pending):
    response = client.post(link_path(pending))
    assert response.status_code == 200
    assert CONFIRMED in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Subscriber.Status.CONFIRMED
    assert pending.confirmed_at is not None


def test_the_script_gets_the_same_thanks_as_json(client, pending):
    response = client.post(link_path(pending), HTTP_ACCEPT="application/json")
    assert response.json() == {
        "ok": True,
        "heading": "Subscription confirmed",
        "message": "Thank you! Your subscription has been confirmed. You'll hear from us soon.",
    }


def test_confirming_twice_is_harmless(client, pending):
    client.post(link_path(pending))
    pending.refresh_from_db()
    first_confirmed_at = pending.confirmed_at
    response = client.post(link_path(pending))
    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.confirmed_at == first_confirmed_at


def test_a_link_older_than_seven_days_explains_itself_and_offers_the_form(client, pending):
    path = link_path(pending)
    with time_machine.travel(timezone.now() + timezone.timedelta(days=7, minutes=1)):
        response = client.post(path)
    assert response.status_code == 410
    content = response.content.decode()
    assert "This confirmation link has expired" in content
    assert 'id="subscribe-page-email"' in content
    pending.refresh_from_db()
    assert pending.status == Subscriber.Status.PENDING


def test_a_link_six_days_old_still_works(client, pending):
    path = link_path(pending)
    with time_machine.travel(timezone.now() + timezone.timedelta(days=6)):
        client.post(path)
    pending.refresh_from_db()
    assert pending.status == Subscriber.Status.CONFIRMED


def test_opening_an_expired_link_explains_it_straight_away(client, pending):
    path = link_path(pending)
    with time_machine.travel(timezone.now() + timezone.timedelta(days=8)):
        response = client.get(path)
    assert response.status_code == 410
    assert "Confirm my subscription" not in response.content.decode()


def test_a_tampered_link_is_refused_with_an_explanation(client, pending):
    path = link_path(pending)
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    response = client.post(tampered)
    assert response.status_code == 400
    assert "This confirmation link is not valid" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Subscriber.Status.PENDING


def test_a_link_signed_for_another_purpose_is_refused(client, pending):
    forged = signing.dumps({"s": pending.token, "at": int(time.time())}, salt="newsletter.unsubscribe")
    response = client.post(f"/newsletter/confirm/{forged}/")
    assert response.status_code == 400


def test_a_link_sent_before_unsubscribing_does_not_resubscribe(client, pending):
    path = link_path(pending)
    client.post(path)
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=5)):
        subscription_end(subscriber_token=pending.token)
        response = client.post(path)
    assert response.status_code == 400
    assert "sent before you unsubscribed" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Subscriber.Status.UNSUBSCRIBED


def test_a_fresh_link_after_unsubscribing_resubscribes(client, pending):
    subscription_end(subscriber_token=pending.token)
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=2)):
        client.post(link_path(pending))
    pending.refresh_from_db()
    assert pending.status == Subscriber.Status.CONFIRMED


def test_a_link_for_an_erased_subscriber_is_refused(client, pending):
    path = link_path(pending)
    pending.delete()
    assert client.post(path).status_code == 400


def test_the_link_does_not_contain_the_address(pending):
    assert pending.email not in confirm_url(pending)
    assert pending.email.split("@")[0] not in confirm_token_make(subscriber_token=pending.token)


def test_the_link_payload_is_signed_with_the_confirm_salt(pending):
    token = confirm_token_make(subscriber_token=pending.token)
    assert signing.loads(token, salt=CONFIRM_SALT)["s"] == pending.token
