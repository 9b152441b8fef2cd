"""The clinic owner's role: runs therapists, services, rooms and staff accounts, reads health data
(so signs in with a second factor), and cannot make anyone a superuser."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import override_settings

from bookings.models import Therapist
from clinic.management.commands.demo import welcome
from tests.factories import StaffUserFactory

PASSWORD = "demo-clinic-2026"

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=None)


def signed_in(client, username):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def inline_management_data(page: str) -> dict:
    """The empty inline formsets' management fields of an admin add page."""
    data = {}
    for prefix in re.findall(r'name="([\w-]+)-TOTAL_FORMS"', page):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


def test_the_demo_prints_the_owners_login_beside_the_front_desks():
    text = welcome("127.0.0.1:8000")
    assert "user 'frontdesk'" in text
    assert "user 'owner', password 'demo-clinic-2026'" in text
    assert "therapists, services, rooms, staff accounts" in text


def test_the_demo_owner_creates_a_therapist_which_the_front_desk_cannot(demo, client):
    assert signed_in(client, "frontdesk").get("/admin/bookings/therapist/add/").status_code == 403
    owner = signed_in(client, "owner")
    page = owner.get("/admin/bookings/therapist/add/")
    assert page.status_code == 200
    data = {
        "name": "Lena Brandt",
        "slug": "lena-brandt",
        "credentials": "LMT",
        "bio": "",
        "is_bookable_online": "on",
        "is_active": "on",
        "position": "5",
        **inline_management_data(page.content.decode()),
    }
    response = owner.post("/admin/bookings/therapist/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Therapist.objects.filter(slug="lena-brandt").exists()


def test_the_demo_owner_manages_services_rooms_and_staff_accounts(demo, client):
    owner = signed_in(client, "owner")
    for path in ("/admin/bookings/service/add/", "/admin/bookings/room/add/", "/admin/auth/user/add/"):
        assert owner.get(path).status_code == 200, path
    response = owner.post(
        "/admin/auth/user/add/",
        {"username": "newdesk", "password1": "a long new password 2026", "password2": "a long new password 2026"},
    )
    assert response.status_code == 302
    assert get_user_model().objects.filter(username="newdesk").exists()


def test_the_owner_can_neither_make_a_superuser_nor_change_one(demo, client):
    owner_user = get_user_model().objects.get(username="owner")
    admin_user = StaffUserFactory(username="root", is_superuser=True)
    owner = signed_in(client, "owner")
    own_page = owner.get(f"/admin/auth/user/{owner_user.pk}/change/").content.decode()
    assert 'name="groups"' in own_page
    assert 'name="is_superuser"' not in own_page and 'name="user_permissions"' not in own_page
    assert owner.get(f"/admin/auth/user/{admin_user.pk}/password/").status_code == 403
    superuser_page = owner.get(f"/admin/auth/user/{admin_user.pk}/change/").content.decode()
    assert 'name="username"' not in superuser_page  # shown read-only
    response = owner.post(
        f"/admin/auth/user/{owner_user.pk}/change/",
        {"username": "owner", "is_staff": "on", "is_active": "on", "is_superuser": "on", "date_joined_0": "2026-01-01",
         "date_joined_1": "09:00:00"},
    )  # fmt: skip
    assert response.status_code == 302
    owner_user.refresh_from_db()
    assert not owner_user.is_superuser


@override_settings(OTP_REQUIRED_FOR_HEALTH_DATA=True)
def test_the_owner_reads_health_data_so_a_password_alone_does_not_sign_them_in(demo, client):
    response = client.post("/admin/login/", {"username": "owner", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 200
    assert "must use two-factor sign-in" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_the_owner_cannot_join_a_group_with_rights_beyond_their_own(demo, client):
    owner_user = get_user_model().objects.get(username="owner")
    wide = Group.objects.create(name="Accounts")
    wide.permissions.set(Permission.objects.filter(content_type__app_label="auth"))
    owner = signed_in(client, "owner")
    page = owner.get(f"/admin/auth/user/{owner_user.pk}/change/").content.decode()
    assert ">Accounts<" not in page and ">Front desk<" in page
    groups = list(owner_user.groups.values_list("pk", flat=True))
    response = owner.post(
        f"/admin/auth/user/{owner_user.pk}/change/",
        {"username": "owner", "is_staff": "on", "is_active": "on", "groups": [*groups, wide.pk],
         "date_joined_0": "2026-01-01", "date_joined_1": "09:00:00"},
    )  # fmt: skip
    assert response.status_code == 200  # the form refuses the choice
    assert not owner_user.groups.filter(pk=wide.pk).exists()
    assert not get_user_model().objects.get(username="owner").has_perm("auth.change_group")


def test_the_owner_cannot_change_an_account_holding_more_rights_than_they_do(demo, client):
    bookkeeper = StaffUserFactory(username="books")
    bookkeeper.user_permissions.set(Permission.objects.filter(codename="change_group"))
    owner = signed_in(client, "owner")
    assert 'name="username"' not in owner.get(f"/admin/auth/user/{bookkeeper.pk}/change/").content.decode()
    assert owner.get(f"/admin/auth/user/{bookkeeper.pk}/password/").status_code == 403
    front_desk = get_user_model().objects.get(username="frontdesk")
    assert 'name="username"' in owner.get(f"/admin/auth/user/{front_desk.pk}/change/").content.decode()
