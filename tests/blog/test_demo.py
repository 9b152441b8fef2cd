import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from blog.models import Author, Post
from blog.selectors import posts_for_home

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=None)


def test_demo_authors_are_the_four_therapists(demo):
    assert set(Author.objects.values_list("therapist__slug", flat=True)) == {
        "maya-okafor",
        "daniel-reyes",
        "priya-natarajan",
        "tom-lindqvist",
    }


def test_demo_has_long_reads_a_series_a_video_and_a_scheduled_post(demo):
    assert Post.objects.filter(hero_image__gt="").count() >= 2
    assert Post.objects.filter(series__slug="healing-the-stride").count() == 2
    assert Post.objects.exclude(video_file="").exclude(video_poster="").count() == 2
    assert Post.objects.filter(status="published").count() > Post.objects.published().count()


def test_demo_puts_featured_posts_on_the_home_page(demo):
    assert len(posts_for_home()["featured_posts"]) == 3


def test_editors_can_write_and_publish_posts(demo):
    codenames = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    assert {"add_post", "change_post", "view_post", "add_series", "change_tag"} <= codenames


def test_demo_videos_are_our_own_files_and_nothing_points_at_a_video_host(demo, client):
    assert not Post.objects.exclude(video_url="").exists()
    assert not Post.objects.filter(body_html__contains="video-facade").exists()
    post = Post.objects.get(slug="video-a-back-stretch-for-the-end-of-the-shift")
    assert post.video_file.name.endswith(".mp4")  # served as a video, not as a download
    with post.video_file.open("rb") as video:
        assert video.read(12)[4:8] == b"ftyp"  # an MP4 container, not an empty placeholder
    page = client.get(post.get_absolute_url()).content.decode()
    assert f'poster="{post.video_poster.url}"' in page
    assert f'<source src="{post.video_file.url}"' in page
