"""A new front-desk member sets up two-factor sign-in in the browser, from the sign-in page to the staff site."""

import re

import pytest
from django.contrib.auth.models import Group
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.factories import StaffUserFactory

PASSWORD = "correct horse battery staple"


@pytest.fixture
def new_front_desk(db, settings):
    settings.OTP_REQUIRED_FOR_HEALTH_DATA = True
    user = StaffUserFactory(username="jo", password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name="Front desk")[0])
    return user


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_the_front_desk_enrols_an_authenticator_and_gets_backup_codes(live_server, page, screenshot, new_front_desk):
    page.goto(live_server.url + "/admin/login/?next=/admin/")
    page.get_by_label("Username").fill("jo")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("must use two-factor sign-in")).to_be_visible()
    page.get_by_role("link", name="Set up your authenticator app now").click()

    expect(page.get_by_label("QR code for your authenticator app")).to_be_visible()
    screenshot("enrol")
    device = TOTPDevice.objects.get(user=new_front_desk, confirmed=False)
    page.get_by_label("The 6-digit code your app shows now").fill(code_for(device))
    page.get_by_role("button", name="Confirm and sign in").click()

    expect(page.get_by_role("heading", name="Backup codes")).to_be_visible()
    expect(page.locator(".two-factor__codes li")).to_have_count(10)
    screenshot("backup-codes")
    page.get_by_role("link", name="Continue to the staff site").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("link", name="Backup codes")).to_be_visible()
