"""An author who is a therapist shows the therapist's profile; any other author shows its own."""

import importlib
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.apps import apps
from django.urls import reverse

from blog.models import Author
from tests.blog.images import jpeg
from tests.factories import AuthorFactory, CategoryFactory, PostFactory, TherapistFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def therapist():
    return TherapistFactory(name="Maya Okafor", slug="maya-okafor", credentials="LMT", bio="I treat runners.")


@pytest.fixture
def post(therapist):
    author = AuthorFactory(
        name="Maya O.", slug="maya", credentials="Old letters", bio="An old bio.", therapist=therapist
    )
    return PostFactory(title="Calf care", slug="calf-care", author=author)


@pytest.fixture
def renamed(therapist, post):
    therapist.name = "Maya Okafor-Reyes"
    therapist.credentials = "LMT, CPT"
    therapist.bio = "I treat runners and cyclists."
    therapist.save()
    return therapist


def json_ld(content: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', content, re.S).group(1))


def test_a_therapists_new_name_and_credentials_show_on_their_post_page(client, post, renamed):
    content = client.get(post.get_absolute_url()).content.decode()
    assert "Maya Okafor-Reyes, LMT, CPT" in content
    assert "Maya O." not in content and "Old letters" not in content
    author = json_ld(content)["author"]
    assert (author["name"], author["honorificSuffix"]) == ("Maya Okafor-Reyes", "LMT, CPT")


def test_a_therapists_new_name_credentials_and_bio_show_on_their_author_page(client, post, renamed):
    content = client.get("/blog/author/maya/").content.decode()
    assert "Articles by Maya Okafor-Reyes" in content
    assert "LMT, CPT" in content and "I treat runners and cyclists." in content
    assert "Maya O." not in content and "An old bio." not in content and "Old letters" not in content


def test_a_therapists_new_name_and_credentials_show_in_the_feeds(client, post, renamed):
    rss = client.get("/blog/feed/").content.decode()
    assert "Maya Okafor-Reyes, LMT, CPT" in rss and "Maya O." not in rss
    entry = ET.fromstring(client.get("/blog/feed/atom/").content).find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}author").findtext(f"{ATOM}name") == "Maya Okafor-Reyes, LMT, CPT"


def test_post_cards_and_related_articles_show_the_therapists_name(client, post, renamed):
    PostFactory(title="Other calf article", body="#calves", author=post.author)
    assert "Maya Okafor-Reyes" in client.get("/blog/").content.decode()
    related = client.get(PostFactory(body="More #calves").get_absolute_url()).content.decode()
    assert "· Maya Okafor-Reyes" in related


def test_the_therapists_photo_is_shown_instead_of_the_authors(client, therapist, post):
    therapist.photo = jpeg(200, 200)
    therapist.save()
    author = post.author
    author.photo = jpeg(100, 100)
    author.save()
    content = client.get(post.get_absolute_url()).content.decode()
    assert f'<img src="{therapist.photo.url}"' in content
    assert author.photo.url not in content


def test_an_author_who_is_not_a_therapist_keeps_its_own_profile(client):
    author = AuthorFactory(name="Jane Doe", slug="jane", credentials="PhD", bio="Sports scientist.", photo=jpeg())
    post = PostFactory(author=author)
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Jane Doe, PhD" in page and f'<img src="{author.photo.url}"' in page
    assert json_ld(page)["author"]["honorificSuffix"] == "PhD"
    author_page = client.get("/blog/author/jane/").content.decode()
    assert "Articles by Jane Doe" in author_page and "Sports scientist." in author_page
    assert "Jane Doe, PhD" in client.get("/blog/feed/").content.decode()


def test_unlinking_the_therapist_brings_back_the_authors_own_profile(client, post):
    author = Author.objects.get(pk=post.author.pk)
    author.therapist = None
    author.save()
    content = client.get(post.get_absolute_url()).content.decode()
    assert "Maya O., Old letters" in content


def test_list_pages_and_feeds_read_therapist_authors_in_constant_queries(client, django_assert_max_num_queries):
    for _ in range(10):
        PostFactory(author=AuthorFactory(therapist=TherapistFactory()), categories=[CategoryFactory()])
    with django_assert_max_num_queries(9):
        assert client.get("/blog/").status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get("/blog/feed/").status_code == 200


def test_the_admin_shows_a_therapist_authors_own_copies_read_only_and_links_to_the_therapist(client, editor, post):
    url = reverse("admin:blog_author_change", args=[post.author.pk])
    content = client.get(url).content.decode()
    assert 'name="name"' not in content and 'name="bio"' not in content
    assert reverse("admin:bookings_therapist_change", args=[post.author.therapist_id]) in content
    assert "An old bio." in content
    client.post(url, {"slug": "maya", "therapist": post.author.therapist_id, "name": "Changed", "bio": "Changed"})
    author = Author.objects.get(pk=post.author.pk)
    assert (author.name, author.bio) == ("Maya O.", "An old bio.")


def test_the_admin_lets_an_author_who_is_not_a_therapist_edit_its_profile(client, editor):
    author = AuthorFactory(name="Jane Doe", slug="jane")
    url = reverse("admin:blog_author_change", args=[author.pk])
    assert 'name="name"' in client.get(url).content.decode()
    response = client.post(url, {"name": "Jane Roe", "slug": "jane", "credentials": "", "bio": "New bio."})
    assert response.status_code == 302
    assert Author.objects.get(pk=author.pk).name == "Jane Roe"


def test_the_admin_author_list_shows_the_name_the_blog_shows(client, editor, post, renamed):
    content = client.get(reverse("admin:blog_author_changelist")).content.decode()
    assert "Maya Okafor-Reyes" in content and "Maya O." not in content


def test_the_migration_fills_a_therapists_blanks_from_the_author_and_blanks_nothing():
    migration = importlib.import_module("blog.migrations.0004_author_profile_from_therapist")
    blank = TherapistFactory(credentials="", bio="")
    AuthorFactory(therapist=blank, credentials="LMT, CPT", bio="Written on the blog.", photo=jpeg())
    filled = TherapistFactory(credentials="LMT", bio="Written for the therapist page.")
    AuthorFactory(therapist=filled, credentials="Other letters", bio="Another bio.")
    migration.fill_therapist_blanks_from_author(apps, None)
    blank.refresh_from_db()
    filled.refresh_from_db()
    assert (blank.credentials, blank.bio) == ("LMT, CPT", "Written on the blog.")
    assert blank.photo.name == blank.blog_author.photo.name != ""
    assert (filled.credentials, filled.bio) == ("LMT", "Written for the therapist page.")
    assert list(Author.objects.order_by("pk").values_list("credentials", "bio")) == [
        ("LMT, CPT", "Written on the blog."),
        ("Other letters", "Another bio."),
    ]
