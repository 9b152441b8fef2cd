import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from tests.factories import CategoryFactory, PostFactory, TherapistFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def rss_titles(response) -> list[str]:
    return [item.findtext("title") for item in ET.fromstring(response.content).iter("item")]


def test_rss_feed_lists_public_posts_newest_first(client, draft, scheduled):
    PostFactory(title="Published one")
    response = client.get("/blog/feed/")
    assert response["Content-Type"].startswith("application/rss+xml")
    assert rss_titles(response) == ["Published one"]


def test_atom_feed_lists_public_posts_with_authors(client, draft):
    PostFactory(title="Atom entry", author__name="Jane Doe")
    root = ET.fromstring(client.get("/blog/feed/atom/").content)
    entries = root.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["Atom entry"]
    assert entries[0].find(f"{ATOM}author").findtext(f"{ATOM}name").startswith("Jane Doe")


@pytest.mark.parametrize("path", ["/blog/feed/", "/blog/feed/atom/"])
def test_feed_links_point_at_the_site_address_whatever_host_was_asked(client, settings, path):
    settings.ALLOWED_HOSTS = ["internal.example"]
    PostFactory(slug="on-the-site")
    content = client.get(path, HTTP_HOST="internal.example").content.decode()
    assert "https://clinic.test/blog/on-the-site/" in content
    assert "https://clinic.test" + path in content
    assert "internal.example" not in content


def test_category_feed_has_only_that_categorys_posts(client):
    running = CategoryFactory(slug="running", name="Running")
    PostFactory(title="In running", categories=[running])
    PostFactory(title="Elsewhere")
    assert rss_titles(client.get("/blog/category/running/feed/")) == ["In running"]
    assert client.get("/blog/category/running/feed/atom/").status_code == 200


def test_tag_feed_has_only_public_posts_with_that_tag(client, draft):
    PostFactory(title="Tagged", body="#hiddentag")
    PostFactory(title="Untagged")
    assert rss_titles(client.get("/blog/tag/hiddentag/feed/")) == ["Tagged"]


def test_feeds_for_unknown_categories_and_tags_are_404(client):
    assert client.get("/blog/category/nope/feed/").status_code == 404
    assert client.get("/blog/tag/nope/feed/atom/").status_code == 404


@pytest.mark.parametrize("path", ["/blog/tag/hiddentag/feed/", "/blog/tag/HiddenTag/feed/atom/"])
def test_a_tag_only_drafts_and_scheduled_posts_use_has_no_feed_like_it_has_no_page(client, draft, scheduled, path):
    assert client.get("/blog/tag/hiddentag/").status_code == 404
    assert client.get(path).status_code == 404


def sitemap_locations(client) -> list[str]:
    root = ET.fromstring(client.get("/sitemap.xml").content)
    return [url.findtext(f"{SITEMAP}loc") for url in root.findall(f"{SITEMAP}url")]


def test_sitemap_lists_public_posts_with_lastmod_and_never_drafts(client, draft, scheduled):
    post = PostFactory(slug="live-post")
    root = ET.fromstring(client.get("/sitemap.xml").content)
    entries = {
        url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod") for url in root.findall(f"{SITEMAP}url")
    }
    # The date in the clinic's zone, as the sitemap writes it: between midnight UTC and midnight in New York
    # the UTC date is a day ahead.
    assert entries["https://clinic.test/blog/live-post/"] == timezone.localtime(post.updated_at).date().isoformat()
    assert not any(draft.slug in loc or scheduled.slug in loc for loc in entries)
    assert "https://clinic.test/blog/tag/hiddentag/" not in entries


def test_sitemap_lists_categories_tags_therapists_and_static_pages(client):
    PostFactory(body="#calves", categories=[CategoryFactory(slug="running")])
    TherapistFactory(slug="maya-okafor")
    locations = set(sitemap_locations(client))
    assert {
        "https://clinic.test/",
        "https://clinic.test/book/",
        "https://clinic.test/therapists/",
        "https://clinic.test/blog/",
        "https://clinic.test/blog/category/running/",
        "https://clinic.test/blog/tag/calves/",
        "https://clinic.test/therapists/maya-okafor/",
    } <= locations


def test_sitemap_runs_a_constant_number_of_queries(client, django_assert_max_num_queries):
    for n in range(10):
        PostFactory(body=f"#t{n}", categories=[CategoryFactory()])
    with django_assert_max_num_queries(10):
        assert client.get("/sitemap.xml").status_code == 200


def test_feed_runs_a_constant_number_of_queries(client, django_assert_max_num_queries):
    for n in range(10):
        PostFactory(body=f"#t{n}", categories=[CategoryFactory()])
    with django_assert_max_num_queries(4):
        assert client.get("/blog/feed/").status_code == 200
