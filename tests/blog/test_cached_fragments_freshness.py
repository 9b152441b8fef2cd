"""The blog's pages read their posts, tags and authors from its cache: every edit, wherever it is made, shows at once."""

import pytest

from tests.adminforms import change_form
from tests.factories import AuthorFactory, PostFactory, SeriesFactory, TherapistFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(client):
    client.force_login(UserFactory(username="owner", is_staff=True, is_superuser=True))
    return client


def save_in_admin(client, url, **changes):
    data = change_form(client.get(url))
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors


def test_renaming_a_tag_in_the_admin_shows_on_pages_read_before(client, owner):
    post = PostFactory(title="Calves after a run", body="Stretch well. #calves")
    tag = post.post_tags.get().tag
    visitor = client.__class__()
    assert "#calves" in visitor.get(post.get_absolute_url()).content.decode()
    assert visitor.get("/blog/tag/calves/").status_code == 200
    save_in_admin(owner, f"/admin/blog/tag/{tag.pk}/change/", name="CalfCare")
    assert "#CalfCare" in visitor.get("/blog/tag/calves/").content.decode()
    sidebar = visitor.get("/blog/").content.decode()
    assert "CalfCare" in sidebar


def test_retitling_a_series_in_the_admin_shows_on_its_posts_at_once(client, owner):
    series = SeriesFactory(title="Healing the stride")
    first = PostFactory(title="Part one", series=series, series_part=1)
    visitor = client.__class__()
    assert "Healing the stride" in visitor.get(first.get_absolute_url()).content.decode()
    save_in_admin(owner, f"/admin/blog/series/{series.pk}/change/", title="Running, mended")
    page = visitor.get(first.get_absolute_url()).content.decode()
    assert "Running, mended" in page and "Healing the stride" not in page
    assert "Part 1 of Running, mended" in visitor.get("/blog/").content.decode()


def test_renaming_a_therapist_who_writes_shows_as_the_author_at_once(client, owner):
    therapist = TherapistFactory(name="Dana Whitfield")
    post = PostFactory(title="Shoulders at the desk", author=AuthorFactory(therapist=therapist))
    visitor = client.__class__()
    assert "Dana Whitfield" in visitor.get(post.get_absolute_url()).content.decode()
    assert "Dana Whitfield" in visitor.get("/blog/").content.decode()
    save_in_admin(owner, f"/admin/bookings/therapist/{therapist.pk}/change/", name="Dana Whitfield-Okafor")
    assert "Dana Whitfield-Okafor" in visitor.get(post.get_absolute_url()).content.decode()
    assert "Dana Whitfield-Okafor" in visitor.get("/blog/").content.decode()


def test_unpublishing_a_post_takes_its_cached_page_down_at_once(client):
    from blog.services import post_unpublish

    post = PostFactory(title="Soon gone")
    assert client.get(post.get_absolute_url()).status_code == 200
    post_unpublish(post=post)
    assert client.get(post.get_absolute_url()).status_code == 404
    assert "Soon gone" not in client.get("/blog/").content.decode()
