import pytest

from blog.markup import render, split_extra_tags
from core.markdown import parse_video_url


def tag_slugs(body: str) -> set[str]:
    return set(render(body).tags)


def test_hashtags_become_links_to_their_tag_page():
    html = render("Loosen your #itband before the hill.").html
    assert '<a class="hashtag" href="/blog/tag/itband/">#itband</a>' in html


def test_punctuation_after_a_hashtag_is_not_part_of_it():
    assert tag_slugs("Go #Bostonmarathon ! and #runnershealth, then #glutemedius.") == {
        "bostonmarathon",
        "runnershealth",
        "glutemedius",
    }


def test_hashtags_are_matched_case_insensitively_keeping_each_spelling():
    tags = render("#Bostonmarathon then #bostonmarathon and #BostonMarathon").tags
    assert list(tags) == ["bostonmarathon"]
    assert sum(tags["bostonmarathon"].values()) == 3


def test_a_line_starting_with_a_hashtag_is_a_paragraph_not_a_heading():
    html = render("#itband work today").html
    assert "<h" not in html
    assert html.startswith('<p><a class="hashtag"')


@pytest.mark.parametrize(
    "body",
    [
        "Use `#notatag` in code",
        "```\n#notatag\n```",
        "    #notatag in an indented block",
        "[a link #notatag](https://example.com/)",
        "See https://example.com/page#notatag for more",
        "## Heading with #notatag",
        "Call room #2 or mail me@example.com#notatag",
    ],
)
def test_hash_inside_code_links_urls_headings_or_words_is_not_a_tag(body):
    assert tag_slugs(body) == set()


def test_markdown_headings_start_at_level_two_below_the_post_title():
    assert "<h2>Warm up</h2>" in render("# Warm up").html


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        '<a href="javascript:alert(1)">x</a>',
        "[x](javascript:alert(1))",
        '<img src="x" onerror="alert(1)">',
        '<p onclick="alert(1)">x</p>',
        "<iframe src='https://evil.example'></iframe>",
        '<a href="JaVaScRiPt:alert(1)">x</a>',
    ],
)
def test_scripts_event_handlers_and_javascript_urls_never_survive(body):
    html = render(body).html.lower()
    assert "<script" not in html
    assert "onerror" not in html and "onclick" not in html
    assert "javascript:" not in html
    assert "<iframe" not in html


def test_a_bare_youtube_link_on_its_own_line_becomes_a_click_to_load_player():
    html = render("Watch this:\n\nhttps://www.youtube.com/watch?v=abcDEF12345\n\nThen rest.").html
    assert 'data-embed-url="https://www.youtube-nocookie.com/embed/abcDEF12345?autoplay=1&amp;rel=0"' in html
    assert "Play video (loads from YouTube)" in html
    assert '<a href="https://www.youtube.com/watch?v=abcDEF12345" rel="noopener">Watch on YouTube</a>' in html
    assert "<iframe" not in html
    assert "i.ytimg.com" not in html and "img.youtube.com" not in html


def test_a_video_link_on_its_own_line_between_lines_of_text_becomes_a_player():
    html = render("Watch the drill:\nhttps://youtu.be/abcDEF12345\nThen rest. #recovery").html
    assert html.count('class="video-facade"') == 1
    assert "<p>Watch the drill:</p>" in html
    assert html.index("video-facade") < html.index("Then rest.")


def test_a_video_link_indented_under_a_list_item_keeps_the_list_whole():
    html = render("1. Warm up\n   https://youtu.be/abcDEF12345\n2. Run easy").html
    assert html.count("<ol") == 1 and html.count("<li>") == 2 and "start=" not in html


def test_a_video_link_in_code_stays_code():
    html = render("```\nhttps://youtu.be/abcDEF12345\n```\n\n    https://youtu.be/abcDEF12345").html
    assert "video-facade" not in html
    assert html.count("<code>https://youtu.be/abcDEF12345") == 2


def test_a_vimeo_link_plays_without_tracking():
    html = render("https://vimeo.com/123456789").html
    assert "https://player.vimeo.com/video/123456789?autoplay=1&amp;dnt=1" in html
    assert "Watch on Vimeo" in html


def test_a_video_link_inside_a_sentence_stays_a_plain_link():
    html = render("More at https://www.youtube.com/watch?v=abcDEF12345 today").html
    assert "video-facade" not in html


@pytest.mark.parametrize(
    ("url", "provider", "video_id"),
    [
        ("https://youtu.be/abcDEF12345", "youtube", "abcDEF12345"),
        ("https://www.youtube.com/shorts/abcDEF12345", "youtube", "abcDEF12345"),
        ("https://m.youtube.com/watch?v=abcDEF12345&t=30", "youtube", "abcDEF12345"),
        ("https://vimeo.com/76979871", "vimeo", "76979871"),
    ],
)
def test_video_links_in_their_common_shapes_are_recognised(url, provider, video_id):
    video = parse_video_url(url)
    assert (video.provider, video.video_id) == (provider, video_id)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/watch?v=abcDEF12345",
        "javascript:alert(1)",
        "https://youtube.com/watch?v=<script>",
        "http://[::1",
    ],
)
def test_other_links_are_not_videos(url):
    assert parse_video_url(url) is None


def test_excerpt_is_plain_text_without_markup_or_video_links():
    rendered = render("**Strong** start with <em>care</em> & ease.\n\nhttps://youtu.be/abcDEF12345")
    assert rendered.excerpt == "Strong start with care & ease."


def test_hand_typed_tags_accept_commas_spaces_and_hashes():
    assert split_extra_tags("running, #Recovery  calf-raise ok") == ["running", "Recovery", "ok"]
