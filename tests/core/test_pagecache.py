import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import timezone

from core.pagecache import PublicPageCacheMiddleware
from newsletter.models import Subscriber
from newsletter.tokens import form_stamp_age_seconds
from tests.factories import AppointmentFactory, PostFactory, StaffUserFactory, clinic_with_hours

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STAMP = re.compile(r'name="stamp" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PUBLIC_PAGE_CACHE = True


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured.captured_queries)


@pytest.fixture
def monday_morning():
    with time_machine.travel(datetime(2026, 3, 2, 7, 0, tzinfo=NEW_YORK), tick=False):
        yield


def test_a_repeated_public_page_is_served_without_queries(client, django_assert_num_queries):
    PostFactory(title="Calves after a long run")
    client.get("/blog/")
    with django_assert_num_queries(0):
        response = client.get("/blog/")
    assert "Calves after a long run" in response.content.decode()


def test_each_visitor_gets_their_own_csrf_token_from_the_cached_page():
    first = Client().get("/blog/")
    second = Client().get("/blog/")
    assert TOKEN.search(first.content.decode())[1] != TOKEN.search(second.content.decode())[1]
    assert second.cookies["csrftoken"].value


def test_the_footer_form_on_a_cached_page_subscribes_with_its_token(settings):
    settings.NEWSLETTER_MIN_FILL_SECONDS = 0
    Client().get("/blog/")
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get("/blog/").content.decode()
    response = visitor.post(
        "/newsletter/subscribe/",
        {"email": "reader@example.com", "csrfmiddlewaretoken": TOKEN.search(page)[1], "stamp": STAMP.search(page)[1]},
    )
    assert response.status_code == 200
    assert Subscriber.objects.filter(email="reader@example.com").exists()


def test_the_newsletter_stamp_on_a_cached_page_is_made_for_this_request():
    with time_machine.travel(datetime(2026, 3, 2, 7, 0, tzinfo=NEW_YORK), tick=False) as traveller:
        Client().get("/blog/")
        traveller.shift(timedelta(minutes=4))
        page = Client().get("/blog/").content.decode()
        assert form_stamp_age_seconds(STAMP.search(page)[1]) == 0


def test_a_new_post_appears_on_cached_blog_pages_at_once(client):
    PostFactory(title="First article")
    client.get("/blog/")
    client.get("/")
    PostFactory(title="Second article")
    assert "Second article" in client.get("/blog/").content.decode()
    assert "Second article" in client.get("/").content.decode()


def test_a_scheduled_post_appears_on_cached_blog_pages_when_it_goes_live(client, time_machine):
    PostFactory(title="First article")
    PostFactory(title="Goes live soon", publish_at=timezone.now() + timedelta(minutes=2))
    assert "Goes live soon" not in client.get("/blog/").content.decode()
    assert "Goes live soon" not in client.get("/").content.decode()
    time_machine.move_to(timezone.now() + timedelta(minutes=3))
    assert "Goes live soon" in client.get("/blog/").content.decode()
    assert "Goes live soon" in client.get("/").content.decode()


def test_a_new_booking_removes_its_time_from_cached_availability(client, monday_morning):
    service, (therapist,), (room,) = clinic_with_hours(start=time(9), end=time(11), duration_minutes=60)
    params = {"service": service.slug, "start": "2026-03-03", "end": "2026-03-03"}
    before = client.get("/api/availability/", params).json()["slots"]
    AppointmentFactory(
        service=service, therapist=therapist, room=room, starts_at=datetime(2026, 3, 3, 9, tzinfo=NEW_YORK)
    )
    after = client.get("/api/availability/", params).json()["slots"]
    assert before[0]["start"] == "2026-03-03T09:00:00-05:00"
    assert len(after) < len(before)
    assert all(not slot["start"].startswith("2026-03-03T09:") for slot in after)


def test_unchanged_availability_answers_a_conditional_get_with_304(client, monday_morning):
    service, _, _ = clinic_with_hours(start=time(9), end=time(11), duration_minutes=60)
    params = {"service": service.slug, "start": "2026-03-03", "end": "2026-03-03"}
    etag = client.get("/api/availability/", params)["ETag"]
    response = client.get("/api/availability/", params, headers={"if-none-match": etag})
    assert response.status_code == 304


def test_signed_in_staff_always_get_a_fresh_page(client):
    client.force_login(StaffUserFactory())
    client.get("/blog/")
    assert queries_for(client, "/blog/") > 0


def test_unknown_query_parameters_skip_the_cache(client):
    client.get("/blog/?utm_source=mail")
    assert queries_for(client, "/blog/?utm_source=mail") > 0


def test_a_response_that_sets_a_cookie_is_never_stored():
    def view_with_cookie(request):
        response = HttpResponse("hello")
        response.set_cookie("greeting", "hi")
        return response

    request = RequestFactory().get("/privacy/")
    request.resolver_match = resolve("/privacy/")
    middleware = PublicPageCacheMiddleware(view_with_cookie)
    assert middleware.process_view(request, view_with_cookie, (), {}) is None
    middleware(request)
    second = RequestFactory().get("/privacy/")
    second.resolver_match = resolve("/privacy/")
    assert middleware.process_view(second, view_with_cookie, (), {}) is None


def test_the_cache_is_off_unless_switched_on(client, settings):
    settings.PUBLIC_PAGE_CACHE = False
    client.get("/blog/")
    assert queries_for(client, "/blog/") > 0


def _without_visitor_values(content: bytes) -> str:
    return STAMP.sub("stamp", TOKEN.sub("token", content.decode()))


@pytest.fixture
def public_urls(monday_morning):
    service, (therapist,), _ = clinic_with_hours(start=time(9), end=time(11), duration_minutes=60)
    post = PostFactory(
        title="Runners rest too", body="Sleep is training. #running", publish_at=datetime(2026, 2, 1, tzinfo=NEW_YORK)
    )
    return [
        "/",
        "/privacy/",
        "/blog/",
        post.get_absolute_url(),
        "/blog/tag/running/",
        "/blog/2026/2/",
        post.author.get_absolute_url(),
        "/blog/feed/",
        "/blog/tag/running/feed/atom/",
        "/sitemap.xml",
        "/therapists/",
        therapist.get_absolute_url(),
        "/book/",
        f"/book/?service={service.slug}&therapist=any",
        f"/api/availability/?service={service.slug}&start=2026-03-03&end=2026-03-04",
    ]


def test_every_cached_page_is_served_as_it_was_rendered(public_urls):
    for url in public_urls:
        rendered = Client().get(url)
        cached = Client().get(url)
        assert rendered.status_code == cached.status_code == 200, url
        for header in ("Content-Type", "Content-Security-Policy", "X-Frame-Options", "Permissions-Policy"):
            assert rendered.get(header) == cached.get(header), (url, header)
        assert _without_visitor_values(cached.content) == _without_visitor_values(rendered.content), url
        with CaptureQueriesContext(connection) as captured:
            Client().get(url)
        assert len(captured.captured_queries) == 0, url
