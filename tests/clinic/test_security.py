from unittest import mock

from django.db import OperationalError
from django.test import override_settings

from clinic.settings import base
from tests.factories import StaffUserFactory

PRODUCTION_BACKENDS = base.AUTHENTICATION_BACKENDS


def test_every_response_carries_the_security_headers(client, db):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_a_page_whose_database_is_down_gets_the_friendly_503(client, db):
    with mock.patch("clinic.views.services_active", side_effect=OperationalError("server closed the connection")):
        response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "We'll be back in a moment" in response.content.decode()


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3, AUTHENTICATION_BACKENDS=PRODUCTION_BACKENDS)
def test_staff_login_is_locked_after_repeated_wrong_passwords(client, db):
    StaffUserFactory(username="therapist", password="the-right-password-123")
    for _ in range(3):
        client.post("/admin/login/", {"username": "therapist", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "therapist", "password": "the-right-password-123"})
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3, AUTHENTICATION_BACKENDS=PRODUCTION_BACKENDS)
def test_staff_login_with_the_right_password_still_works_before_the_limit(client, db):
    StaffUserFactory(username="therapist", password="the-right-password-123")
    client.post("/admin/login/", {"username": "therapist", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "therapist", "password": "the-right-password-123"})
    assert response.status_code == 302
