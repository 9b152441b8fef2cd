from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from blog.models import Post
from tests.blog.conftest import form_data
from tests.blog.images import jpeg
from tests.factories import AuthorFactory, CategoryFactory, PostFactory

pytestmark = pytest.mark.django_db


def test_an_editor_can_write_and_publish_a_post_from_the_admin(client, editor):
    author = AuthorFactory()
    response = client.post(reverse("admin:blog_post_add"), form_data(author))
    assert response.status_code == 302
    post = Post.objects.get(slug="foam-rolling-honestly")
    assert '<a class="hashtag" href="/blog/tag/foamrolling/">#foamrolling</a>' in post.body_html
    assert set(post.tags.values_list("slug", flat=True)) == {"foamrolling", "recovery", "mobility"}
    assert client.get(post.get_absolute_url()).status_code == 200


def test_a_hero_image_without_alt_text_is_refused_with_a_message(client, editor):
    response = client.post(reverse("admin:blog_post_add"), {**form_data(AuthorFactory()), "hero_image": jpeg()})
    assert response.status_code == 200
    assert "alt text is required when an image is set" in response.content.decode()
    assert not Post.objects.exists()


def test_a_reserved_slug_is_refused(client, editor):
    response = client.post(reverse("admin:blog_post_add"), form_data(AuthorFactory(), slug="feed"))
    assert "used by another blog page" in response.content.decode()


def test_the_post_list_shows_status_schedule_author_and_categories(client, editor, draft, scheduled):
    PostFactory(title="Live post", categories=[CategoryFactory(name="Running")])
    content = client.get(reverse("admin:blog_post_changelist")).content.decode()
    assert "Scheduled" in content and "Draft" in content and "Running" in content
    assert reverse("blog:preview", args=[draft.pk]) in content


def test_the_post_list_runs_a_constant_number_of_queries(client, editor, django_assert_max_num_queries):
    for _ in range(10):
        PostFactory(categories=[CategoryFactory()])
    # Fifteen, whatever the number of posts; two of them look up the editor's authenticator and backup codes.
    with django_assert_max_num_queries(15):
        assert client.get(reverse("admin:blog_post_changelist")).status_code == 200


def test_new_posts_default_to_the_editors_own_author(client, editor):
    author = AuthorFactory(user=editor)
    content = client.get(reverse("admin:blog_post_add")).content.decode()
    assert f'<option value="{author.pk}" selected>' in content


def test_publish_now_action_publishes_drafts(client, editor, draft):
    client.post(reverse("admin:blog_post_changelist"), {"action": "publish_now", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.is_public


def change_data(post, **overrides):
    local = timezone.localtime(post.publish_at)
    fields = {
        "title": post.title,
        "slug": post.slug,
        "body": post.body,
        "extra_tags": "",
        "publish_at_0": f"{local:%Y-%m-%d}",
        "publish_at_1": f"{local:%H:%M:%S}",
    }
    return form_data(post.author, **{**fields, **overrides})


def test_publishing_a_draft_from_the_form_dates_it_now_and_puts_it_on_top(client, editor):
    PostFactory(title="Published last week", publish_at=timezone.now() - timedelta(days=7))
    draft = PostFactory(title="Started a month ago", status="draft", publish_at=timezone.now() - timedelta(days=30))
    response = client.post(reverse("admin:blog_post_change", args=[draft.pk]), change_data(draft, status="published"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_public
    assert timezone.now() - draft.publish_at < timedelta(minutes=1)
    content = client.get("/blog/").content.decode()
    assert content.index("Started a month ago") < content.index("Published last week")


def test_a_publish_time_the_editor_chose_is_kept(client, editor):
    draft = PostFactory(status="draft", publish_at=timezone.now() - timedelta(days=30))
    response = client.post(
        reverse("admin:blog_post_change", args=[draft.pk]),
        change_data(draft, status="published", publish_at_0="2025-01-15", publish_at_1="08:30:00"),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert f"{timezone.localtime(draft.publish_at):%Y-%m-%d %H:%M}" == "2025-01-15 08:30"
