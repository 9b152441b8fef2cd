import pytest
from django.test import Client
from django.utils import timezone

from newsletter.emails import unsubscribe_url
from newsletter.models import Delivery, Subscriber
from tests.factories import IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


def path_for(subscriber) -> str:
    return unsubscribe_url(subscriber.token).removeprefix("https://clinic.test")


def test_opening_the_link_shows_one_button_and_changes_nothing(client):
    subscriber = SubscriberFactory()
    response = client.get(path_for(subscriber))
    assert response.status_code == 200
    assert response.content.decode().count('type="submit"') == 1
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_one_click_post_unsubscribes_at_once_without_cookies_csrf_or_redirect():
    subscriber = SubscriberFactory()
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(
        path_for(subscriber), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert "You're unsubscribed" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert subscriber.unsubscribed_at is not None


def test_unsubscribing_twice_keeps_the_first_date(client):
    subscriber = SubscriberFactory()
    client.post(path_for(subscriber))
    subscriber.refresh_from_db()
    first = subscriber.unsubscribed_at
    assert client.post(path_for(subscriber)).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at == first


def test_unsubscribing_skips_deliveries_still_waiting_in_a_send(client):
    subscriber = SubscriberFactory()
    issue = IssueFactory(status="sending", started_at=timezone.now())
    delivery = Delivery.objects.create(issue=issue, subscriber=subscriber)
    client.post(path_for(subscriber))
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SKIPPED


def test_a_tampered_link_is_refused_with_a_way_out(client):
    subscriber = SubscriberFactory()
    response = client.post(path_for(subscriber)[:-4] + "xxx/")
    assert response.status_code == 400
    assert "This unsubscribe link is not valid" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_the_link_of_an_erased_subscriber_still_answers_unsubscribed(client):
    subscriber = SubscriberFactory()
    path = path_for(subscriber)
    subscriber.delete()
    assert client.post(path).status_code == 200


def test_the_link_does_not_contain_the_address():
    subscriber = SubscriberFactory(email="private.person@example.com")
    assert "private" not in unsubscribe_url(subscriber.token)
