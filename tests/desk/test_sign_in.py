"""Where signing in to the admin leads: the page asked for when it is on this site, else the desk's grid
for the front desk and the admin's index for everyone else."""

import pytest
from django.contrib.auth.models import Group

from tests.factories import StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def front_desk(db):
    user = StaffUserFactory(username="desk", password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name="Front desk")[0])
    return user


@pytest.fixture
def superuser(db):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(client, username, next_url=None):
    """As the browser does it: the form posts to the address it came from and carries ``next`` (the admin's
    index when none was asked for)."""
    address = "/admin/login/" if next_url is None else f"/admin/login/?next={next_url}"
    data = {"username": username, "password": PASSWORD, "next": next_url or "/admin/"}
    return client.post(address, data)


@pytest.mark.parametrize("username", ["desk", "root"])
@pytest.mark.parametrize("wanted", ["/admin/", "/admin/bookings/appointment/", "/admin/password_change/"])
def test_a_page_asked_for_on_this_site_wins_over_the_desk(client, front_desk, superuser, username, wanted):
    response = sign_in(client, username, wanted)
    assert response.status_code == 302 and response["Location"] == wanted


@pytest.mark.parametrize("username", ["desk", "root"])
def test_without_a_page_asked_for_the_desk_people_land_on_the_grid(client, front_desk, superuser, username):
    response = sign_in(client, username)
    assert response.status_code == 302 and response["Location"] == "/staff/"


@pytest.mark.parametrize("wanted", ["https://evil.example/admin/", "//evil.example/", "http:///evil.example"])
def test_another_sites_next_is_ignored(client, front_desk, wanted):
    response = sign_in(client, "desk", wanted)
    assert response.status_code == 302 and response["Location"] == "/staff/"


def test_staff_outside_the_desk_land_on_the_admin_without_a_page_asked_for(client, db):
    StaffUserFactory(username="books", password=PASSWORD)
    assert sign_in(client, "books")["Location"] == "/admin/"
    client.logout()
    assert sign_in(client, "books", "https://evil.example/")["Location"] == "/admin/"
