"""Every way bookings frees time reaches the waitlist: a move, removed time off, a removed closure, new hours.

(A cancellation is covered in test_offers.py, and a "move me earlier" releasing the old time in test_accept.py.)
The schedule is edited in the admin, so these tests post the admin's own forms.
"""

from datetime import UTC, date, datetime, time

import pytest

from bookings.models import Closure, TimeOff, WorkingHours
from bookings.moves import appointment_reschedule
from tests.adminforms import change_form
from tests.factories import UserFactory, clinic_with_hours
from waitlist.models import Offer

from .conftest import THURSDAY, book, join, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, monday_morning):
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    return client


def offered():
    return [(offer.entry.name, offer.starts_at) for offer in Offer.objects.select_related("entry")]


def test_removing_time_off_in_the_admin_offers_what_it_covered(admin_client, django_capture_on_commit_callbacks):
    service, (therapist,), _ = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60)
    TimeOff.objects.create(
        therapist=therapist,
        starts_at=local(2026, 3, 5, 9).astimezone(UTC),
        ends_at=local(2026, 3, 5, 17).astimezone(UTC),
    )
    join(service, name="Bea Park")
    url = f"/admin/bookings/therapist/{therapist.pk}/change/"
    data = change_form(admin_client.get(url))
    prefix = next(key for key in data if key.endswith("-0-starts_at_0")).rsplit("-0-", 1)[0]
    data[f"{prefix}-0-DELETE"] = "on"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert TimeOff.objects.count() == 0
    assert offered() == [("Bea Park", local(2026, 3, 5, 9).astimezone(UTC))]


def test_new_working_hours_in_the_admin_offer_their_time(admin_client, django_capture_on_commit_callbacks):
    service, (therapist,), _ = clinic_with_hours(weekdays=[0], start=time(9), end=time(17), duration_minutes=60)
    join(service, name="Bea Park", parts_of_day=["afternoon"])
    url = f"/admin/bookings/therapist/{therapist.pk}/change/"
    data = change_form(admin_client.get(url))
    prefix = next(key for key in data if key.endswith("-0-weekday")).rsplit("-0-", 1)[0]
    count = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = count + 1
    data.update(
        {f"{prefix}-{count}-weekday": 3, f"{prefix}-{count}-start_time": "13:00", f"{prefix}-{count}-end_time": "17:00"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, data)
    assert response.status_code == 302
    assert WorkingHours.objects.filter(weekday=3).exists()
    assert offered() == [("Bea Park", local(2026, 3, 5, 13).astimezone(UTC))]


def test_deleting_a_closure_in_the_admin_offers_its_days(admin_client, django_capture_on_commit_callbacks):
    service, _, _ = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60)
    closure = Closure.objects.create(starts_on=THURSDAY, ends_on=THURSDAY, reason="Training")
    join(service, name="Bea Park")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/bookings/closure/{closure.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Closure.objects.exists()
    assert offered() == [("Bea Park", local(2026, 3, 5, 9).astimezone(UTC))]


def test_shortening_a_closure_in_the_admin_offers_the_days_it_gave_back(
    admin_client, django_capture_on_commit_callbacks
):
    service, _, _ = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60)
    closure = Closure.objects.create(starts_on=THURSDAY, ends_on=date(2026, 3, 6), reason="Training")
    join(service, name="Bea Park", days=(THURSDAY, date(2026, 3, 6)))
    url = f"/admin/bookings/closure/{closure.pk}/change/"
    data = change_form(admin_client.get(url))
    data["starts_on"] = "2026-03-06"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, data)
    assert response.status_code == 302
    assert offered() == [("Bea Park", local(2026, 3, 5, 9).astimezone(UTC))]  # Friday is still closed


def test_a_staff_move_offers_the_old_time(monday_morning, django_capture_on_commit_callbacks):
    service, (therapist,), _ = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60)
    ten = local(2026, 3, 5, 10).astimezone(UTC)
    booking = book(service, therapist, ten)
    join(service, name="Bea Park", windows=[])
    with django_capture_on_commit_callbacks(execute=True):
        appointment_reschedule(appointment=booking, starts_at=local(2026, 3, 6, 10).astimezone(UTC), by_client=False)
    # The whole of Thursday was free except 10:00; the move frees it, and the start there is preferred.
    assert offered() == [("Bea Park", ten)]
    assert Offer.objects.get().opening.reason == "moved"


def test_a_time_freed_in_the_past_offers_nothing(monday_morning, django_capture_on_commit_callbacks):
    from bookings.signals import time_freed_announce

    service, (therapist,), _ = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60)
    join(service, name="Bea Park", days=(date(2026, 3, 2), date(2026, 3, 2)))
    with django_capture_on_commit_callbacks(execute=True):
        time_freed_announce(
            therapist_id=therapist.pk,
            starts_at=datetime(2026, 3, 1, 14, tzinfo=UTC),
            ends_at=datetime(2026, 3, 1, 15, tzinfo=UTC),
            reason="cancelled",
        )
    assert offered() == []


def test_staff_setting_a_booking_to_cancelled_offers_its_time(monday_morning, django_capture_on_commit_callbacks):
    from bookings.status_changes import appointment_status_set

    service, (therapist,), _ = clinic_with_hours(start=time(9), end=time(17), duration_minutes=60)
    ten = local(2026, 3, 5, 10).astimezone(UTC)
    booking = book(service, therapist, ten)
    join(service, name="Bea Park")
    with django_capture_on_commit_callbacks(execute=True):
        appointment_status_set(appointment=booking, status="cancelled", changed_by=None)
    assert offered() == [("Bea Park", ten)]
