"""What a new editor runs into: same-titled posts, pinning to the home page, tag spellings, excerpts."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from blog import services
from blog.models import Post
from blog.selectors import posts_featured, posts_for_home
from tests.blog.conftest import form_data
from tests.factories import AuthorFactory, CategoryFactory, PostFactory, SeriesFactory

pytestmark = pytest.mark.django_db


# --- two posts with the same title ---


def test_a_second_post_with_the_same_title_gets_a_numbered_address_and_the_editor_is_told(client, editor):
    author = AuthorFactory()
    client.post(reverse("admin:blog_post_add"), form_data(author, title="Desk stretches", slug="desk-stretches"))
    response = client.post(
        reverse("admin:blog_post_add"), form_data(author, title="Desk stretches", slug="desk-stretches"), follow=True
    )
    assert response.status_code == 200
    assert sorted(Post.objects.values_list("slug", flat=True)) == ["desk-stretches", "desk-stretches-2"]
    shown = [str(message) for message in get_messages(response.wsgi_request)] or [response.content.decode()]
    assert any("/blog/desk-stretches-2/" in text and "another post" in text for text in shown)
    assert "Post with this Slug already exists" not in response.content.decode()


def test_a_post_saved_without_a_slug_gets_one_from_its_title(client, editor):
    client.post(reverse("admin:blog_post_add"), form_data(AuthorFactory(), title="Feed your calves", slug=""))
    assert Post.objects.get().slug == "feed-your-calves"


def test_a_title_that_would_make_a_reserved_address_gets_a_number():
    assert PostFactory(title="Feed", slug="").slug == "feed-2"


def test_the_third_and_fourth_copies_count_on():
    slugs = [PostFactory(title="Same", slug="same").slug for _ in range(4)]
    assert slugs == ["same", "same-2", "same-3", "same-4"]


def test_editing_a_post_keeps_its_own_address():
    post = PostFactory(title="Same", slug="same")
    PostFactory(title="Same", slug="same-2")
    post.body = "Changed text."
    assert services.post_write(post=post).slug == "same"


def test_a_post_that_takes_the_address_between_the_check_and_the_save_makes_the_save_retry(monkeypatch):
    """The race: another editor's post is committed after this save looked for a free slug. The unique
    index refuses the save, and the next number is tried instead of showing an error."""
    PostFactory(title="Race", slug="race")
    looked_up = []
    real = services._slugs_taken

    def stale_once(base, *, exclude_pk):
        looked_up.append(base)
        return set() if len(looked_up) == 1 else real(base, exclude_pk=exclude_pk)

    monkeypatch.setattr(services, "_slugs_taken", stale_once)
    post = PostFactory(title="Race", slug="race")
    assert post.slug == "race-2"
    assert len(looked_up) == 2


def test_a_save_refused_for_another_rule_is_not_retried():
    series = SeriesFactory()
    PostFactory(series=series, series_part=1)
    with pytest.raises(IntegrityError):
        PostFactory(series=series, series_part=1)


def test_same_titled_parts_of_a_series_are_told_apart_by_their_part_number(client):
    series = SeriesFactory(title="Healing the stride")
    now = timezone.now()
    first = PostFactory(title="Balance", series=series, series_part=1, publish_at=now - timedelta(days=2))
    second = PostFactory(title="Balance", series=series, series_part=2, publish_at=now - timedelta(days=1))
    listing = client.get(reverse("blog:index")).content.decode()
    assert "Part 1 of Healing the stride" in listing and "Part 2 of Healing the stride" in listing
    page = client.get(second.get_absolute_url()).content.decode()
    assert (
        f'href="{first.get_absolute_url()}">← Previous: Balance <span class="small">(Part 1 of Healing the stride)'
        in page
    )
    assert '← Previous part<span class="visually-hidden">: part 1, Balance</span>' in page
    home = client.get("/").content.decode()
    assert "Part 2 of Healing the stride" in home


# --- what the home page features ---


def test_a_pinned_post_is_featured_whatever_its_date(client):
    featured = CategoryFactory(slug="featured", name="Featured")
    now = timezone.now()
    old = PostFactory(title="An old favourite", categories=[featured], publish_at=now - timedelta(days=400))
    for day in range(3):
        PostFactory(title=f"Newer featured {day}", categories=[featured], publish_at=now - timedelta(days=day + 1))
    assert old not in posts_featured()

    old.home_position = 1
    services.post_write(post=old)

    assert posts_featured()[0] == old
    assert posts_for_home()["featured_posts"][0] == old
    home = client.get("/").content.decode()
    blog = client.get(reverse("blog:index")).content.decode()
    for page in (home, blog):
        featured_block = page.split("Latest articles")[0]
        assert "An old favourite" in featured_block


def test_pinned_posts_come_in_the_editors_order_before_the_featured_category():
    featured = CategoryFactory(slug="featured", name="Featured")
    newest = PostFactory(title="Newest featured", categories=[featured])
    second = PostFactory(title="Second", home_position=2, publish_at=timezone.now() - timedelta(days=30))
    first = PostFactory(title="First", home_position=1, publish_at=timezone.now() - timedelta(days=90))
    assert posts_featured() == [first, second, newest]


def test_a_pinned_draft_stays_off_the_home_page():
    PostFactory(title="Not yet", home_position=1, status=Post.Status.DRAFT)
    assert posts_featured() == []


def test_the_pin_action_puts_posts_after_the_pinned_ones_and_unpin_takes_them_off(client, editor):
    pinned = PostFactory(home_position=1)
    post = PostFactory()
    client.post(reverse("admin:blog_post_changelist"), {"action": "pin_to_home", "_selected_action": [post.pk]})
    post.refresh_from_db()
    assert post.home_position == 2
    client.post(reverse("admin:blog_post_changelist"), {"action": "unpin_from_home", "_selected_action": [pinned.pk]})
    pinned.refresh_from_db()
    assert pinned.home_position is None
    assert posts_featured() == [post]


def test_the_post_list_edits_the_home_page_position_in_place(client, editor):
    post = PostFactory()
    content = client.get(reverse("admin:blog_post_changelist")).content.decode()
    assert 'name="form-0-home_position"' in content
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(post.pk),
        "form-0-home_position": "3",
        "_save": "Save",
    }
    response = client.post(reverse("admin:blog_post_changelist"), data, follow=True)
    post.refresh_from_db()
    assert post.home_position == 3
    assert "address is" not in response.content.decode()  # the slug was not touched, so nothing is said of it


def test_a_home_page_position_below_one_is_refused(client, editor):
    response = client.post(reverse("admin:blog_post_add"), form_data(AuthorFactory(), home_position="0"))
    assert response.status_code == 200
    assert "greater than or equal to 1" in response.content.decode()


# --- tags as each post spells them, and hashtags in excerpts ---


def test_each_post_shows_the_tag_as_it_spells_it(client):
    PostFactory(body="One. #Running")
    PostFactory(body="Two. #Running")
    lower = PostFactory(body="Mine is quiet. #running")
    page = client.get(lower.get_absolute_url()).content.decode()
    tag_list = page.split('aria-label="Tags"')[1].split("</ul>")[0]
    assert ">#running</a>" in tag_list and "#Running" not in tag_list
    assert '<meta property="article:tag" content="running">' in page
    # The tag's own page keeps the spelling most posts use.
    assert "<h1>#Running</h1>" in client.get(reverse("blog:tag", args=["running"])).content.decode()


def test_card_excerpts_link_the_posts_hashtags_like_the_post_does(client):
    PostFactory(title="Calves", body="Calf raises every day. #calfcare keeps you running.")
    listing = client.get(reverse("blog:index")).content.decode()
    assert '<a class="hashtag" href="/blog/tag/calfcare/">#calfcare</a> keeps you running.' in listing


def test_an_excerpt_hashtag_that_is_not_one_of_the_posts_tags_stays_text():
    post = PostFactory(body="About calves. #calfcare", summary="Written by hand: #nosuchtag and #calfcare.")
    assert "#nosuchtag" in post.excerpt_html and 'href="/blog/tag/nosuchtag/"' not in post.excerpt_html
    assert 'href="/blog/tag/calfcare/"' in post.excerpt_html


def test_excerpt_html_escapes_what_the_author_typed():
    post = PostFactory(body="x", summary="<script>alert(1)</script> & #x")
    assert "<script>" not in post.excerpt_html and "&lt;script&gt;" in post.excerpt_html


def test_pinning_after_a_post_at_the_highest_position_renumbers_the_pinned_ones_in_their_order(client, editor):
    PostFactory(title="Top", home_position=5)
    PostFactory(title="Last", home_position=32767)
    post = PostFactory(title="New pin")
    response = client.post(
        reverse("admin:blog_post_changelist"), {"action": "pin_to_home", "_selected_action": [post.pk]}
    )
    assert response.status_code == 302
    positions = dict(Post.objects.filter(home_position__isnull=False).values_list("title", "home_position"))
    assert positions == {"Top": 1, "Last": 2, "New pin": 3}
