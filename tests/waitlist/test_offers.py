"""Offers going out when time frees up, in turn or to everyone, and moving on when a hold lapses."""

from datetime import UTC, date, timedelta

import pytest
import time_machine

from bookings.models import BookingEvent
from bookings.status_changes import appointment_cancel
from core.models import OutgoingEmail
from waitlist.models import Offer, Opening, WaitlistPolicy
from waitlist.offers import offers_lapse_due

from .conftest import join, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def cancel(django_capture_on_commit_callbacks):
    """Cancel a booking the way the desk does, running what it sets off once it commits (the waitlist's task)."""

    def run(appointment):
        with django_capture_on_commit_callbacks(execute=True):
            appointment_cancel(appointment=appointment, by_client=False)

    return run


def offers(*states):
    rows = Offer.objects.select_related("entry").order_by("offered_at", "pk")
    if states:
        rows = rows.filter(state__in=states)
    return [(offer.entry.name, offer.state) for offer in rows]


def test_a_cancellation_offers_the_time_to_the_first_in_line_only(full_thursday, cancel):
    service, therapist, _, booked = full_thursday
    join(service, name="Bea First")
    join(service, name="Cy Second")
    cancel(booked[1])
    assert offers() == [("Bea First", "offered")]
    offer = Offer.objects.get()
    assert (offer.therapist, offer.starts_at) == (therapist, booked[1].starts_at)
    assert offer.expires_at == offer.offered_at + timedelta(minutes=15)
    assert Opening.objects.get().source_appointment == booked[1]


def test_when_the_hold_lapses_the_next_person_gets_the_offer(full_thursday, cancel, django_capture_on_commit_callbacks):
    service, _, _, booked = full_thursday
    join(service, name="Bea First")
    join(service, name="Cy Second")
    cancel(booked[1])
    with time_machine.travel(local(2026, 3, 2, 7, 14), tick=False):
        assert offers_lapse_due() == 0
        assert offers() == [("Bea First", "offered")]
    with time_machine.travel(local(2026, 3, 2, 7, 15), tick=False), django_capture_on_commit_callbacks(execute=True):
        assert offers_lapse_due() == 1
    assert offers() == [("Bea First", "lapsed"), ("Cy Second", "offered")]
    with time_machine.travel(local(2026, 3, 2, 7, 31), tick=False), django_capture_on_commit_callbacks(execute=True):
        offers_lapse_due()
    assert offers() == [("Bea First", "lapsed"), ("Cy Second", "lapsed")]
    assert Opening.objects.get().closed_at is not None  # nobody left to ask


def test_everyone_at_once_offers_every_match_together(full_thursday, cancel):
    service, _, _, booked = full_thursday
    WaitlistPolicy.objects.create(strategy=WaitlistPolicy.Strategy.EVERYONE, hold_minutes=30)
    for name in ("Bea One", "Cy Two", "Di Three"):
        join(service, name=name)
    cancel(booked[1])
    assert offers() == [("Bea One", "offered"), ("Cy Two", "offered"), ("Di Three", "offered")]
    assert {offer.expires_at - offer.offered_at for offer in Offer.objects.all()} == {timedelta(minutes=30)}


def test_a_time_close_to_its_start_goes_to_everyone_even_in_turn(monday_morning, cancel):
    from datetime import time

    from tests.factories import clinic_with_hours

    from .conftest import book

    service, (therapist,), _ = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60)
    WaitlistPolicy.objects.create(everyone_within_hours=12)
    soon = book(service, therapist, local(2026, 3, 2, 15).astimezone(UTC))  # 8 hours away
    for name in ("Bea One", "Cy Two"):
        join(service, name=name, days=(date(2026, 3, 2), date(2026, 3, 2)))
    cancel(soon)
    assert offers() == [("Bea One", "offered"), ("Cy Two", "offered")]


def test_the_hold_never_runs_past_the_clinics_notice_before_the_start(monday_morning, cancel):
    from datetime import time

    from tests.factories import clinic_with_hours

    from .conftest import book

    service, (therapist,), _ = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60)
    WaitlistPolicy.objects.create(hold_minutes=600)
    soon = book(service, therapist, local(2026, 3, 2, 12).astimezone(UTC))
    join(service, name="Bea One", days=(date(2026, 3, 2), date(2026, 3, 2)))
    cancel(soon)
    assert Offer.objects.get().expires_at == local(2026, 3, 2, 10).astimezone(UTC)  # noon minus two hours' notice


def test_the_offer_email_has_html_and_text_and_a_link_without_personal_data(full_thursday, cancel):
    service, therapist, _, booked = full_thursday
    join(service, name="Bea Park", email="bea.park@example.com")
    cancel(booked[1])
    email = OutgoingEmail.objects.get(reference__startswith="waitlist offer")
    body = email.payload["body"]
    html = email.payload["alternatives"][0]["content"]["text"]
    assert email.recipients == ["bea.park@example.com"]
    assert email.subject == f"A time opened up: {service.name} on Thursday 5 March, 10:15 AM"
    assert "10:15 AM" in body and therapist.name in body and "7:15 AM" in body
    link = next(line for line in body.splitlines() if "/waitlist/offer/" in line)
    assert link.startswith("https://clinic.test/waitlist/offer/")
    assert "bea" not in link.lower() and "@" not in link
    assert f'href="{link}"' in html and "Take this time" in html


def test_the_offer_email_links_the_entry_page_to_see_change_or_leave_the_place(full_thursday, cancel, client):
    service, _, _, booked = full_thursday
    join(service, name="Bea Park", email="bea.park@example.com")
    cancel(booked[1])
    email = OutgoingEmail.objects.get(reference__startswith="waitlist offer")
    body = email.payload["body"]
    html = email.payload["alternatives"][0]["content"]["text"]
    lines = body.splitlines()
    intro = next(i for i, line in enumerate(lines) if "leave your place on the waitlist" in line)
    link = lines[intro + 1]
    assert link.startswith("https://clinic.test/waitlist/entry/")
    assert "bea" not in link.lower() and "@" not in link
    assert f'href="{link}"' in html and "See, change or leave your place on the waitlist" in html
    page = client.get(link.removeprefix("https://clinic.test"))
    assert page.status_code == 200
    assert "Leave the waitlist" in page.content.decode() and service.name in page.content.decode()


def test_each_offer_and_lapse_is_in_the_cancelled_bookings_history(
    full_thursday, cancel, django_capture_on_commit_callbacks
):
    service, _, _, booked = full_thursday
    join(service, name="Bea First")
    join(service, name="Cy Second")
    cancel(booked[1])
    with time_machine.travel(local(2026, 3, 2, 7, 20), tick=False), django_capture_on_commit_callbacks(execute=True):
        offers_lapse_due()
    history = [(event.action, event.summary) for event in booked[1].events.order_by("at", "pk")]
    assert history[2:] == [
        (
            BookingEvent.Action.WAITLIST_OFFERED,
            f"offer Thu 5 Mar, 10:15 AM with {booked[1].therapist.name} to Bea First",
        ),
        (
            BookingEvent.Action.WAITLIST_LAPSED,
            f"lapsed Thu 5 Mar, 10:15 AM with {booked[1].therapist.name} to Bea First",
        ),
        (
            BookingEvent.Action.WAITLIST_OFFERED,
            f"offer Thu 5 Mar, 10:15 AM with {booked[1].therapist.name} to Cy Second",
        ),
    ]


def test_nobody_waiting_leaves_no_trace(full_thursday, cancel):
    cancel(full_thursday[3][1])
    assert (Opening.objects.count(), Offer.objects.count()) == (0, 0)


def test_staff_can_offer_a_free_time_by_hand_to_someone_later_in_the_queue(full_thursday):
    from tests.factories import StaffUserFactory
    from waitlist.offers import offer_by_hand

    service, therapist, _, booked = full_thursday
    appointment_cancel(appointment=booked[1], by_client=False)  # on_commit not run: nothing sent yet
    join(service, name="Bea First")
    cy = join(service, name="Cy Chosen")
    desk = StaffUserFactory(username="desk")
    offer = offer_by_hand(entry=cy, therapist=therapist, starts_at=booked[1].starts_at, offered_by=desk)
    assert (offer.entry, offer.by_staff, offer.state) == (cy, True, "offered")
    assert OutgoingEmail.objects.filter(recipients=["cy@example.com"], reference__startswith="waitlist offer").exists()


def test_an_offer_by_hand_of_a_taken_or_repeated_time_is_refused_with_a_reason(full_thursday):
    from waitlist.offers import OfferRefused, offer_by_hand

    service, therapist, _, booked = full_thursday
    bea = join(service, name="Bea First")
    with pytest.raises(OfferRefused, match="not free to book online"):
        offer_by_hand(entry=bea, therapist=therapist, starts_at=booked[1].starts_at, offered_by=None)
    appointment_cancel(appointment=booked[1], by_client=False)
    offer_by_hand(entry=bea, therapist=therapist, starts_at=booked[1].starts_at, offered_by=None)
    with pytest.raises(OfferRefused, match="already been offered that time"):
        offer_by_hand(entry=bea, therapist=therapist, starts_at=booked[1].starts_at, offered_by=None)
    assert Offer.objects.count() == 1


def test_the_desk_sees_who_waits_for_a_day_with_their_offers_in_few_queries(
    full_thursday, cancel, django_assert_max_num_queries
):
    from waitlist.selectors import entries_for_day

    service, therapist, _, booked = full_thursday
    for index in range(5):
        join(service, name=f"Person {index}", email=f"p{index}@example.com")
    join(service, name="Other Day", days=(date(2026, 3, 6), date(2026, 3, 6)))
    cancel(booked[1])
    with django_assert_max_num_queries(3):
        rows = [
            (entry.name, [offer.state for offer in entry.offers.all()])
            for entry in entries_for_day(day=date(2026, 3, 5), therapist=therapist, today=date(2026, 3, 2))
        ]
    assert rows == [("Person 0", ["offered"])] + [(f"Person {index}", []) for index in range(1, 5)]


def test_the_lapse_task_moves_on_only_once_the_hold_is_over(full_thursday, cancel, django_capture_on_commit_callbacks):
    from waitlist.tasks import offer_lapse

    service, _, _, booked = full_thursday
    join(service, name="Bea First")
    join(service, name="Cy Second")
    cancel(booked[1])
    first = Offer.objects.get()
    assert offer_lapse.call(offer_id=first.pk) is False  # queued for the end of the hold, run early: nothing
    with time_machine.travel(first.expires_at, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert offer_lapse.call(offer_id=first.pk) is True
        assert offer_lapse.call(offer_id=first.pk) is False  # a second run changes nothing
    assert offers() == [("Bea First", "lapsed"), ("Cy Second", "offered")]
