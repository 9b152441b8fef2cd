"""An editor writes, schedules and previews a post in the admin; it appears when its time comes.

The live server runs in another thread, so time-machine cannot move its clock: to simulate the
scheduled time passing, the test moves the post's publish_at into the past in the database.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from playwright.sync_api import expect

from blog.models import Post
from tests.factories import AuthorFactory, PostFactory, SeriesFactory, StaffUserFactory

BODY = """Part 2 of #healingthestride. Keep up the calf raises from the first exercise two posts ago.

Balance on one leg for 30 seconds. #balance #RunnersHealth !

https://www.youtube.com/watch?v=abcDEF12345
"""


def make_editor():
    editor = StaffUserFactory(username="editor", password="correct horse battery staple")
    group = Group.objects.create(name="Editors")
    group.permissions.set(Permission.objects.filter(content_type__app_label="blog"))
    editor.groups.add(group)
    return AuthorFactory(name="Maya Okafor", credentials="LMT, FAFS", user=editor)


def log_in_as_editor(page, live_server, next_path):
    """Log in from the admin's login page, which then goes straight on to ``next_path``."""
    page.goto(f"{live_server.url}/admin/login/?next={next_path}")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(live_server.url + next_path)


# Django's own admin, the same at any width: one viewport is enough.
@pytest.mark.parametrize("viewport", ["desktop"])
def test_editor_schedules_previews_and_the_post_appears_when_its_time_comes(live_server, page, screenshot):
    author = make_editor()
    series = SeriesFactory(title="Healing the stride")
    PostFactory(title="Stride part one", slug="stride-part-one", series=series, series_part=1, author=author)
    foreign = []
    page.on("request", lambda r: None if r.url.startswith(live_server.url) else foreign.append(r.url))

    log_in_as_editor(page, live_server, "/admin/blog/post/add/")
    page.get_by_label("Title").fill("Stride part two")
    page.get_by_label("Title").press("End")  # the admin fills the slug on keyup
    expect(page.locator("#id_slug")).to_have_value("stride-part-two")
    page.locator("#id_body").fill(BODY)
    page.locator("#id_status").select_option("published")
    future = timezone.localtime() + timedelta(days=3)
    page.locator("#id_publish_at_0").fill(future.strftime("%Y-%m-%d"))
    page.locator("#id_publish_at_1").fill("09:30:00")
    page.locator("#id_series").select_option(label="Healing the stride")
    page.locator("#id_series_part").fill("2")
    expect(page.locator("#id_author")).to_have_value(str(author.pk))
    screenshot("admin-form")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    post = Post.objects.get(slug="stride-part-two")
    assert post.is_scheduled
    preview_href = page.get_by_role("link", name="Preview").first.get_attribute("href")
    page.goto(live_server.url + preview_href)
    expect(page.get_by_role("status").filter(has_text="Preview — not published.")).to_be_visible()
    expect(page.get_by_role("heading", name="Stride part two", level=1)).to_be_visible()
    expect(page.get_by_text("Scheduled to appear on")).to_be_visible()
    screenshot("preview")

    visitor = page.context.browser.new_context().new_page()
    response = visitor.goto(live_server.url + "/blog/stride-part-two/")
    assert response.status == 404
    visitor.goto(live_server.url + "/blog/")
    expect(visitor.get_by_text("Stride part two")).to_have_count(0)

    visitor.context.close()

    # Its time comes. Everything cached before it (the list and its counts, here and in the visitor's
    # browser) was kept no longer than that, so a visitor who comes after it finds the post.
    post.refresh_from_db()
    with time_machine.travel(post.publish_at + timedelta(minutes=1)):
        visitor = page.context.browser.new_context().new_page()
        visitor.goto(live_server.url + "/blog/")
        visitor.get_by_role("link", name="Stride part two").click()
        expect(visitor.get_by_role("heading", name="Stride part two", level=1)).to_be_visible()
        expect(visitor.get_by_text("Part 2 of 2 · Healing the stride")).to_be_visible()
        expect(visitor.locator(".post-body").get_by_role("link", name="#RunnersHealth")).to_be_visible()
        expect(visitor.get_by_role("button", name="Play video (loads from YouTube)")).to_be_visible()
        visitor.context.close()
    assert foreign == []


@pytest.mark.parametrize("viewport", ["desktop"])
def test_editor_list_shows_scheduled_status_and_filters(live_server, page, screenshot):
    author = make_editor()
    PostFactory(title="Already live", author=author)
    PostFactory(title="Coming soon", author=author, publish_at=timezone.now() + timedelta(days=2))
    log_in_as_editor(page, live_server, "/admin/blog/post/")
    row = page.locator("#result_list tr", has_text="Coming soon")
    expect(row).to_contain_text("Scheduled")
    expect(page.locator("#changelist-filter")).to_contain_text("By status")
    page.locator("#searchbar").fill("Already")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"q=Already"))
    expect(page.locator("#result_list")).not_to_contain_text("Coming soon")
    screenshot("admin-list")
