"""An editor writes, schedules and previews a post in the admin; it appears when its time comes.

The live server runs in another thread, so time-machine cannot move its clock: to simulate the
scheduled time passing, the test moves the post's publish_at into the past in the database.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import expect

from blog.demo import DEMO_ASSETS
from blog.models import Author, Post
from blog.services import post_write
from core.demo import portrait_placeholder
from tests.browser.axe import axe_violations
from tests.factories import (
    AuthorFactory,
    CategoryFactory,
    PostFactory,
    SeriesFactory,
    StaffUserFactory,
    TherapistFactory,
)

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


@pytest.mark.parametrize("viewport", ["desktop"])
def test_a_second_post_with_the_same_title_is_saved_under_a_numbered_address(live_server, page, screenshot):
    author = make_editor()
    series = SeriesFactory(title="Healing the stride")
    PostFactory(title="Single-leg balance", slug="single-leg-balance", series=series, series_part=1, author=author)

    log_in_as_editor(page, live_server, "/admin/blog/post/add/")
    page.get_by_label("Title").fill("Single-leg balance")
    page.get_by_label("Title").press("End")  # the admin fills the slug on keyup
    expect(page.locator("#id_slug")).to_have_value("single-leg-balance")
    page.locator("#id_body").fill("Stand on a folded towel this week. #balance")
    page.locator("#id_status").select_option("published")
    page.locator("#id_series").select_option(label="Healing the stride")
    page.locator("#id_series_part").fill("2")
    expect(page.get_by_label("Home page position")).to_be_visible()
    screenshot("admin-post-form")
    page.get_by_role("button", name="Save and continue editing").click()

    expect(page.locator(".messagelist")).to_contain_text("/blog/single-leg-balance-2/")
    expect(page.locator(".messagelist")).not_to_contain_text("already exists")
    expect(page.locator("#id_slug")).to_have_value("single-leg-balance-2")
    screenshot("numbered-address-message")
    post = Post.objects.get(slug="single-leg-balance-2")
    assert post.title == "Single-leg balance"

    visitor = page.context.browser.new_context().new_page()
    visitor.goto(live_server.url + post.get_absolute_url())
    expect(visitor.get_by_text("Part 2 of 2 · Healing the stride")).to_be_visible()
    expect(
        visitor.get_by_role("link", name="← Previous: Single-leg balance (Part 1 of Healing the stride)")
    ).to_be_visible()
    visitor.context.close()


@pytest.mark.parametrize("viewport", ["desktop"])
def test_an_editor_pins_an_old_post_to_the_home_page_from_the_post_list(live_server, page, screenshot):
    author = make_editor()
    featured = CategoryFactory(slug="featured", name="Featured")
    old = PostFactory(
        title="An old favourite", author=author, categories=[featured], publish_at=timezone.now() - timedelta(days=400)
    )
    for day in range(3):
        PostFactory(title=f"Newer featured {day}", author=author, categories=[featured])
    with_photo = TherapistFactory(name="Maya Okafor", slug="maya-okafor", position=0)
    with_photo.photo.save("maya.png", portrait_placeholder("Maya Okafor", hue=(120, 70, 60)))
    TherapistFactory(name="Lena Brandt", slug="lena-brandt", position=1)

    log_in_as_editor(page, live_server, "/admin/blog/post/")
    row = page.locator("#result_list tr", has_text="An old favourite")
    row.locator("input[name$='-home_position']").fill("1")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messagelist")).to_contain_text("successfully")
    old.refresh_from_db()
    assert old.home_position == 1

    page.goto(live_server.url + "/")
    blog = page.locator("section[aria-labelledby='blog-heading'] .post-cards")
    expect(blog.locator(".card-title").first).to_have_text("An old favourite")
    portrait = page.locator("section[aria-labelledby='team-heading'] .portrait--initials")
    expect(portrait).to_have_text("LB")
    box = portrait.bounding_box()
    photo = page.locator("section[aria-labelledby='team-heading'] img.portrait").bounding_box()
    assert round(box["width"]) == round(box["height"]) == 120
    assert (round(photo["y"]), round(photo["height"])) == (round(box["y"]), round(box["height"]))
    screenshot("home-photo-less-therapist")
    assert axe_violations(page) == []
    page.goto(live_server.url + "/blog/")
    expect(page.locator("section[aria-labelledby='featured-heading']")).to_contain_text("An old favourite")


@pytest.mark.parametrize("viewport", ["desktop"])
def test_an_editor_links_an_author_to_a_therapist_without_a_failing_user_search(live_server, page, screenshot):
    make_editor()
    therapist = TherapistFactory(name="Priya Natarajan", user=StaffUserFactory(username="priya", first_name="Priya"))
    StaffUserFactory(username="bookkeeper")
    log_in_as_editor(page, live_server, "/admin/blog/author/add/")
    page.locator("#id_name").fill("Priya")
    page.locator("#id_name").press("End")  # the admin fills the slug on keyup
    page.get_by_label("Therapist").select_option(label=str(therapist))
    user = page.locator("#id_user")
    expect(user.locator("option", has_text="(priya)")).to_have_count(1)
    expect(user.locator("option", has_text="bookkeeper")).to_have_count(0)
    expect(page.get_by_text("The results could not be loaded.")).to_have_count(0)
    screenshot("author-form")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    author = Author.objects.get(slug="priya")
    assert author.therapist == therapist and author.user == therapist.user


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_video_without_a_still_image_shows_a_play_card_that_plays_it(live_server, page, screenshot):
    post = PostFactory.build(title="A back stretch for the end of the shift", slug="back-stretch", author=make_editor())
    post.video_file = ContentFile((DEMO_ASSETS / "back-stretch.mp4").read_bytes(), "back-stretch.mp4")
    post_write(post=post)
    foreign = []
    page.on("request", lambda r: None if r.url.startswith(live_server.url) else foreign.append(r.url))

    page.goto(live_server.url + post.get_absolute_url())
    card = page.get_by_role("link", name=re.compile(r"^Play the video ?: A back stretch for the end of the shift$"))
    expect(card).to_be_visible()
    assert page.locator("video").count() == 0
    assert axe_violations(page) == []
    screenshot("play-card")
    card.click()
    video = page.locator("video.video-card__video")
    expect(video).to_be_visible()
    expect(video).to_be_focused()
    assert page.evaluate("() => document.querySelector('video').src").endswith(".mp4")
    assert foreign == []
