import re
from datetime import timedelta

import time_machine
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import StaffUserFactory, TherapistFactory, UserFactory

PASSWORD = "correct horse battery staple"


def log_in(client, username, token=None):
    data = {"username": username, "password": PASSWORD, "next": "/admin/"}
    if token is not None:
        data["otp_token"] = token
        data["otp_device"] = TOTPDevice.objects.get(user__username=username).persistent_id
    return client.post("/admin/login/", data)


def current_token(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def test_staff_without_an_authenticator_sign_in_with_their_password(client, db):
    StaffUserFactory(username="desk")
    assert log_in(client, "desk").status_code == 302
    assert client.get("/admin/").status_code == 200


def test_staff_with_an_authenticator_must_give_its_code(client, db):
    user = StaffUserFactory(username="desk")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    response = log_in(client, "desk")
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302
    wrong = "000000" if current_token(device) != "000000" else "111111"
    assert log_in(client, "desk", token=wrong).status_code == 200
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code slows further tries down; the test need not wait
    assert log_in(client, "desk", token=current_token(device)).status_code == 302
    assert client.get("/admin/").status_code == 200


@override_settings(OTP_REQUIRED_FOR_SUPERUSERS=True)
def test_superusers_cannot_sign_in_without_two_factor_when_it_is_required(client, db):
    UserFactory(username="owner", is_staff=True, is_superuser=True)
    response = log_in(client, "owner")
    assert response.status_code == 200
    assert "must use two-factor sign-in" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_staff_totp_setup_adds_a_confirmed_authenticator(db, capsys):
    user = StaffUserFactory(username="desk")
    call_command("staff_totp_setup", "desk")
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    assert "otpauth://totp/" in capsys.readouterr().out


# Enrolling in the browser: everyone who can read health data must use a second factor.

HEALTH_DATA_RULE = override_settings(OTP_REQUIRED_FOR_HEALTH_DATA=True)


def front_desk_user(username="desk"):
    user = StaffUserFactory(username=username, password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name="Front desk")[0])
    return user


def enrol_page(client):
    return client.get("/admin/two-factor/enrol/")


def enrolling_device(username="desk") -> TOTPDevice:
    return TOTPDevice.objects.get(user__username=username, confirmed=False)


@HEALTH_DATA_RULE
def test_the_front_desk_is_not_signed_in_by_a_password_alone(client, db):
    front_desk_user()
    response = log_in(client, "desk")
    assert response.status_code == 200
    page = response.content.decode()
    assert "must use two-factor sign-in" in page
    assert 'href="/admin/two-factor/enrol/"' in page
    assert client.get("/admin/").status_code == 302


@HEALTH_DATA_RULE
def test_a_therapist_with_an_account_must_enrol_but_a_bookkeeper_need_not(client, db):
    therapist_user = StaffUserFactory(username="maya", password=PASSWORD)
    TherapistFactory(user=therapist_user)
    StaffUserFactory(username="books", password=PASSWORD)
    assert "must use two-factor sign-in" in log_in(client, "maya").content.decode()
    assert log_in(client, "books").status_code == 302


@HEALTH_DATA_RULE
def test_the_front_desk_enrols_in_the_browser_and_is_signed_in_by_the_first_code(client, db):
    front_desk_user()
    log_in(client, "desk")
    page = enrol_page(client)
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    assert page["Cache-Control"].startswith("private")
    device = enrolling_device()
    response = client.post("/admin/two-factor/enrol/", {"otp_token": current_token(device)}, follow=True)
    assert response.status_code == 200
    codes = re.findall(r"<li><code>(\w+)</code></li>", response.content.decode())
    assert len(codes) == 10
    assert response["Cache-Control"].startswith("private")
    assert "<code>" not in client.get("/admin/two-factor/backup-codes/").content.decode()  # shown once
    assert TOTPDevice.objects.get(user__username="desk").confirmed
    assert client.get("/admin/").status_code == 200


@HEALTH_DATA_RULE
def test_a_wrong_code_keeps_the_device_unconfirmed_and_says_why(client, db):
    front_desk_user()
    log_in(client, "desk")
    enrol_page(client)
    device = enrolling_device()
    wrong = "000000" if current_token(device) != "000000" else "111111"
    response = client.post("/admin/two-factor/enrol/", {"otp_token": wrong})
    assert response.status_code == 200
    assert "That code does not match" in response.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    assert client.get("/admin/").status_code == 302


@HEALTH_DATA_RULE
def test_the_enrolment_page_needs_the_password_first_and_only_for_ten_minutes(client, db):
    front_desk_user()
    assert enrol_page(client).status_code == 302
    log_in(client, "desk")
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert enrol_page(client)["Location"].startswith("/admin/login/")


@HEALTH_DATA_RULE
def test_a_backup_code_signs_in_once_instead_of_the_app(client, db):
    front_desk_user()
    log_in(client, "desk")
    enrol_page(client)
    response = client.post("/admin/two-factor/enrol/", {"otp_token": current_token(enrolling_device())}, follow=True)
    code = re.findall(r"<li><code>(\w+)</code></li>", response.content.decode())[0]
    client.logout()
    backup = StaticDevice.objects.get(user__username="desk")
    data = {"username": "desk", "password": PASSWORD, "otp_device": backup.persistent_id, "otp_token": code}
    assert client.post("/admin/login/", data).status_code == 302
    client.logout()
    assert client.post("/admin/login/", data).status_code == 200


def test_guessing_one_staff_password_from_many_addresses_is_stopped(client, db):
    StaffUserFactory(username="desk", password=PASSWORD)
    for n in range(20):
        client.post("/admin/login/", {"username": "desk", "password": "wrong"}, REMOTE_ADDR=f"198.51.100.{n + 1}")
    response = client.post(
        "/admin/login/", {"username": "desk", "password": PASSWORD, "next": "/admin/"}, REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 200
    assert "too many wrong passwords from different places" in response.content.decode()
    other = StaffUserFactory(username="other", password=PASSWORD)
    assert other and log_in(client, "other").status_code == 302
