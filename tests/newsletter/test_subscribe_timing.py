"""The footer form does the same work for every address, so its timing cannot tell who is on the list."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from newsletter.models import Subscriber, SubscribeRequest
from newsletter.services import subscriber_erase, subscription_start
from tests.factories import SubscriberFactory

from .conftest import stamp_from

pytestmark = pytest.mark.django_db
QUEUED_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def statements_for(client, email: str) -> list[str]:
    data = {"email": email, "website": "", "stamp": stamp_from(10), "source": "/blog/"}
    with CaptureQueriesContext(connection) as captured:
        response = client.post(reverse("newsletter:subscribe"), data, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 303
    # The same statements, whatever the values: drop quoted literals and numbers.
    return [re.sub(r"'[^']*'|\b\d+\b", "?", query["sql"]) for query in captured.captured_queries]


@pytest.fixture
def addresses(db):
    SubscriberFactory(email="confirmed@example.com", status=Subscriber.Status.CONFIRMED)
    SubscriberFactory(email="pending@example.com", status=Subscriber.Status.PENDING)
    subscription_start(email="erased@example.com", source_url="/", consent_text="yes", ip_address=None)
    subscriber_erase(subscriber=Subscriber.objects.get(email="erased@example.com"))
    return ["new@example.com", "confirmed@example.com", "pending@example.com", "erased@example.com"]


def test_every_address_state_costs_the_request_the_same_statements(client, settings, addresses):
    settings.TASKS = QUEUED_TASKS
    paths = {email: statements_for(client, email) for email in addresses}
    first = paths[addresses[0]]
    assert all(path == first for path in paths.values()), paths
    assert SubscribeRequest.objects.count() == len(addresses)


def test_the_worker_turns_each_request_into_the_same_outcome_as_before(
    client, addresses, mailoutbox, django_capture_on_commit_callbacks
):
    for email in addresses:
        with django_capture_on_commit_callbacks(execute=True):
            statements_for(client, email)
    assert not SubscribeRequest.objects.exists()
    assert Subscriber.objects.get(email="new@example.com").status == Subscriber.Status.PENDING
    assert Subscriber.objects.get(email="confirmed@example.com").status == Subscriber.Status.CONFIRMED
    assert not Subscriber.objects.filter(email="erased@example.com").exists()
    assert sorted(message.to[0] for message in mailoutbox) == ["new@example.com", "pending@example.com"]
