"""The entry's own page behind its private link: its state, changing it, leaving, and bad links."""

import html
from datetime import date, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from bookings.status_changes import appointment_cancel
from waitlist.models import Entry
from waitlist.tokens import entry_token

from .conftest import join

pytestmark = pytest.mark.django_db


def page_of(entry):
    return reverse("waitlist:entry", kwargs={"token": entry_token(entry)})


def text(response) -> str:
    return html.unescape(response.content.decode())


CHANGE = {
    "change-therapist": "",
    "change-earliest_on": "2026-03-05",
    "change-latest_on": "2026-03-20",
    "change-parts_of_day": ["afternoon"],
    "change-notice_minutes": "60",
}


def test_a_waiting_entry_shows_what_it_asks_for_and_its_state(client, full_thursday):
    service, _, _, _ = full_thursday
    entry = join(service, parts_of_day=["morning"], notice_minutes=180)
    response = client.get(page_of(entry))
    page = text(response)
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    assert 'data-entry-state="waiting"' in page and "Waiting for a time" in page
    assert "Mornings" in page and "At least 3 hours' notice" in page and "Any therapist" in page
    assert "We take bookings up to 60 days ahead" in page


def test_changing_the_entry_keeps_its_place_in_the_queue(client, full_thursday):
    service, therapist, _, _ = full_thursday
    entry = join(service)
    joined_at = entry.joined_at
    response = client.post(page_of(entry), {**CHANGE, "change-therapist": therapist.slug})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.latest_on, entry.parts_of_day, entry.notice_minutes) == (date(2026, 3, 20), ["afternoon"], 60)
    assert entry.therapist == therapist and entry.joined_at == joined_at
    assert "Your place in the queue stays the same" in text(client.get(response["Location"]))


def test_a_refused_change_is_shown_beside_its_field_and_changes_nothing(client, full_thursday):
    service, _, _, _ = full_thursday
    entry = join(service)
    response = client.post(page_of(entry), {**CHANGE, "change-latest_on": "2026-03-01"})
    assert response.status_code == 400
    assert "on or after the first day" in " ".join(response.context["form"].errors["latest_on"])
    assert 'value="2026-03-01"' in response.content.decode()
    entry.refresh_from_db()
    assert entry.latest_on == date(2026, 3, 5)


def test_leaving_ends_the_entry_and_hides_the_forms(client, full_thursday):
    service, _, _, _ = full_thursday
    entry = join(service)
    response = client.post(reverse("waitlist:entry_leave", kwargs={"token": entry_token(entry)}))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.state == Entry.State.LEFT
    page = text(client.get(page_of(entry)))
    assert 'data-entry-state="left"' in page and "Save changes" not in page
    again = client.post(page_of(entry), CHANGE)
    assert again.status_code == 400 and "cannot be changed" in text(again)


def test_an_entry_past_its_last_day_reads_as_ended(client, full_thursday):
    service, _, _, _ = full_thursday
    entry = join(service)
    with time_machine.travel(timedelta(days=5)):
        page = text(client.get(page_of(entry)))
    assert 'data-entry-state="ended"' in page and "ended after its last day" in page
    assert "Save changes" not in page


def test_an_offered_entry_shows_the_live_offer_link(client, full_thursday, django_capture_on_commit_callbacks):
    service, _, _, booked = full_thursday
    entry = join(service)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=booked[1], by_client=False)
    page = text(client.get(page_of(entry)))
    assert 'data-entry-state="offered"' in page and "10:15 AM" in page
    assert "/waitlist/offer/" in page and "Times offered to you" in page and "held for you until" in page
    with time_machine.travel(timedelta(hours=1)):
        later = text(client.get(page_of(entry)))
    assert 'data-entry-state="waiting"' in later and "the hold ran out" in later


@pytest.mark.parametrize("token", ["nonsense", "a" * 400, "x:y", "k:e:y"])
def test_a_tampered_or_cut_link_is_a_clear_page_not_an_error(client, full_thursday, token):
    service, _, _, _ = full_thursday
    join(service)
    for url in (f"/waitlist/entry/{token}/", f"/waitlist/entry/{token}/leave/"):
        response = client.post(url) if url.endswith("leave/") else client.get(url)
        assert response.status_code == 404
        assert "couldn't find that waitlist entry" in text(response)


def test_a_revoked_link_no_longer_opens_the_entry(client, full_thursday):
    service, _, _, _ = full_thursday
    entry = join(service)
    old = page_of(entry)
    Entry.objects.filter(pk=entry.pk).update(access_key="rotated-key")
    assert client.get(old).status_code == 404


def test_an_offer_link_never_opens_the_entry_page(client, full_thursday, django_capture_on_commit_callbacks):
    from waitlist.tokens import offer_token

    service, _, _, booked = full_thursday
    entry = join(service)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=booked[1], by_client=False)
    assert client.get(f"/waitlist/entry/{offer_token(entry.offers.get())}/").status_code == 404


def test_changing_needs_csrf(full_thursday):
    service, _, _, _ = full_thursday
    entry = join(service)
    assert Client(enforce_csrf_checks=True).post(page_of(entry), CHANGE).status_code == 403


def test_opening_entry_links_is_rate_limited(client, full_thursday, rate_limit):
    service, _, _, _ = full_thursday
    entry = join(service)
    rate_limit("waitlist:entry_view", 1)
    client.get(page_of(entry))
    assert client.get(page_of(entry)).status_code == 429


def test_the_page_reads_in_a_few_queries(client, full_thursday, django_assert_max_num_queries):
    service, _, _, _ = full_thursday
    entry = join(service, windows=())
    with django_assert_max_num_queries(12):
        assert client.get(page_of(entry)).status_code == 200


def test_a_move_earlier_entry_changes_its_times_but_keeps_its_therapist(client, full_thursday):
    from datetime import UTC

    from waitlist.entries import move_earlier_request

    from .conftest import book, local

    service, therapist, _, _ = full_thursday
    friday = book(service, therapist, local(2026, 3, 6, 15, 15).astimezone(UTC), name="Dan Late")
    entry = move_earlier_request(appointment=friday)
    response = client.get(page_of(entry))
    assert "asks to move your existing booking earlier" in text(response)
    assert response.context["form"].fields["therapist"].disabled
    changed = {**CHANGE, "change-latest_on": "2026-03-06", "change-therapist": ""}  # "any" is ignored: it stays
    response = client.post(page_of(entry), changed)
    assert response.status_code == 302, response.context["form"].errors
    entry.refresh_from_db()
    assert entry.therapist == therapist and entry.parts_of_day == ["afternoon"]
