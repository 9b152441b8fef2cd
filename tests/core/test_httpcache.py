from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone

from blog.services import post_publish
from bookings.services import ClientDetails, appointment_book
from core.httpcache import PublicPageMiddleware
from newsletter.models import Subscriber
from newsletter.views import SUBSCRIBE_CROSS_SITE
from tests.factories import CategoryFactory, PostFactory, StaffUserFactory, clinic_with_hours

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")
FIVE_MINUTES = "public, max-age=30, s-maxage=210, stale-while-revalidate=60"


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PUBLIC_PAGE_CACHE = True


def view_ran(client, url) -> bool:
    """Whether the page was rendered for this request (a page from Django's cache renders no template).

    Not the page's queries: a blog page's view reads the blog's cached fragments and may make none."""
    return bool(client.get(url).templates)


@pytest.fixture
def monday_morning():
    with time_machine.travel(datetime(2026, 3, 2, 7, 0, tzinfo=NEW_YORK), tick=False) as traveller:
        yield traveller


@pytest.fixture
def public_urls(monday_morning):
    service, (therapist,), _ = clinic_with_hours(start=time(9), end=time(11), duration_minutes=60)
    post = PostFactory(
        title="Runners rest too", body="Sleep is training. #running", publish_at=datetime(2026, 2, 1, tzinfo=NEW_YORK)
    )
    return [
        "/",
        "/privacy/",
        "/robots.txt",
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


def test_every_public_page_may_be_kept_by_any_cache_and_holds_nothing_of_the_visitor(public_urls):
    for url in public_urls:
        response = Client().get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"].startswith("public, max-age="), url
        assert "s-maxage=" in response["Cache-Control"], url
        assert "stale-while-revalidate=" in response["Cache-Control"], url
        assert response.has_header("ETag"), url
        assert response.cookies == {}, url
        assert "cookie" not in response.get("Vary", "").lower(), url
        assert b"csrfmiddlewaretoken" not in response.content, url


def test_a_returning_visitors_csrf_cookie_does_not_make_a_public_page_private():
    visitor = Client()
    visitor.cookies["csrftoken"] = "returningVisitor0123456789abcdef"
    response = visitor.get("/privacy/")
    assert response["Cache-Control"] == FIVE_MINUTES
    assert response.cookies == {}


def test_blog_pages_may_be_kept_five_minutes_in_all(client):
    PostFactory(title="Calves after a long run")
    assert client.get("/blog/")["Cache-Control"] == FIVE_MINUTES


def test_availability_may_be_kept_thirty_seconds_in_all(client, monday_morning):
    service, _, _ = clinic_with_hours(start=time(9), end=time(11), duration_minutes=60)
    response = client.get("/api/availability/", {"service": service.slug, "start": "2026-03-03", "end": "2026-03-03"})
    assert response["Cache-Control"] == "public, max-age=3, s-maxage=21, stale-while-revalidate=6"


def test_a_blog_page_is_kept_no_longer_than_until_the_next_scheduled_post_goes_live(client):
    PostFactory(title="Out already")
    PostFactory(title="Goes live soon", publish_at=timezone.now() + timedelta(seconds=100))
    assert client.get("/blog/")["Cache-Control"] == "public, max-age=10, s-maxage=70, stale-while-revalidate=20"


def test_a_page_from_djangos_cache_is_kept_only_for_the_time_its_rendering_has_left(monday_morning):
    PostFactory(title="Calves after a long run")
    Client().get("/blog/")
    monday_morning.shift(timedelta(seconds=100))
    response = Client().get("/blog/")
    assert response["Cache-Control"] == "public, max-age=20, s-maxage=140, stale-while-revalidate=40"


def test_signed_in_staff_get_a_private_page_rendered_for_them(client):
    PostFactory(title="Calves after a long run")
    Client().get("/blog/")
    client.force_login(StaffUserFactory())
    response = client.get("/blog/")
    assert response["Cache-Control"] == "private, no-cache"
    assert view_ran(client, "/blog/")


def test_a_visitor_with_a_flash_message_gets_a_private_page():
    visitor = Client()
    visitor.cookies["messages"] = "anything"
    assert "private" in visitor.get("/privacy/")["Cache-Control"]


def test_a_repeated_public_page_is_served_without_queries_or_rendering(client, django_assert_num_queries):
    PostFactory(title="Calves after a long run")
    client.get("/blog/")
    with django_assert_num_queries(0):
        response = client.get("/blog/")
    assert "Calves after a long run" in response.content.decode()
    assert not response.templates


def test_a_cached_page_is_served_as_it_was_rendered(public_urls):
    for url in public_urls:
        rendered = Client().get(url)
        with CaptureQueriesContext(connection) as captured:
            cached = Client().get(url)
        assert len(captured.captured_queries) == 0, url
        assert cached.content == rendered.content, url
        for header in ("Content-Type", "ETag", "Content-Security-Policy", "X-Frame-Options", "Permissions-Policy"):
            assert rendered.get(header) == cached.get(header), (url, header)


def test_an_unchanged_page_answers_a_conditional_get_with_304(client, monday_morning):
    PostFactory(title="Calves after a long run")
    etag = client.get("/blog/")["ETag"]
    response = client.get("/blog/", headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response["Cache-Control"] == FIVE_MINUTES


def test_unchanged_availability_answers_a_conditional_get_with_304(client, monday_morning):
    service, _, _ = clinic_with_hours(start=time(9), end=time(11), duration_minutes=60)
    params = {"service": service.slug, "start": "2026-03-03", "end": "2026-03-03"}
    etag = client.get("/api/availability/", params)["ETag"]
    assert client.get("/api/availability/", params, headers={"if-none-match": etag}).status_code == 304


def test_unknown_query_parameters_skip_djangos_cache(client):
    client.get("/blog/?utm_source=mail")
    assert view_ran(client, "/blog/?utm_source=mail")


def test_djangos_cache_is_off_unless_switched_on(client, settings):
    settings.PUBLIC_PAGE_CACHE = False
    client.get("/blog/")
    assert view_ran(client, "/blog/")
    assert client.get("/blog/")["Cache-Control"] == FIVE_MINUTES


def test_a_post_published_through_the_service_appears_on_cached_pages_at_once(client):
    PostFactory(title="First article")
    draft = PostFactory(title="Second article", status="draft")
    client.get("/blog/")
    client.get("/")
    post_publish(post=draft)
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


def test_a_booking_removes_its_time_from_cached_availability(client, monday_morning):
    service, (therapist,), _ = clinic_with_hours(start=time(9), end=time(11), duration_minutes=60)
    params = {"service": service.slug, "start": "2026-03-03", "end": "2026-03-03"}
    before = client.get("/api/availability/", params).json()["slots"]
    appointment_book(
        service=service,
        therapist=therapist,
        starts_at=datetime(2026, 3, 3, 9, tzinfo=NEW_YORK),
        client=ClientDetails(name="Ada Client", email="ada@example.com", phone="555-0100"),
    )
    after = client.get("/api/availability/", params).json()["slots"]
    assert before[0]["start"] == "2026-03-03T09:00:00-05:00"
    assert all(not slot["start"].startswith("2026-03-03T09:") for slot in after)


def test_a_closure_saved_in_the_admin_empties_cached_availability(client, monday_morning):
    service, _, _ = clinic_with_hours(start=time(9), end=time(11), duration_minutes=60)
    params = {"service": service.slug, "start": "2026-03-03", "end": "2026-03-03"}
    assert Client().get("/api/availability/", params).json()["slots"]
    client.force_login(StaffUserFactory(is_superuser=True))
    response = client.post(
        reverse("admin:bookings_closure_add"),
        {"reason": "Burst pipe", "starts_on": "2026-03-03", "ends_on": "2026-03-03"},
    )
    assert response.status_code == 302
    assert Client().get("/api/availability/", params).json()["slots"] == []


def test_a_category_renamed_in_the_admin_is_renamed_on_its_cached_page(client):
    category = CategoryFactory(name="Recovery")
    PostFactory(title="Calves after a long run", categories=[category])
    Client().get(category.get_absolute_url())
    client.force_login(StaffUserFactory(is_superuser=True))
    change = reverse("admin:blog_category_change", args=[category.pk])
    response = client.post(change, {"name": "Rest and recovery", "slug": category.slug, "description": ""})
    assert response.status_code == 302
    assert "Rest and recovery" in Client().get(category.get_absolute_url()).content.decode()


def test_an_answer_that_sets_a_cookie_is_neither_stored_nor_shared():
    def view_with_cookie(request):
        response = HttpResponse("hello")
        response.set_cookie("greeting", "hi")
        return response

    def request():
        made = RequestFactory().get("/privacy/")
        made.resolver_match = resolve("/privacy/")
        return made

    middleware = PublicPageMiddleware(view_with_cookie)
    first = request()
    assert middleware.process_view(first, view_with_cookie, (), {}) is None
    assert "private" in middleware(first)["Cache-Control"]
    assert middleware.process_view(request(), view_with_cookie, (), {}) is None


@pytest.fixture
def fill_time_off(settings):
    settings.NEWSLETTER_MIN_FILL_SECONDS = 0


def _footer_form(page: str) -> dict:
    import re

    stamp = re.search(r'name="stamp" value="([^"]+)"', page)[1]
    return {"email": "reader@example.com", "website": "", "stamp": stamp, "source": "/blog/"}


def test_the_footer_form_on_a_cached_page_subscribes_without_a_csrf_token(
    fill_time_off, django_capture_on_commit_callbacks
):
    Client().get("/blog/")
    visitor = Client(enforce_csrf_checks=True)
    form = _footer_form(visitor.get("/blog/").content.decode())
    with django_capture_on_commit_callbacks(execute=True):  # the worker's turn
        response = visitor.post("/newsletter/subscribe/", form, headers={"origin": "http://testserver"})
    assert response.status_code == 303
    assert Subscriber.objects.filter(email="reader@example.com").exists()


def test_a_browser_that_sends_no_origin_can_still_subscribe(fill_time_off, django_capture_on_commit_callbacks):
    visitor = Client(enforce_csrf_checks=True)
    form = _footer_form(visitor.get("/privacy/").content.decode())
    with django_capture_on_commit_callbacks(execute=True):  # the worker's turn
        assert visitor.post("/newsletter/subscribe/", form).status_code == 303
    assert Subscriber.objects.filter(email="reader@example.com").exists()


def test_a_subscription_another_site_sends_is_refused_with_a_clear_message(fill_time_off):
    visitor = Client()
    form = _footer_form(visitor.get("/privacy/").content.decode())
    response = visitor.post("/newsletter/subscribe/", form, headers={"origin": "https://elsewhere.example"})
    assert response.status_code == 403
    assert SUBSCRIBE_CROSS_SITE in response.content.decode()
    assert not Subscriber.objects.exists()


def test_a_subscription_the_browser_marks_cross_site_is_refused_to_the_widget_in_json(fill_time_off):
    visitor = Client()
    form = _footer_form(visitor.get("/privacy/").content.decode())
    response = visitor.post(
        "/newsletter/subscribe/", form, headers={"sec-fetch-site": "cross-site", "accept": "application/json"}
    )
    assert response.status_code == 403
    assert response.json() == {"ok": False, "message": SUBSCRIBE_CROSS_SITE}
    assert not Subscriber.objects.exists()
