from datetime import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group

from tests.bookings.conftest import NEW_YORK
from tests.factories import StaffUserFactory

from .scenes import busy_day_scene


@pytest.fixture
def at_nine():
    """Thursday 5 March 2026, 09:00 in New York."""
    with time_machine.travel(datetime(2026, 3, 5, 9, 0, tzinfo=NEW_YORK), tick=False) as traveller:
        yield traveller


@pytest.fixture
def desk_user(db):
    user = StaffUserFactory(username="desk")
    user.groups.add(Group.objects.get_or_create(name="Front desk")[0])
    return user


@pytest.fixture
def desk(client, desk_user):
    client.force_login(desk_user)
    return client


@pytest.fixture
def busy_day(at_nine, desk_user):
    return busy_day_scene(desk_user)
