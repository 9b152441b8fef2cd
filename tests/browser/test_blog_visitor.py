import re

from playwright.sync_api import expect

from tests.factories import AuthorFactory, PostFactory, SeriesFactory, TherapistFactory


def make_series():
    therapist = TherapistFactory(name="Maya Okafor", slug="maya-okafor", credentials="LMT, E-RYT 500, FAFS")
    author = AuthorFactory(name="Maya Okafor", credentials="LMT, E-RYT 500, FAFS", therapist=therapist)
    series = SeriesFactory(title="Healing the stride")
    first = PostFactory(
        title="Healing the stride, part 1",
        slug="stride-1",
        author=author,
        series=series,
        series_part=1,
        body="Part 1 of #healingthestride: calf raises. #calves #itband\n\nhttps://www.youtube.com/watch?v=abcDEF12345",
    )
    second = PostFactory(
        title="Healing the stride, part 2",
        slug="stride-2",
        author=author,
        series=series,
        series_part=2,
        body="Part 2 of #healingthestride. Balance work for the #itband, then #Bostonmarathon !",
    )
    return first, second


def test_visitor_follows_a_tag_link_and_the_series_navigation(live_server, page, screenshot):
    first, second = make_series()
    page.goto(live_server.url + "/blog/")
    screenshot("index")
    page.get_by_role("link", name="Healing the stride, part 2").click()
    expect(page.get_by_text("by Maya Okafor, LMT, E-RYT 500, FAFS")).to_be_visible()
    expect(page.get_by_role("link", name="Book a session with Maya Okafor")).to_have_attribute(
        "href", "/book/?therapist=maya-okafor"
    )
    screenshot("post")
    page.locator(".post-body").get_by_role("link", name="#Bostonmarathon").click()
    expect(page).to_have_url(re.compile(r"/blog/tag/bostonmarathon/$"))
    expect(page.get_by_role("heading", name="#Bostonmarathon", level=1)).to_be_visible()
    page.get_by_role("link", name="Healing the stride, part 2").click()
    page.get_by_role("link", name=re.compile("Previous part")).click()
    expect(page).to_have_url(re.compile(r"/blog/stride-1/$"))
    expect(page.get_by_text("Part 1 of 2 · Healing the stride")).to_be_visible()
    page.get_by_role("link", name=re.compile("Next part")).click()
    expect(page).to_have_url(re.compile(r"/blog/stride-2/$"))


def test_video_loads_nothing_from_the_host_before_the_click(live_server, page, screenshot):
    first, _ = make_series()
    foreign = []

    def block_foreign(route):
        foreign.append(route.request.url)
        route.abort()

    page.route(re.compile(r"^(?!" + re.escape(live_server.url) + ").*"), block_foreign)
    page.goto(live_server.url + first.get_absolute_url())
    play = page.get_by_role("button", name="Play video (loads from YouTube)")
    expect(play).to_be_visible()
    expect(page.get_by_role("link", name="Watch on YouTube")).to_have_attribute(
        "href", "https://www.youtube.com/watch?v=abcDEF12345"
    )
    page.wait_for_load_state("networkidle")
    screenshot("video-before-click")
    assert foreign == []
    # The route aborts the player's request; once it has failed, block_foreign has seen it.
    player_failed = page.expect_event("requestfailed", lambda r: r.url.startswith("https://www.youtube-nocookie.com/"))
    with player_failed:
        play.click()
    iframe = page.locator("iframe.video-facade__iframe")
    expect(iframe).to_have_attribute("src", re.compile(r"^https://www\.youtube-nocookie\.com/embed/abcDEF12345"))
    assert foreign and all(url.startswith("https://www.youtube-nocookie.com/") for url in foreign)
