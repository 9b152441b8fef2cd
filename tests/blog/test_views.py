import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from blog.models import Post
from blog.services import post_unpublish, post_write
from tests.blog.images import jpeg
from tests.factories import (
    AuthorFactory,
    CategoryFactory,
    PostFactory,
    SeriesFactory,
    StaffUserFactory,
    TherapistFactory,
)

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    return response.content.decode()


def test_index_lists_public_posts_newest_first(client):
    PostFactory(title="Older", publish_at=timezone.now() - timedelta(days=5))
    PostFactory(title="Newer", publish_at=timezone.now() - timedelta(days=1))
    content = page_text(client.get("/blog/"))
    assert content.index("Newer") < content.index("Older")


def test_drafts_and_scheduled_posts_are_not_listed(client, draft, scheduled):
    PostFactory(title="Visible one")
    content = page_text(client.get("/blog/"))
    assert "Visible one" in content
    assert draft.title not in content and scheduled.title not in content


def test_featured_posts_are_shown_on_top_of_the_first_page(client):
    featured = CategoryFactory(name="Featured", slug="featured")
    PostFactory(title="Plain newest")
    PostFactory(title="Featured older", publish_at=timezone.now() - timedelta(days=9), categories=[featured])
    content = page_text(client.get("/blog/"))
    assert content.index("Featured older") < content.index("Plain newest")


def test_every_post_appears_exactly_once_across_the_blog_pages(client):
    featured = CategoryFactory(name="Featured", slug="featured")
    titles = []
    for number in range(15):
        post = PostFactory(
            title=f"Post number {number:02}",
            publish_at=timezone.now() - timedelta(hours=number),
            categories=[featured] if number % 5 == 0 else [],
        )
        titles.append(post.title)
    pages = [page_text(client.get("/blog/")), page_text(client.get("/blog/", {"page": "2"}))]
    for title in titles:
        assert sum(page.count(f">{title}<") for page in pages) == 1, title
    for first_page in ["01", ""]:  # the paginator reads both as page 1, and so do the featured posts
        assert page_text(client.get("/blog/", {"page": first_page})).count(">Post number 00<") == 1
    assert client.get("/blog/", {"page": "3"}).status_code == 404


@pytest.mark.parametrize("page", ["3", "abc", "0", "-1", "99999999999999999999"])
def test_a_page_past_the_end_or_not_a_number_is_a_404(client, page):
    PostFactory()
    assert client.get("/blog/", {"page": page}).status_code == 404


def test_second_page_has_its_own_canonical_url(client):
    for _ in range(12):
        PostFactory()
    content = page_text(client.get("/blog/", {"page": "2"}))
    assert '<link rel="canonical" href="https://clinic.test/blog/?page=2">' in content


def test_a_repeat_visit_to_a_list_page_counts_nothing_again(client):
    for _ in range(12):
        PostFactory(body="#shared")
    client.get("/blog/", {"page": "2"})
    with CaptureQueriesContext(connection) as repeat:
        assert client.get("/blog/", {"page": "2"}).status_code == 200
    assert not [query["sql"] for query in repeat.captured_queries if "COUNT(" in query["sql"]]


def test_a_new_post_adds_its_page_at_once(client):
    for _ in range(10):
        PostFactory()
    assert client.get("/blog/", {"page": "2"}).status_code == 404
    PostFactory()
    assert client.get("/blog/", {"page": "2"}).status_code == 200


def test_a_scheduled_post_adds_its_page_the_moment_it_goes_live(client, time_machine):
    for _ in range(10):
        PostFactory()
    PostFactory(title="Goes live soon", publish_at=timezone.now() + timedelta(minutes=2))
    assert client.get("/blog/", {"page": "2"}).status_code == 404
    time_machine.move_to(timezone.now() + timedelta(minutes=3))
    assert client.get("/blog/", {"page": "2"}).status_code == 200
    assert "Goes live soon" in page_text(client.get("/blog/"))


def test_index_runs_a_constant_number_of_queries(client, django_assert_max_num_queries):
    featured = CategoryFactory(name="Featured", slug="featured")
    for number in range(15):
        PostFactory(body=f"#tag{number} #shared", categories=[featured, CategoryFactory()])
    with django_assert_max_num_queries(9):
        assert client.get("/blog/").status_code == 200


def test_post_page_shows_byline_date_categories_and_tags(client):
    author = AuthorFactory(name="Jane Doe", credentials="LMT, E-RYT 500, FAFS")
    post = PostFactory(
        author=author,
        body="Run easy. #itband",
        publish_at=timezone.make_aware(datetime(2020, 10, 8, 12, 0)),
        categories=[CategoryFactory(name="Blog", slug="blog"), CategoryFactory(name="Running", slug="running")],
    )
    content = page_text(client.get(post.get_absolute_url()))
    assert "by <a" in content and "Jane Doe, LMT, E-RYT 500, FAFS</a>" in content
    assert "October 8th, 2020" in content
    assert re.search(r"Posted in <a[^>]*>Blog</a>, <a[^>]*>Running</a>", content)
    assert 'href="/blog/tag/itband/"' in content


def test_post_by_a_therapist_invites_to_book_with_them(client):
    therapist = TherapistFactory(name="Maya Okafor", slug="maya-okafor")
    post = PostFactory(author=AuthorFactory(name="Maya Okafor", therapist=therapist))
    content = page_text(client.get(post.get_absolute_url()))
    assert "Book a session with Maya Okafor" in content
    assert f'href="{reverse("bookings:start")}?therapist=maya-okafor"' in content


def test_post_page_includes_the_newsletter_form(client):
    content = page_text(client.get(PostFactory().get_absolute_url()))
    assert 'id="subscribe-post-email"' in content


def test_post_page_has_article_meta_and_json_ld(client):
    post = PostFactory(title="Calf care </script><b>", author=AuthorFactory(name="Jane Doe"))
    content = page_text(client.get(post.get_absolute_url()))
    assert '<meta property="og:type" content="article">' in content
    assert '<meta property="article:published_time"' in content
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', content, re.S).group(1)
    assert "</script>" not in raw
    data = json.loads(raw)
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == "Calf care </script><b>"
    assert data["author"]["name"] == "Jane Doe"
    assert data["datePublished"] == post.publish_at.isoformat()


@pytest.mark.parametrize("fixture_name", ["draft", "scheduled"])
def test_unpublished_posts_are_404_for_the_public(client, request, fixture_name):
    post = request.getfixturevalue(fixture_name)
    assert client.get(post.get_absolute_url()).status_code == 404


def test_a_scheduled_post_appears_once_its_time_has_passed(client, scheduled, time_machine):
    time_machine.move_to(scheduled.publish_at + timedelta(minutes=1))
    assert client.get(scheduled.get_absolute_url()).status_code == 200


def test_unknown_post_slug_is_a_404(client, db):
    assert client.get("/blog/no-such-post/").status_code == 404


def test_an_old_slug_redirects_permanently_to_the_new_address(client):
    post = PostFactory(slug="old-address")
    post.slug = "new-address"
    post_write(post=post)
    response = client.get("/blog/old-address/")
    assert response.status_code == 301
    assert response["Location"] == "/blog/new-address/"


def test_an_old_slug_of_a_draft_is_a_404(client, draft):
    old = draft.slug
    draft.slug = "renamed-draft"
    post_write(post=draft)
    assert client.get(f"/blog/{old}/").status_code == 404


def test_series_box_shows_the_part_and_links_previous_and_next(client):
    series = SeriesFactory(title="Healing the stride")
    first = PostFactory(title="Stride part one", series=series, series_part=1)
    second = PostFactory(title="Stride part two", series=series, series_part=2)
    PostFactory(title="Stride part three", series=series, series_part=3, status=Post.Status.DRAFT)
    content = page_text(client.get(second.get_absolute_url()))
    assert "Part 2 of 2 · Healing the stride" in content
    assert f'<a href="{first.get_absolute_url()}">← Previous part' in content
    assert "Stride part three" not in content


def test_a_part_whose_predecessor_is_scheduled_never_reads_part_3_of_2(client):
    series = SeriesFactory(title="Healing the stride")
    PostFactory(title="Stride part one", series=series, series_part=1)
    PostFactory(title="Stride part two", series=series, series_part=2, publish_at=timezone.now() + timedelta(days=2))
    third = PostFactory(title="Stride part three", series=series, series_part=3)
    content = page_text(client.get(third.get_absolute_url()))
    assert "Part 3 of 3 · Healing the stride" in content
    assert '<li value="3"><span aria-current="page">Stride part three' in content
    assert "Stride part two" not in content


def test_related_posts_share_tags_and_skip_unpublished_ones(client, draft):
    post = PostFactory(body="#hiddentag #calves")
    PostFactory(title="Also about calves", body="#calves")
    PostFactory(title="Unrelated", body="#shoulders")
    content = page_text(client.get(post.get_absolute_url()))
    related = content.split('id="related-heading"')[1]
    assert "Also about calves" in related
    assert "Unrelated" not in related and draft.title not in related


def test_post_page_runs_a_constant_number_of_queries(client, django_assert_max_num_queries):
    series = SeriesFactory()
    posts = [
        PostFactory(body=f"#a #b #c{n}", series=series, series_part=n + 1, categories=[CategoryFactory()])
        for n in range(6)
    ]
    with django_assert_max_num_queries(10):
        assert client.get(posts[2].get_absolute_url()).status_code == 200


def test_the_video_field_renders_a_click_to_load_player_with_no_host_request(client):
    post = PostFactory(video_url="https://youtu.be/abcDEF12345")
    content = page_text(client.get(post.get_absolute_url()))
    assert "Play video (loads from YouTube)" in content
    assert "Watch on YouTube" in content
    assert "<iframe" not in content
    assert not re.search(r'(src|href)="https://(www\.)?(youtube-nocookie|ytimg|youtube)\.com/(embed|vi)', content)


def test_category_page_lists_only_its_public_posts(client, draft):
    running = CategoryFactory(name="Running", slug="running")
    PostFactory(title="Hill repeats", categories=[running])
    PostFactory(title="Desk neck")
    draft.categories.add(running)
    content = page_text(client.get("/blog/category/running/"))
    assert "Hill repeats" in content
    assert "Desk neck" not in content and draft.title not in content


def test_tag_page_lists_posts_with_the_tag_in_any_case(client):
    PostFactory(title="Marathon prep", body="#BostonMarathon")
    response = client.get("/blog/tag/BOSTONMARATHON/")
    assert response.status_code == 301
    content = page_text(client.get("/blog/tag/bostonmarathon/"))
    assert "Marathon prep" in content
    assert "<h1>#BostonMarathon</h1>" in content


def test_a_tag_used_only_by_unpublished_posts_is_not_found(client, draft, scheduled):
    response = client.get("/blog/tag/hiddentag/")
    assert response.status_code == 404
    content = page_text(response)
    assert draft.title not in content and scheduled.title not in content
    assert "#hiddentag" not in content


def test_a_tag_is_spelled_as_published_posts_spell_it_whatever_drafts_say(client):
    PostFactory(body="Out now. #BostonMarathon")
    PostFactory(status="draft", body="#bostonmarathon #bostonmarathon #bostonmarathon")
    content = page_text(client.get("/blog/tag/bostonmarathon/"))
    assert "#BostonMarathon" in content and "#bostonmarathon" not in content


def test_tag_counts_ignore_unpublished_posts(client, draft):
    PostFactory(body="#hiddentag")
    content = page_text(client.get("/blog/"))
    assert re.search(r"#hiddentag</a> <span[^>]*>\(1\)</span>", content)


@pytest.mark.parametrize("url", ["/blog/tag/nope/", "/blog/category/nope/", "/blog/author/nope/", "/blog/2024/13/"])
def test_unknown_list_pages_are_404(client, url):
    assert client.get(url).status_code == 404


def test_tag_page_runs_a_constant_number_of_queries(client, django_assert_max_num_queries):
    for n in range(15):
        PostFactory(body=f"#common #other{n}", categories=[CategoryFactory()])
    with django_assert_max_num_queries(9):
        assert client.get("/blog/tag/common/").status_code == 200


def test_author_page_lists_their_posts_and_booking_link(client):
    therapist = TherapistFactory(name="Tom Lindqvist", slug="tom-lindqvist")
    author = AuthorFactory(name="Tom Lindqvist", slug="tom", therapist=therapist)
    PostFactory(title="Lifting with your legs", author=author)
    PostFactory(title="Someone else")
    content = page_text(client.get("/blog/author/tom/"))
    assert "Lifting with your legs" in content and "Someone else" not in content
    assert "?therapist=tom-lindqvist" in content


def test_month_archive_lists_posts_of_that_month_in_clinic_time(client):
    # 23:30 on 28 February in Boston is already 1 March in UTC: only the clinic's wall clock files it correctly.
    PostFactory(title="Early March", publish_at=timezone.make_aware(datetime(2025, 3, 1, 0, 30)))
    PostFactory(title="Late February", publish_at=timezone.make_aware(datetime(2025, 2, 28, 23, 30)))
    content = page_text(client.get("/blog/2025/3/"))
    assert "Early March" in content and "Late February" not in content


def test_search_finds_words_in_titles_and_bodies(client, draft):
    PostFactory(title="Plantar fascia relief", body="Roll your foot.")
    PostFactory(title="Shoulders", body="Relief for the plantar area is elsewhere.")
    PostFactory(title="Nothing related", body="Neck.")
    content = page_text(client.get("/blog/", {"q": "plantar"}))
    assert "Plantar fascia relief" in content and "Shoulders" in content
    assert "Nothing related" not in content
    assert "2 articles found" in content


def test_search_never_shows_unpublished_posts(client, draft, scheduled):
    content = page_text(client.get("/blog/", {"q": "hiddentag"}))
    assert "0 articles found" in content


@pytest.mark.parametrize(
    "query", ["%", "_", "'\"", "\\", "a:b & c | !d", "<script>", "()*", "-", "#tag", "ü" * 10, "   "]
)
def test_search_with_odd_characters_never_fails(client, query):
    PostFactory(title="Calf raises")
    assert client.get("/blog/", {"q": query}).status_code == 200


def test_a_search_holding_a_nul_character_is_refused_with_an_explanation(client):
    response = client.get("/blog/", {"q": "\x00null"})
    assert response.status_code == 400
    assert "We couldn't read that link" in page_text(response)


def test_a_huge_search_is_shortened_and_says_so(client):
    response = client.get("/blog/", {"q": "calf " * 2000})
    assert response.status_code == 200
    assert "we shortened yours" in page_text(response)


def test_preview_shows_a_draft_to_staff_with_a_banner(client, draft):
    client.force_login(StaffUserFactory())
    response = client.get(reverse("blog:preview", args=[draft.pk]))
    assert response.status_code == 200
    assert "Preview — not published." in page_text(response)
    assert draft.title in page_text(response)


def test_the_preview_of_a_post_scheduled_on_the_fall_back_day_says_which_one_oclock(client):
    post = PostFactory(title="Clocks go back", publish_at=datetime(2027, 11, 7, 6, 30, tzinfo=UTC))
    client.force_login(StaffUserFactory())
    content = page_text(client.get(reverse("blog:preview", args=[post.pk])))
    assert "Scheduled to appear on November 7th, 2027 at 1:30 AM EST." in content


def test_preview_is_refused_to_visitors(client, draft):
    response = client.get(reverse("blog:preview", args=[draft.pk]))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_robots_txt_points_to_the_sitemap(client, db):
    content = page_text(client.get("/robots.txt"))
    assert "Sitemap: https://clinic.test/sitemap.xml" in content


def test_tag_counts_follow_a_post_moved_back_to_draft(client):
    post = PostFactory(body="#calves")
    assert "#calves</a>" in page_text(client.get("/blog/"))
    post_unpublish(post=post)
    assert "#calves</a>" not in page_text(client.get("/blog/"))


@pytest.mark.parametrize("url", ["/blog/", "/blog/category/running/", "/blog/tag/calves/", "/blog/author/maya/"])
def test_list_pages_have_title_description_canonical_and_open_graph(client, url):
    PostFactory(body="#calves", author=AuthorFactory(slug="maya"), categories=[CategoryFactory(slug="running")])
    content = page_text(client.get(url))
    assert re.search(r"<title>[^<]+ · Riverside Massage Therapy</title>", content)
    assert f'<link rel="canonical" href="https://clinic.test{url}">' in content
    assert '<meta property="og:title"' in content and '<meta name="description" content="' in content


@pytest.mark.parametrize("url", ["/blog/category/running/", "/blog/author/maya/", "/blog/2025/3/"])
def test_other_list_pages_run_a_constant_number_of_queries(client, url, django_assert_max_num_queries):
    author = AuthorFactory(slug="maya")
    running = CategoryFactory(slug="running")
    for n in range(12):
        PostFactory(
            body=f"#t{n}",
            author=author,
            categories=[running, CategoryFactory()],
            publish_at=timezone.make_aware(datetime(2025, 3, 2 + n, 9, 0)),
        )
    with django_assert_max_num_queries(9):
        assert client.get(url).status_code == 200


def test_an_uploaded_video_plays_in_a_video_element_with_its_poster(client):
    post = PostFactory(
        video_file=SimpleUploadedFile("stretch.mp4", b"\x00\x00\x00\x18ftypmp42", content_type="video/mp4"),
        video_poster=jpeg(640, 360),
    )
    content = page_text(client.get(post.get_absolute_url()))
    assert re.search(r'<video[^>]+controls[^>]+poster="[^"]+\.jpg"', content)
    assert re.search(r'<source src="[^"]+stretch[^"]*\.mp4">', content)


def test_post_page_offers_og_image_from_the_hero_variants(client):
    post = PostFactory(hero_image=jpeg(2000, 1000), hero_alt="Morning light on a trail")
    content = page_text(client.get(post.get_absolute_url()))
    assert re.search(
        r'<meta property="og:image" content="https://clinic\.test/media/blog/hero/variants/[^"]+-960w\.webp">', content
    )
    assert 'srcset="/media/blog/hero/variants/' in content
    assert 'alt="Morning light on a trail"' in content
    assert 'width="960" height="480"' in content


@pytest.mark.postgres
def test_full_text_search_ranks_title_matches_first_and_matches_word_forms(client):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("full-text search runs on PostgreSQL; SQLite uses the icontains fallback tested above")
    PostFactory(
        title="Notes from the clinic", body="Stretching helps runners.", publish_at=timezone.now() - timedelta(hours=1)
    )
    PostFactory(title="Stretches for runners", body="Hold each one.", publish_at=timezone.now() - timedelta(days=3))
    content = page_text(client.get("/blog/", {"q": "stretch"}))
    assert "2 articles found" in content
    assert content.index("Stretches for runners") < content.index("Notes from the clinic")
