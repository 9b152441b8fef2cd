"""Every public page and every state of the booking and newsletter flows, reachable in a browser.

``public_scene()`` writes the content the pages show; ``public_states(scene)`` lists
(name, visit) pairs where ``visit(page, base_url)`` leaves the page showing that state. The
accessibility, privacy and page-weight tests all walk the same list, so a page added here is
audited, checked for third-party requests and weighed at once.
"""

import functools
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from unittest import mock

from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Appointment
from bookings.params import format_start
from bookings.tokens import manage_token
from newsletter.tokens import confirm_token_make, unsubscribe_token_make
from tests.factories import (
    AppointmentFactory,
    AuthorFactory,
    CategoryFactory,
    PostFactory,
    SeriesFactory,
    SubscriberFactory,
    clinic_with_hours,
)
from waitlist.entries import Contact, Wish, entry_join
from waitlist.tokens import entry_token


@dataclass
class Scene:
    service: object
    therapist: object
    room: object
    day: object
    post: object
    category: object
    author: object
    manage_path: str
    confirm_path: str
    expired_confirm_path: str
    unsubscribe_path: str
    waitlist_entry_path: str = ""

    def details_path(self, hour: int) -> str:
        starts_at = timezone.make_aware(datetime.combine(self.day, time(hour)))
        return f"/book/details/?service={self.service.slug}&therapist={self.therapist.slug}&start={format_start(starts_at)}"

    @property
    def calendar_path(self) -> str:
        return f"/book/?service={self.service.slug}&therapist={self.therapist.slug}"


def public_scene() -> Scene:
    service, (therapist,), (room,) = clinic_with_hours(
        start=time(9), end=time(17), name="Deep tissue massage", slug="deep-tissue"
    )
    therapist.name, therapist.slug, therapist.credentials = "Maya Okafor", "maya-okafor", "LMT, E-RYT 500"
    therapist.save()
    day = timezone.localdate() + timedelta(days=3)
    author = AuthorFactory(name="Maya Okafor", slug="maya", therapist=therapist)
    category = CategoryFactory(name="Recovery", slug="recovery")
    series = SeriesFactory(title="Healing the stride")
    post = PostFactory(
        title="Healing the stride, part 1",
        slug="stride-1",
        author=author,
        series=series,
        series_part=1,
        categories=[category],
        body="Part 1 of #healingthestride: calf raises. #calves\n\nhttps://www.youtube.com/watch?v=abcDEF12345",
    )
    PostFactory(
        title="Healing the stride, part 2",
        slug="stride-2",
        author=author,
        series=series,
        series_part=2,
        categories=[category],
        body="Balance work for the #calves.",
    )
    booked = AppointmentFactory(
        service=service,
        therapist=therapist,
        room=room,
        starts_at=timezone.make_aware(datetime.combine(day + timedelta(days=1), time(9))),
        client_name="Ana Silva",
        client_email="ana@example.com",
    )
    waiting = entry_join(
        wish=Wish(service=service, therapist=therapist, earliest_on=day, latest_on=day + timedelta(days=7)),
        contact=Contact(name="Wen Waits", email="wen@example.com", consent=True),
    )
    pending = SubscriberFactory(email="pending@example.com", status="pending")
    confirmed = SubscriberFactory(email="reader@example.com")
    week_ago = datetime.now().timestamp() - 8 * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=week_ago):
        expired = confirm_token_make(subscriber_token=pending.token)
    return Scene(
        service=service,
        therapist=therapist,
        room=room,
        day=day,
        post=post,
        category=category,
        author=author,
        manage_path=f"/book/manage/{manage_token(booked)}/",
        confirm_path=f"/newsletter/confirm/{confirm_token_make(subscriber_token=pending.token)}/",
        expired_confirm_path=f"/newsletter/confirm/{expired}/",
        unsubscribe_path=f"/newsletter/unsubscribe/{unsubscribe_token_make(subscriber_token=confirmed.token)}/",
        waitlist_entry_path=f"/waitlist/entry/{entry_token(waiting)}/",
    )


def _goto(path):
    def visit(page, base_url):
        page.goto(base_url + path)

    visit.path = path
    return visit


def _fill_details(page):
    page.locator("#id_name").fill("Bo Chen")
    page.locator("#id_email").fill("bo@example.com")
    page.locator("#id_phone").fill("617 555 0111")
    page.get_by_label(re.compile("consent to massage treatment")).check()


def _details_errors(scene):
    def visit(page, base_url):
        page.goto(base_url + scene.details_path(10))
        page.get_by_role("button", name="Confirm booking").click()
        expect(page.locator(".invalid-feedback").first).to_be_visible()

    return visit


def _just_taken(scene):
    def visit(page, base_url):
        page.goto(base_url + scene.details_path(11))
        _fill_details(page)
        starts_at = timezone.make_aware(datetime.combine(scene.day, time(11)))
        AppointmentFactory(service=scene.service, therapist=scene.therapist, room=scene.room, starts_at=starts_at)
        page.get_by_role("button", name="Confirm booking").click()
        expect(page.get_by_role("alert")).to_contain_text("just")

    return visit


def _confirmed(scene):
    def visit(page, base_url):
        page.goto(base_url + scene.details_path(14))
        _fill_details(page)
        page.get_by_role("button", name="Confirm booking").click()
        expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
        Appointment.objects.filter(client_email="bo@example.com").delete()

    return visit


def _waitlist_join(scene, *, complete: bool):
    def visit(page, base_url):
        page.goto(f"{base_url}/waitlist/join/?service={scene.service.slug}&day={scene.day.isoformat()}")
        page.locator("#id_name").fill("Lu Wait")
        if complete:
            page.locator("#id_email").fill("lu@example.com")
            page.get_by_label(re.compile("consent to massage treatment")).check()
        page.get_by_role("button", name="Join the waitlist").click()
        if complete:
            expect(page.get_by_role("heading", name="You're on the waitlist")).to_be_visible()
        else:
            expect(page.locator(".invalid-feedback").first).to_be_visible()

    return visit


def _footer_subscribe(email, expected_status):
    def visit(page, base_url):
        page.goto(base_url + "/")
        footer = page.locator("footer")
        footer.get_by_label("Email address").fill(email)
        footer.get_by_role("button", name="Subscribe").click()
        expect(footer.get_by_role("status")).to_contain_text(expected_status)

    return visit


def _subscribe_page(email, expected_heading):
    """The page a visitor without JavaScript gets: form.submit() skips the widget's submit handler."""

    def visit(page, base_url):
        page.goto(base_url + "/")
        footer = page.locator("footer")
        footer.get_by_label("Email address").fill(email)
        footer.locator("form").evaluate("form => form.submit()")
        page.wait_for_url(re.compile(re.escape(base_url) + r"/newsletter/subscribe/(sent/)?$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text(expected_heading)

    return visit


def _unsubscribed(scene):
    def visit(page, base_url):
        page.goto(base_url + scene.unsubscribe_path)
        page.get_by_role("button", name="Unsubscribe").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("You're unsubscribed")

    return visit


def _styled(visit):
    """Finish a visit only once the page's stylesheets have loaded.

    A state that ends on a form's response is reached as soon as its text is in the DOM; measured
    before the CSS arrives, the unstyled page is wider than a phone (381 px at 320 px).
    """

    @functools.wraps(visit)
    def visit_and_wait(page, base_url):
        visit(page, base_url)
        page.wait_for_load_state("load")

    return visit_and_wait


def public_states(scene: Scene) -> list[tuple[str, object]]:
    """(name, visit) for every public page and state, in the order a visitor might meet them."""
    month = scene.post.publish_at.astimezone(timezone.get_current_timezone())
    states = [
        ("home", _goto("/")),
        ("therapists", _goto("/therapists/")),
        ("therapist detail", _goto(scene.therapist.get_absolute_url())),
        ("privacy", _goto("/privacy/")),
        ("404", _goto("/no-such-page/")),
        ("blog index", _goto("/blog/")),
        ("blog post with series and video", _goto(scene.post.get_absolute_url())),
        ("blog tag", _goto("/blog/tag/calves/")),
        ("blog category", _goto(f"/blog/category/{scene.category.slug}/")),
        ("blog author", _goto(f"/blog/author/{scene.author.slug}/")),
        ("blog archive", _goto(f"/blog/{month:%Y}/{month.month}/")),
        ("blog search with results", _goto("/blog/?q=stride")),
        ("blog search without results", _goto("/blog/?q=zebra")),
        ("book: service", _goto("/book/")),
        ("book: therapist", _goto(f"/book/?service={scene.service.slug}")),
        ("book: calendar", _goto(scene.calendar_path)),
        ("book: times", _goto(f"{scene.calendar_path}&date={scene.day.isoformat()}")),
        ("book: details", _goto(scene.details_path(10))),
        ("book: details with errors", _details_errors(scene)),
        ("book: just taken", _just_taken(scene)),
        ("book: confirmation", _confirmed(scene)),
        ("book: manage", _goto(scene.manage_path)),
        ("book: manage move", _goto(scene.manage_path + "move/")),
        ("book: manage link broken", _goto("/book/manage/not-a-token/")),
        ("waitlist: join", _goto(f"/waitlist/join/?service={scene.service.slug}&day={scene.day.isoformat()}")),
        ("waitlist: join with errors", _waitlist_join(scene, complete=False)),
        ("waitlist: joined", _waitlist_join(scene, complete=True)),
        ("waitlist: entry", _goto(scene.waitlist_entry_path)),
        ("waitlist: entry link broken", _goto("/waitlist/entry/not-a-token/")),
        ("newsletter: widget accepted", _footer_subscribe("walker@example.com", "Almost there")),
        ("newsletter: widget error", _footer_subscribe("walker@clinic", "complete email address")),
        ("newsletter: subscribe page", _subscribe_page("walker2@example.com", "Almost there")),
        ("newsletter: subscribe page error", _subscribe_page("walker@clinic", "")),
        ("newsletter: confirm", _goto(scene.confirm_path)),
        ("newsletter: confirm expired", _goto(scene.expired_confirm_path)),
        ("newsletter: confirm broken", _goto("/newsletter/confirm/not-a-token/")),
        ("newsletter: unsubscribe", _goto(scene.unsubscribe_path)),
        ("newsletter: unsubscribed", _unsubscribed(scene)),
    ]
    return [(name, _styled(visit)) for name, visit in states]
