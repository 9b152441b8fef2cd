from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from blog.models import Post, PostSlugHistory, Tag
from blog.services import post_publish, post_write
from tests.blog.images import jpeg
from tests.factories import PostFactory, SeriesFactory

pytestmark = pytest.mark.django_db


def test_saving_renders_the_body_into_cached_html():
    post = PostFactory(body="Hello **world**")
    assert Post.objects.get(pk=post.pk).body_html == "<p>Hello <strong>world</strong></p>"


def test_editing_the_body_invalidates_the_cached_html():
    post = PostFactory(body="First version")
    post.body = "Second version"
    post_write(post=post)
    assert "Second version" in Post.objects.get(pk=post.pk).body_html


def test_excerpt_is_derived_from_the_body_when_left_empty():
    post = PostFactory(body="Calves carry you up hills. " * 30, summary="")
    assert post.excerpt.startswith("Calves carry you up hills.")
    assert post.excerpt.endswith("…")


def test_a_written_excerpt_wins_over_the_derived_one():
    post = PostFactory(body="Long text", summary="Our own summary.")
    assert post.excerpt == "Our own summary."


def test_hashtags_in_the_text_become_the_posts_tags():
    post = PostFactory(body="#itband and #GluteMedius work")
    assert set(post.tags.values_list("slug", flat=True)) == {"itband", "glutemedius"}


def test_removing_a_hashtag_from_the_text_removes_the_tag_from_the_post():
    post = PostFactory(body="#itband and #calves")
    post.body = "#calves only"
    post_write(post=post)
    assert list(post.tags.values_list("slug", flat=True)) == ["calves"]


def test_hand_added_tags_join_the_text_tags():
    post = PostFactory(body="#itband", extra_tags="Recovery, running")
    assert set(post.tags.values_list("name", flat=True)) == {"itband", "Recovery", "running"}


def test_a_tag_is_shown_in_the_spelling_used_most():
    PostFactory(body="#Bostonmarathon")
    PostFactory(body="#bostonmarathon and again #bostonmarathon")
    assert Tag.objects.get().name == "bostonmarathon"
    PostFactory(body="#Bostonmarathon #Bostonmarathon #Bostonmarathon")
    assert Tag.objects.get().name == "Bostonmarathon"


def test_changing_the_slug_remembers_the_old_one():
    post = PostFactory(slug="first-name")
    post.slug = "second-name"
    post_write(post=post)
    assert PostSlugHistory.objects.get().old_slug == "first-name"


def test_taking_back_an_old_slug_forgets_the_redirect():
    post = PostFactory(slug="first-name")
    post.slug = "second-name"
    post_write(post=post)
    post.slug = "first-name"
    post_write(post=post)
    assert list(PostSlugHistory.objects.values_list("old_slug", flat=True)) == ["second-name"]


def test_a_hero_image_gets_resized_webp_variants_never_wider_than_the_original():
    post = PostFactory(hero_image=jpeg(1200, 600), hero_alt="A calm lake")
    assert [(v["width"], v["height"]) for v in post.hero_variants] == [(480, 240), (960, 480), (1200, 600)]
    assert post.hero_srcset.count("w,") == 2
    assert post.hero_default["width"] == 960


def test_a_hero_image_without_alt_text_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        PostFactory(hero_image=jpeg(), hero_alt="")


def test_a_series_part_number_is_unique_within_its_series():
    series = SeriesFactory()
    PostFactory(series=series, series_part=1)
    with pytest.raises(IntegrityError):
        PostFactory(series=series, series_part=1)


def test_publishing_with_a_future_time_schedules_the_post():
    post = PostFactory(status=Post.Status.DRAFT)
    post_publish(post=post, publish_at=timezone.now() + timedelta(days=2))
    assert post.is_scheduled
    assert not Post.objects.published().filter(pk=post.pk).exists()


def test_publishing_a_draft_with_the_time_it_was_started_dates_it_now():
    post = PostFactory(status=Post.Status.DRAFT, publish_at=timezone.now() - timedelta(days=30))
    post.status = Post.Status.PUBLISHED
    post_write(post=post)
    assert timezone.now() - Post.objects.get(pk=post.pk).publish_at < timedelta(minutes=1)


def test_a_start_time_that_comes_back_in_whole_seconds_still_counts_as_untouched():
    post = PostFactory(status=Post.Status.DRAFT, publish_at=timezone.now() - timedelta(days=30, microseconds=1))
    post.status = Post.Status.PUBLISHED
    post.publish_at = post.publish_at.replace(microsecond=0)
    post_write(post=post)
    assert timezone.now() - Post.objects.get(pk=post.pk).publish_at < timedelta(minutes=1)


def test_a_past_time_chosen_when_publishing_a_draft_is_kept():
    post = PostFactory(status=Post.Status.DRAFT, publish_at=timezone.now() - timedelta(days=30))
    chosen = timezone.now() - timedelta(days=10)
    post.status = Post.Status.PUBLISHED
    post.publish_at = chosen
    post_write(post=post)
    assert Post.objects.get(pk=post.pk).publish_at == chosen


def test_a_draft_published_with_its_future_time_is_scheduled_for_that_time():
    later = timezone.now() + timedelta(days=3)
    post = PostFactory(status=Post.Status.DRAFT, publish_at=later)
    post.status = Post.Status.PUBLISHED
    post_write(post=post)
    assert Post.objects.get(pk=post.pk).publish_at == later


def test_editing_a_published_post_keeps_its_date():
    published_at = timezone.now() - timedelta(days=30)
    post = PostFactory(publish_at=published_at)
    post.title = "A better title"
    post_write(post=post)
    assert Post.objects.get(pk=post.pk).publish_at == published_at
