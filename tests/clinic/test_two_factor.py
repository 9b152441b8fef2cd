from django.core.management import call_command
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import StaffUserFactory, UserFactory

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
