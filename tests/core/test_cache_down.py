"""Redis refusing connections: public pages still render, sign-in still works, and /healthz says the cache is down."""

from datetime import date, time, timedelta

import pytest
from django.test import override_settings

from clinic.settings.base import redis_cache
from tests.factories import PostFactory, StaffUserFactory, clinic_with_hours

# Nothing listens on port 1: every cache call is refused at once.
REFUSED = redis_cache("redis://127.0.0.1:1/0")

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


@pytest.fixture
def redis_down():
    with override_settings(CACHES=REFUSED, SESSION_ENGINE="django.contrib.sessions.backends.cached_db"):
        yield


@pytest.fixture
def scene(db):
    service, (therapist,), _ = clinic_with_hours(start=time(9), end=time(17), slug="deep-tissue")
    post = PostFactory(title="Rolling out", body="Slowly. #recovery")
    return service, therapist, post


def public_urls(service, therapist, post) -> list[str]:
    today = date.today()
    return [
        "/",
        "/privacy/",
        "/book/",
        f"/book/?service={service.slug}&therapist=any",
        f"/api/availability/?service={service.slug}&therapist=any&start={today}&end={today + timedelta(days=7)}",
        "/therapists/",
        therapist.get_absolute_url(),
        "/blog/",
        post.get_absolute_url(),
        "/blog/tag/recovery/",
        "/blog/feed/",
        "/sitemap.xml",
        "/robots.txt",
    ]


def test_every_public_page_renders_while_the_cache_refuses_connections(client, scene, redis_down):
    statuses = {url: client.get(url).status_code for url in public_urls(*scene)}
    assert statuses == {url: 200 for url in statuses}


def test_subscribing_still_works_while_the_cache_is_down(client, scene, redis_down):
    response = client.post("/newsletter/subscribe/", {"email": "reader@example.com", "website": "", "stamp": ""})
    assert response.status_code == 303


def test_staff_can_still_sign_in_while_the_cache_is_down(client, redis_down):
    StaffUserFactory(username="frontdesk", password="the-right-password-123")
    response = client.post("/admin/login/", {"username": "frontdesk", "password": "the-right-password-123"})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_health_check_reports_the_cache_down_while_the_database_answers(client, redis_down):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "unavailable"}
