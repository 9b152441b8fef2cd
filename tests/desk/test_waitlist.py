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
