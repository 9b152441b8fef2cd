"""Markdown → safe HTML for posts, with #hashtag links and click-to-load videos.

The order matters for safety: Markdown first, then the nh3 allowlist over everything
the author controls, and only then our own markup (tag links, video facades), built
from escaped values. So the allowlist never has to admit buttons or data attributes.
"""

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from html import escape, unescape
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urlsplit

import markdown
import nh3
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import Truncator
from markdown.preprocessors import Preprocessor

TAG_MAX_LENGTH = 60
# A tag starts after a space, a line start or an opening bracket (never after a letter, "&" or "/"),
# holds letters, digits and underscores with at least one letter, and ends at anything else.
HASHTAG_RE = re.compile(r"(?<![\w&/#])#(\w*[^\W\d_]\w*)")
URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
SKIP_TAGS = frozenset({"a", "code", "pre", "kbd", "samp", "h1", "h2", "h3", "h4", "h5", "h6"})
VOID_TAGS = frozenset({"br", "hr", "img", "wbr", "col", "area"})

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


class _HashtagExtension(markdown.Extension):
    def extendMarkdown(self, md):  # noqa: N802 - Markdown's API
        # After fenced code (25) and raw HTML blocks (20) are stashed away.
        md.preprocessors.register(_HashLineEscaper(md), "hash_line_escaper", 15)
        md.preprocessors.register(_VideoLineIsolator(md), "video_line_isolator", 14)


def normalise_tag(text: str) -> str:
    return text.lstrip("#").strip().lower()[:TAG_MAX_LENGTH]


def tag_url(slug: str) -> str:
    return reverse("blog:tag", kwargs={"slug": slug})


class _HashtagLinker(HTMLParser):
    """Re-emits sanitised HTML, turning #hashtags in ordinary text into tag links and counting them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[str] = []
        self.spellings: dict[str, Counter] = {}

    def handle_starttag(self, tag, attrs):
        rendered = "".join(f' {name}="{escape(value or "")}"' for name, value in attrs)
        self.out.append(f"<{tag}{rendered}>")
        if tag not in VOID_TAGS:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS and self.stack:
            self.stack.pop()

    def handle_endtag(self, tag):
        self.out.append(f"</{tag}>")
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if SKIP_TAGS.intersection(self.stack):
            self.out.append(escape(data, quote=False))
            return
        position = 0
        for url in URL_RE.finditer(data):
            self.out.append(self._link_tags(data[position : url.start()]))
            self.out.append(escape(url.group(0), quote=False))
            position = url.end()
        self.out.append(self._link_tags(data[position:]))

    def _link_tags(self, text: str) -> str:
        pieces, position = [], 0
        for match in HASHTAG_RE.finditer(text):
            spelling = match.group(1)[:TAG_MAX_LENGTH]
            slug = spelling.lower()
            self.spellings.setdefault(slug, Counter())[spelling] += 1
            pieces.append(escape(text[position : match.start()], quote=False))
            pieces.append(f'<a class="hashtag" href="{escape(tag_url(slug))}">#{escape(match.group(1))}</a>')
            position = match.end()
        pieces.append(escape(text[position:], quote=False))
        return "".join(pieces)


@dataclass
class Rendered:
    html: str
    excerpt: str
    tags: dict[str, Counter]  # slug → Counter of spellings used in the text


LONE_LINK_RE = re.compile(r"<p>\s*(?:<a href=\"([^\"]+)\"[^>]*>[^<]*</a>|(https?://[^\s<]+))\s*</p>")


def _video_paragraphs(html: str, replacement: Callable[[Video], str]) -> str:
    """Each paragraph that is nothing but a video link, replaced by ``replacement(video)``."""

    def replace(match: re.Match) -> str:
        video = parse_video_url(unescape(match.group(1) or match.group(2)))
        return replacement(video) if video else match.group(0)

    return LONE_LINK_RE.sub(replace, html)


def _markdown_clean(body: str) -> str:
    """Markdown, then the allowlist over everything the author controls."""
    raw_html = markdown.markdown(body, extensions=["fenced_code", "tables", "sane_lists", _HashtagExtension()])
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


def _tags_linked(html: str) -> tuple[str, dict[str, Counter]]:
    linker = _HashtagLinker()
    linker.feed(html)
    linker.close()
    return "".join(linker.out), linker.spellings


def render(body: str, *, excerpt_words: int = 40) -> Rendered:
    """Render a post body: Markdown, sanitised, with tag links and video facades, plus its excerpt and tags."""
    clean = _markdown_clean(body)
    html, spellings = _tags_linked(_video_paragraphs(clean, video_facade_html))
    text = " ".join(strip_tags(_video_paragraphs(clean, lambda video: "")).split())
    return Rendered(html=html, excerpt=Truncator(unescape(text)).words(excerpt_words), tags=spellings)


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

    html = _video_paragraphs(_markdown_clean(body), video_link)
    return SITE_RELATIVE_RE.sub(lambda match: f"{match.group(1)}{escape(site_url)}/", html)


def split_extra_tags(text: str) -> list[str]:
    """Tags typed by hand, separated by commas or spaces, with or without a leading #."""
    words = re.split(r"[,\s]+", text)
    return [word.lstrip("#")[:TAG_MAX_LENGTH] for word in words if re.fullmatch(r"#?\w+", word or "")]
