"""The desk's waitlist for a day: who waits, their state and offers, and an offer by hand."""

import html
from datetime import UTC

import pytest
from django.core import mail
from django.test import Client

from tests.bookings.conftest import monday_morning  # noqa: F401 - fixtures used by name
from tests.factories import StaffUserFactory
from tests.waitlist.conftest import full_thursday, join, local  # noqa: F401
from waitlist.models import Offer

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def waiting(full_thursday):  # noqa: F811
    service, therapist, _, booked = full_thursday
    bea = join(service, name="Bea Park", parts_of_day=["morning"])
    cy = join(
        service, name="Cy Next", therapist=therapist, days=(local(2026, 3, 4, 0).date(), local(2026, 3, 6, 0).date())
    )
    return service, therapist, booked, bea, cy


def test_the_day_lists_who_waits_for_it_in_joining_order_with_their_state(desk, waiting):
    _, therapist, _, bea, cy = waiting
    response = desk.get("/staff/waitlist/?date=2026-03-05")
    page = text(response)
    assert response.status_code == 200
    assert page.index("Bea Park") < page.index("Cy Next")
    assert "Mornings" in page and "any therapist" in page and "Waiting for a time" in page
    assert "Nobody is waiting" in text(desk.get("/staff/waitlist/?date=2026-03-09"))


def test_the_day_grid_links_to_the_days_waitlist_with_its_count_per_therapist(desk, waiting):
    _, therapist, _, _, _ = waiting
    from tests.factories import clinic_with_hours

    _, (other,), _ = clinic_with_hours()  # gives another service: nobody waits for them
    page = text(desk.get("/staff/?date=2026-03-05"))
    assert "2 waiting for this day on the waitlist" in page
    assert f"2 for {therapist.name}" in page and f"for {other.name}" not in page
    assert f"/staff/waitlist/?date=2026-03-05&therapist={therapist.slug}" in page


def test_staff_offer_a_free_time_by_hand_and_the_person_is_emailed(desk, waiting, django_capture_on_commit_callbacks):
    _, therapist, _, _, cy = waiting
    page = text(desk.get("/staff/waitlist/?date=2026-03-06"))
    assert "Offer to Cy Next" in page
    value = f"{therapist.pk}|{local(2026, 3, 6, 9).astimezone(UTC).isoformat()}"
    assert value in page
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(f"/staff/waitlist/{cy.pk}/offer/?date=2026-03-06", {"time": value})
    assert response.status_code == 302
    offer = Offer.objects.get(entry=cy)
    assert offer.by_staff and offer.state == "offered"
    assert [message.to for message in mail.outbox] == [["cy@example.com"]]
    after = text(desk.get(response["Location"]))
    assert "Offered to Cy Next" in after and "(by hand)" in after and "A time is offered" in after


def test_an_offer_by_hand_that_is_refused_says_why_and_keeps_the_choice(desk, waiting):
    _, therapist, booked, bea, _ = waiting
    taken = f"{therapist.pk}|{booked[0].starts_at.isoformat()}"
    response = desk.post(f"/staff/waitlist/{bea.pk}/offer/?date=2026-03-05", {"time": taken})
    assert response.status_code == 409
    assert "not free to book online now" in text(response)
    assert not Offer.objects.exists()


def test_a_made_up_time_is_a_clear_message(desk, waiting):
    _, _, _, bea, _ = waiting
    response = desk.post(f"/staff/waitlist/{bea.pk}/offer/?date=2026-03-05", {"time": "x|yesterday"})
    assert response.status_code == 400 and "choose one of the free times" in text(response)


def test_the_waitlist_is_for_the_front_desk_only(waiting):
    _, _, _, bea, _ = waiting
    assert Client().get("/staff/waitlist/").status_code == 302
    stranger = Client()
    stranger.force_login(StaffUserFactory(username="other"))
    assert stranger.get("/staff/waitlist/").status_code == 403
    assert stranger.post(f"/staff/waitlist/{bea.pk}/offer/", {"time": "1|x"}).status_code == 403


def test_the_day_reads_in_a_bounded_number_of_queries(desk, waiting, django_assert_max_num_queries):
    service, _, _, _, _ = waiting
    for number in range(6):
        join(service, name=f"Extra {number} Person", email=f"extra{number}@example.com")
    with django_assert_max_num_queries(30):
        assert desk.get("/staff/waitlist/?date=2026-03-05").status_code == 200


def _one_in_every_state(service, therapist, booked, *, tag=""):
    """Five people waiting for Thursday whose entries went five ways; returns them by shown state."""
    from datetime import timedelta

    from tests.waitlist.conftest import opening_for
    from waitlist.entries import entry_leave
    from waitlist.models import Entry

    people = {
        state: join(service, name=f"{state.title()}{tag} Person", email=f"{state}{tag}@example.com")
        for state in ("waiting", "offered", "booked", "left", "ended")
    }
    opening = opening_for(therapist, booked[1].starts_at)
    Offer.objects.create(
        opening=opening,
        entry=people["offered"],
        therapist=therapist,
        starts_at=opening.starts_at,
        offered_at=opening.opened_at,
        expires_at=opening.opened_at + timedelta(minutes=15),
    )
    Entry.objects.filter(pk=people["booked"].pk).update(state=Entry.State.BOOKED, booked=booked[0])
    entry_leave(entry=people["left"])
    Entry.objects.filter(pk=people["ended"].pk).update(state=Entry.State.ENDED)
    return people


def test_the_day_shows_every_entry_for_it_in_each_state_and_filters_by_state(desk, full_thursday):  # noqa: F811
    service, therapist, _, booked = full_thursday
    people = _one_in_every_state(service, therapist, booked)
    join(service, name="Friday Only", days=(local(2026, 3, 6, 0).date(), local(2026, 3, 6, 0).date()))
    response = desk.get("/staff/waitlist/?date=2026-03-05")
    page = text(response)
    shown = [row["standing"].state for row in response.context["rows"]]
    assert shown == ["waiting", "offered", "booked", "left", "ended"]  # joining order, every state
    assert "Friday Only" not in page
    for label in ("Waiting for a time", "A time is offered", "Booked", "Left the waitlist", "Ended"):
        assert label in page
    assert "Booked from the waitlist: Thu 5 Mar 9:00 AM" in page
    # Thursday is full: the two still waiting hear so; the other three are past being offered anything.
    assert page.count("No free time for this on this day to offer") == 2
    assert 'value="booked" selected' not in page and "Booked (1)" in page and "Every state (5)" in page
    for state, entry in people.items():
        filtered = desk.get(f"/staff/waitlist/?date=2026-03-05&state={state}")
        assert [row["entry"] for row in filtered.context["rows"]] == [entry]
        assert f'value="{state}" selected' in text(filtered)
    made_up = desk.get("/staff/waitlist/?date=2026-03-05&state=gone%27")
    assert made_up.status_code == 200 and len(made_up.context["rows"]) == 5  # an unknown state filters nothing
    assert "No entry for this day is in that state" in text(desk.get("/staff/waitlist/?date=2026-03-06&state=left"))


def test_every_state_on_the_day_reads_in_the_same_few_queries_however_many_entries(
    desk,
    full_thursday,  # noqa: F811
    django_assert_max_num_queries,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    service, therapist, _, booked = full_thursday
    _one_in_every_state(service, therapist, booked, tag="a")
    with CaptureQueriesContext(connection) as few:
        assert desk.get("/staff/waitlist/?date=2026-03-05").status_code == 200
    _one_in_every_state(service, therapist, booked, tag="b")
    _one_in_every_state(service, therapist, booked, tag="c")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = desk.get("/staff/waitlist/?date=2026-03-05")
    assert len(response.context["rows"]) == 15
    assert len(few.captured_queries) <= 20
