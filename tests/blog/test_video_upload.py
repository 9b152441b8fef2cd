"""A post's uploaded video must be a real MP4 or WebM: the content decides, never the file's name."""

import itertools
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from blog.models import Post
from blog.services import post_write
from tests.blog.conftest import form_data
from tests.blog.images import jpeg
from tests.factories import AuthorFactory, PostFactory

pytestmark = pytest.mark.django_db
POST_NUMBERS = itertools.count()

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
WEBM = (
    b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm"
    + b"\x00" * 32
)
HTML = b"<!doctype html><script>fetch('/admin/')</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"/>'


def upload(client, name: str, content: bytes, content_type: str = "video/mp4"):
    video = SimpleUploadedFile(name, content, content_type=content_type)
    data = form_data(AuthorFactory(), slug=f"video-post-{next(POST_NUMBERS)}")
    return client.post(reverse("admin:blog_post_add"), {**data, "video_file": video})


@pytest.mark.parametrize(
    ("name", "content"),
    [("evil.html", HTML), ("evil.svg", SVG), ("clip.mp4", HTML), ("clip.webm", SVG), ("empty.mp4", b"")],
)
def test_a_file_that_is_not_a_video_is_refused_whatever_it_is_called(client, editor, name, content):
    response = upload(client, name, content)
    assert response.status_code == 200
    page = response.content.decode()
    assert "not an MP4 or WebM video" in page or "The submitted file is empty" in page
    assert not Post.objects.exists()


@pytest.mark.parametrize(("name", "content", "extension"), [("clip.mp4", MP4, "mp4"), ("clip.webm", WEBM, "webm")])
def test_a_real_video_is_stored_under_a_generated_name_with_its_true_extension(
    client,
    editor,
    name,
    content,
    extension,
):
    assert upload(client, name, content).status_code == 302
    assert upload(client, name, content).status_code == 302
    first, second = Post.objects.order_by("pk").values_list("video_file", flat=True)
    assert re.fullmatch(rf"blog/video/clip-[0-9a-f]{{12}}\.{extension}", first)
    assert first != second


def test_a_video_named_like_a_web_page_is_stored_as_the_video_it_is(client, editor):
    assert upload(client, "page.html", MP4, content_type="text/html").status_code == 302
    assert re.fullmatch(r"blog/video/page-[0-9a-f]{12}\.mp4", Post.objects.get().video_file.name)


def test_an_uploaded_video_without_a_still_image_shows_our_play_card(client):
    post = PostFactory.build(title="Back stretch", slug="back-stretch", author=AuthorFactory())
    post.video_file = ContentFile(MP4, "stretch.mp4")
    post_write(post=post)
    page = client.get(post.get_absolute_url()).content.decode()
    assert f'<a class="video-card__play" href="{post.video_file.url}"' in page
    assert 'Play the video<span class="visually-hidden">: Back stretch</span>' in page
    assert "<video" not in page


def test_an_uploaded_video_with_a_still_image_is_the_browsers_player(client):
    post = PostFactory.build(title="Back stretch", slug="back-stretch", author=AuthorFactory())
    post.video_file = ContentFile(MP4, "stretch.mp4")
    post.video_poster.save("still.jpg", jpeg(), save=False)
    post_write(post=post)
    page = client.get(post.get_absolute_url()).content.decode()
    assert f'poster="{post.video_poster.url}"' in page
    assert "video-card__play" not in page
