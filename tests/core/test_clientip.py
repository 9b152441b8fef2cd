"""Whose address a request is, directly and behind our reverse proxies: rate limits and login throttling key on it."""

import pytest
from django.test import override_settings

from clinic.settings import base
from core.clientip import client_ip
from core.ratelimit import rate_limit_exceeded
from tests.factories import StaffUserFactory

NGINX = "127.0.0.1"


def request_from(rf, peer: str, forwarded: str | None = None):
    headers = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return rf.get("/", **headers)


def test_without_trusted_proxies_the_socket_address_is_the_client_whatever_the_header_says(rf, settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request_from(rf, "198.51.100.7", "203.0.113.9")) == "198.51.100.7"


def test_behind_a_trusted_proxy_the_address_it_appended_is_the_client(rf, settings):
    settings.TRUSTED_PROXIES = [NGINX]
    assert client_ip(request_from(rf, NGINX, "203.0.113.9")) == "203.0.113.9"


def test_a_direct_client_cannot_choose_its_address_by_sending_the_header(rf, settings):
    settings.TRUSTED_PROXIES = [NGINX]
    assert client_ip(request_from(rf, "198.51.100.7", "203.0.113.9")) == "198.51.100.7"


def test_a_client_behind_the_proxy_cannot_forge_an_address_to_the_left_of_its_own(rf, settings):
    settings.TRUSTED_PROXIES = [NGINX]
    assert client_ip(request_from(rf, NGINX, "6.6.6.6, 203.0.113.9")) == "203.0.113.9"


def test_a_chain_of_trusted_proxies_is_walked_back_to_the_first_untrusted_hop(rf, settings):
    settings.TRUSTED_PROXIES = [NGINX, "10.0.0.0/8"]
    assert client_ip(request_from(rf, NGINX, "6.6.6.6, 203.0.113.9, 10.1.2.3")) == "203.0.113.9"


def test_ipv6_and_ports_in_the_header_are_read(rf, settings):
    settings.TRUSTED_PROXIES = [NGINX]
    assert client_ip(request_from(rf, NGINX, "[2001:db8::5]:51000")) == "2001:db8::5"
    assert client_ip(request_from(rf, NGINX, "203.0.113.9:51000")) == "203.0.113.9"


def test_an_unreadable_hop_stops_the_walk_at_the_last_address_we_can_vouch_for(rf, settings):
    settings.TRUSTED_PROXIES = [NGINX]
    assert client_ip(request_from(rf, NGINX, "203.0.113.9, not-an-address")) == NGINX


def test_behind_the_proxy_each_visitor_has_a_rate_limit_of_their_own(rf, settings, rate_limit):
    settings.TRUSTED_PROXIES = [NGINX]
    rate_limit("test:clientip", 3, 60)
    first = request_from(rf, NGINX, "203.0.113.1")
    second = request_from(rf, NGINX, "203.0.113.2")
    for _ in range(3):
        rate_limit_exceeded(first, scope="test:clientip")
    assert rate_limit_exceeded(first, scope="test:clientip")
    assert not rate_limit_exceeded(second, scope="test:clientip")


@pytest.mark.django_db
@override_settings(
    AXES_ENABLED=True,
    AXES_FAILURE_LIMIT=3,
    AUTHENTICATION_BACKENDS=base.AUTHENTICATION_BACKENDS,
    TRUSTED_PROXIES=[NGINX],
)
def test_an_attacker_behind_the_proxy_does_not_lock_the_front_desk_out(client):
    StaffUserFactory(username="frontdesk", password="the-right-password-123")
    for _ in range(3):
        client.post(
            "/admin/login/",
            {"username": "frontdesk", "password": "wrong"},
            REMOTE_ADDR=NGINX,
            HTTP_X_FORWARDED_FOR="198.51.100.66",
        )
    attacker = client.post(
        "/admin/login/",
        {"username": "frontdesk", "password": "the-right-password-123"},
        REMOTE_ADDR=NGINX,
        HTTP_X_FORWARDED_FOR="198.51.100.66",
    )
    assert attacker.status_code == 429
    desk = client.post(
        "/admin/login/",
        {"username": "frontdesk", "password": "the-right-password-123"},
        REMOTE_ADDR=NGINX,
        HTTP_X_FORWARDED_FOR="203.0.113.20",
    )
    assert desk.status_code == 302
