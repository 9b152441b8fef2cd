"""Hostile input at the newsletter's public endpoints: subscribe, confirm and unsubscribe links."""

import time as wall_clock

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from newsletter.models import Delivery, Subscriber, Suppression
from newsletter.tokens import confirm_token_make, form_stamp_make, unsubscribe_token_make
from tests.factories import SubscriberFactory
from tests.fuzz import (
    CONTENT_TYPES,
    FUZZ,
    TRIED,
    assert_safe,
    encoded,
    hostile_params,
    raw_get,
    raw_post,
    texts_sent,
    token_variants,
)

pytestmark = pytest.mark.django_db
WRITES = (Subscriber, Suppression, Delivery)


@pytest.fixture
def reader():
    return SubscriberFactory(email="reader@example.com", status=Subscriber.Status.PENDING)


def subscribe_form():
    return st.one_of(
        hostile_params(["email", "website", "stamp", "source"]),
        hostile_params(["website", "source"]).map(lambda extra: {"email": "new.reader@example.com", **extra}),
    )


@FUZZ
@given(form=subscribe_form(), content_type=st.sampled_from(CONTENT_TYPES), as_json=st.booleans())
def test_fuzz_subscribing_never_fails_and_refusals_write_nothing(client, reader, form, content_type, as_json):
    with time_machine.travel(wall_clock.time() - 60, tick=False):
        form.setdefault("stamp", form_stamp_make())  # a form rendered a minute ago, so people are not taken for bots
    before = {model.__name__: model.objects.count() for model in WRITES}
    headers = {"HTTP_ACCEPT": "application/json"} if as_json else {}
    response = raw_post(client, "/newsletter/subscribe/", form, content_type=content_type, **headers)
    TRIED["POST /newsletter/subscribe/"] += 1
    assert_safe(response, texts_sent(form))
    if response.status_code >= 400:
        assert {model.__name__: model.objects.count() for model in WRITES} == before
    Subscriber.objects.exclude(pk=reader.pk).delete()


@FUZZ
@given(data=st.data(), kind=st.sampled_from(["confirm", "unsubscribe"]), method=st.sampled_from(["GET", "POST"]))
def test_fuzz_forged_confirm_and_unsubscribe_links_change_nothing(client, reader, data, kind, method):
    make = confirm_token_make if kind == "confirm" else unsubscribe_token_make
    token = data.draw(token_variants(make(subscriber_token=reader.token)))
    path = f"/newsletter/{kind}/{encoded(token)}/"
    response = raw_post(client, path, {}) if method == "POST" else raw_get(client, path, {})
    TRIED[f"{method} /newsletter/{kind}/<forged token>/"] += 1
    assert_safe(response, [token] if isinstance(token, str) else [])
    assert response.status_code in (400, 404, 410)
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.PENDING
