"""Hand-typed junk in the desk's waitlist links and forms gets a page, never a server error."""

import pytest

from tests.waitlist.conftest import THURSDAY, join
from waitlist.models import Offer


@pytest.mark.parametrize("date", ["2026-02-30", "2026-13-01", "0001-01-01", "9999-12-31", "²"])
def test_a_day_that_is_no_day_shows_the_waitlist_of_today(desk, busy_day, date):
    assert desk.get("/staff/waitlist/", {"date": date}).status_code == 200


@pytest.mark.parametrize("picked", ["²|2026-03-05T15:00Z", "1|2026-02-30T15:00Z", "|", "9" * 30 + "|x"])
def test_a_picked_time_that_is_not_a_therapist_and_time_is_refused_with_the_list_kept(desk, busy_day, picked):
    entry = join(busy_day["services"][0], days=(THURSDAY, THURSDAY))
    response = desk.post(f"/staff/waitlist/{entry.pk}/offer/?date=2026-03-05", {"time": picked})
    assert response.status_code == 400
    assert "Please choose one of the free times in the list." in response.content.decode()
    assert not Offer.objects.exists()
