"""Hostile input at every public waitlist address: never a 500, never a half-written entry, never script in the page."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.models import OutgoingEmail
from tests.fuzz import (
    CONTENT_TYPES,
    FUZZ,
    TRIED,
    assert_safe,
    encoded,
    hostile_params,
    raw_get,
    raw_post,
    row_counts,
    texts_sent,
    token_variants,
)
from waitlist.models import Entry
from waitlist.tokens import entry_token

from .conftest import THURSDAY, join

pytestmark = pytest.mark.django_db
WRITES = (Entry, OutgoingEmail)
JOIN_FIELDS = [
    "service",
    "therapist",
    "earliest_on",
    "latest_on",
    "parts_of_day",
    "window_1_weekday",
    "window_1_starts",
    "window_1_ends",
    "window_2_weekday",
    "window_2_starts",
    "window_2_ends",
    "notice_minutes",
    "name",
    "email",
    "phone",
    "consent",
]
VALID_JOIN = {
    "earliest_on": "2026-03-05",
    "latest_on": "2026-03-12",
    "parts_of_day": "morning",
    "notice_minutes": "180",
    "name": "Cleo Park",
    "email": "cleo@example.com",
    "phone": "617 555 0199",
    "consent": "on",
}


def join_form(service_slug: str):
    hostile = hostile_params(JOIN_FIELDS)
    valid = {**VALID_JOIN, "service": service_slug}
    return st.one_of(hostile, st.builds(lambda extra: {**valid, **extra}, hostile))


@FUZZ
@given(data=st.data())
def test_fuzz_the_join_page_never_fails(client, full_thursday, data):
    params = data.draw(hostile_params(["service", "therapist", "day"]))
    TRIED["GET /waitlist/join/"] += 1
    assert_safe(raw_get(client, "/waitlist/join/", params), texts_sent(params))


@FUZZ
@given(data=st.data(), content_type=st.sampled_from(CONTENT_TYPES))
def test_fuzz_the_join_form_never_fails_and_writes_all_or_nothing(client, full_thursday, data, content_type):
    service = full_thursday[0]
    form = data.draw(join_form(service.slug))
    before = row_counts(*WRITES)
    response = raw_post(client, "/waitlist/join/", form, content_type=content_type)
    TRIED["POST /waitlist/join/"] += 1
    assert_safe(response, texts_sent(form))
    if response.status_code == 303:  # joined: free the wish for the next input
        Entry.objects.latest("pk").delete()
    else:
        assert row_counts(*WRITES) == before


@FUZZ
@given(data=st.data())
def test_fuzz_the_entry_and_offer_links_never_fail(client, full_thursday, data):
    service = full_thursday[0]
    entry = Entry.objects.first() or join(service, days=(THURSDAY, THURSDAY))
    token = data.draw(token_variants(entry_token(entry)))
    path = data.draw(st.sampled_from(["/waitlist/entry/{}/", "/waitlist/offer/{}/", "/waitlist/earlier/{}/"]))
    address = path.format(encoded(token))
    TRIED["GET waitlist links"] += 1
    assert_safe(raw_get(client, address, {}), [token] if isinstance(token, str) else [])
    form = data.draw(hostile_params(["earliest_on", "latest_on", "parts_of_day", "notice_minutes", "accept"]))
    TRIED["POST waitlist links"] += 1
    assert_safe(raw_post(client, address, form), texts_sent(form))
    assert_safe(raw_post(client, f"/waitlist/entry/{encoded(token)}/leave/", {}))


@FUZZ
@given(form=hostile_params(["earliest_on", "latest_on", "parts_of_day", "notice_minutes", "therapist"]))
def test_fuzz_the_entry_page_form_with_the_real_link_never_fails(client, full_thursday, form):
    service = full_thursday[0]
    entry = Entry.objects.first() or join(service, days=(THURSDAY, THURSDAY))
    TRIED["POST /waitlist/entry/<real>/"] += 1
    assert_safe(raw_post(client, f"/waitlist/entry/{entry_token(entry)}/", form), texts_sent(form))
