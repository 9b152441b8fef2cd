"""Markdown → safe HTML, the one renderer for everything staff write: posts, newsletter issues.

The order matters for safety: Markdown first, then the nh3 allowlist over everything the author
controls, and only then our own markup (video facades here, tag links in ``blog.markup``), built
from escaped values. So the allowlist never has to admit buttons or data attributes.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape, unescape
from urllib.parse import parse_qs, urlencode, urlsplit

import markdown
import nh3
from markdown.preprocessors import Preprocessor

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "del", "s", "sup", "sub",
    "blockquote", "ul", "ol", "li", "code", "pre", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
    "figure", "figcaption", "abbr", "kbd", "dl", "dt", "dd", "mark",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}


@dataclass(frozen=True)
class Video:
    provider: str  # "youtube" or "vimeo"
    video_id: str

    @property
    def provider_name(self) -> str:
        return "YouTube" if self.provider == "youtube" else "Vimeo"

    @property
    def watch_url(self) -> str:
        if self.provider == "youtube":
            return f"https://www.youtube.com/watch?v={self.video_id}"
        return f"https://vimeo.com/{self.video_id}"

    @property
    def embed_url(self) -> str:
        if self.provider == "youtube":
            return f"https://www.youtube-nocookie.com/embed/{self.video_id}?" + urlencode({"autoplay": 1, "rel": 0})
        return f"https://player.vimeo.com/video/{self.video_id}?" + urlencode({"autoplay": 1, "dnt": 1})


YOUTUBE_ID_RE = re.compile(r"^[A-Za-z0-9_-]{6,20}$")


def parse_video_url(url: str) -> Video | None:
    """The YouTube or Vimeo video a link points to, or None for any other link."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"}:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    path_bits = [bit for bit in parts.path.split("/") if bit]
    candidate = None
    if host in {"youtube.com", "youtube-nocookie.com"}:
        if path_bits == ["watch"]:
            candidate = (parse_qs(parts.query).get("v") or [None])[0]
        elif len(path_bits) == 2 and path_bits[0] in {"embed", "shorts", "live"}:
            candidate = path_bits[1]
        if candidate and YOUTUBE_ID_RE.match(candidate):
            return Video("youtube", candidate)
    elif host == "youtu.be" and len(path_bits) == 1 and YOUTUBE_ID_RE.match(path_bits[0]):
        return Video("youtube", path_bits[0])
    elif host in {"vimeo.com", "player.vimeo.com"}:
        numeric = [bit for bit in path_bits if bit.isdigit()]
        if numeric and len(path_bits) <= 3:
            return Video("vimeo", numeric[0])
    return None


def video_facade_html(video: Video, *, poster_url: str = "", title: str = "") -> str:
    """The click-to-load player: our poster and a button; static/blog/js/video.js swaps in the iframe on click."""
    label = f"Play video (loads from {video.provider_name})"
    poster = (
        f'<img class="video-facade__poster" src="{escape(poster_url)}" alt="" loading="lazy">'
        if poster_url
        else '<span class="video-facade__poster video-facade__poster--generated" aria-hidden="true"></span>'
    )
    return (
        f'<figure class="video-facade" data-embed-url="{escape(video.embed_url)}" '
        f'data-video-title="{escape(title or "Video")}">'
        f'<div class="video-facade__frame">{poster}'
        f'<button type="button" class="video-facade__play btn btn-dark" hidden>'
        f'<span class="video-facade__icon" aria-hidden="true">▶</span> {escape(label)}</button></div>'
        f'<figcaption class="small mt-1"><a href="{escape(video.watch_url)}" rel="noopener">'
        f"Watch on {video.provider_name}</a></figcaption></figure>"
    )


class _HashLineEscaper(Preprocessor):
    """Instagram-style lines start with "#tag"; only "# Title" (with a space) is a heading."""

    LINE_RE = re.compile(r"^#(?=\w)")

    def run(self, lines):
        return [self.LINE_RE.sub(r"\\#", line) for line in lines]


class _VideoLineIsolator(Preprocessor):
    """A video link on a line of its own becomes a paragraph of its own, and so a player.

    People write "Watch the drill:" and paste the link on the next line without a blank line
    between, which Markdown would fold into one paragraph of text.
    """

    # Only at the start of a line: an indented link belongs to the list item above it.
    LINE_RE = re.compile(r"^<?(https?://\S+?)>?\s*$")

    def run(self, lines):
        out: list[str] = []
        for index, line in enumerate(lines):
            match = self.LINE_RE.match(line)
            if match and parse_video_url(match.group(1)):
                if out and out[-1].strip():
                    out.append("")
                out.append(line.strip())
                if index + 1 < len(lines) and lines[index + 1].strip():
                    out.append("")
            else:
                out.append(line)
        return out


class _PostLinesExtension(markdown.Extension):
    def extendMarkdown(self, md):  # noqa: N802 - Markdown's API
        # After fenced code (25) and raw HTML blocks (20) are stashed away.
        md.preprocessors.register(_HashLineEscaper(md), "hash_line_escaper", 15)
        md.preprocessors.register(_VideoLineIsolator(md), "video_line_isolator", 14)


LONE_LINK_RE = re.compile(r"<p>\s*(?:<a href=\"([^\"]+)\"[^>]*>[^<]*</a>|(https?://[^\s<]+))\s*</p>")


def video_paragraphs(html: str, replacement: Callable[[Video], str]) -> str:
    """Each paragraph that is nothing but a video link, replaced by ``replacement(video)``."""

    def replace(match: re.Match) -> str:
        video = parse_video_url(unescape(match.group(1) or match.group(2)))
        return replacement(video) if video else match.group(0)

    return LONE_LINK_RE.sub(replace, html)


def markdown_clean(body: str) -> str:
    """Markdown, then the allowlist over everything the author controls."""
    raw_html = markdown.markdown(body, extensions=["fenced_code", "tables", "sane_lists", _PostLinesExtension()])
    # The post title is the page's only h1; "# Heading" in the body becomes a section heading.
    raw_html = re.sub(r"<(/?)h1>", r"<\1h2>", raw_html)
    return nh3.clean(
        raw_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


# Our own HTML quotes every attribute with double quotes, so this finds every site-relative address.
SITE_RELATIVE_RE = re.compile(r'(\s(?:href|src)=")/(?!/)')


def render_email(body: str, *, site_url: str) -> str:
    """The same Markdown and allowlist as a post, shaped for an email.

    An email cannot run the click-to-load player, so a video becomes a plain "Watch the video on
    YouTube" link; it has no origin, so addresses on our site become absolute; and its #hashtags
    stay text, because a tag page exists only while a public post uses the tag, and a sent email
    cannot be corrected when it stops existing.
    """

    def video_link(video: Video) -> str:
        return f'<p><a href="{escape(video.watch_url)}">Watch the video on {video.provider_name}</a></p>'

    html = video_paragraphs(markdown_clean(body), video_link)
    return SITE_RELATIVE_RE.sub(lambda match: f"{match.group(1)}{escape(site_url)}/", html)
