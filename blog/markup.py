"""Post bodies: the shared Markdown renderer (``core.markdown``) plus #hashtag links to tag pages.

Tag links are added after the allowlist, built from escaped values, like the video facades.
"""

import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from html import escape, unescape
from html.parser import HTMLParser

from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import Truncator

from core.markdown import markdown_clean, video_facade_html, video_paragraphs

TAG_MAX_LENGTH = 60
# A tag starts after a space, a line start or an opening bracket (never after a letter, "&" or "/"),
# holds letters, digits and underscores with at least one letter, and ends at anything else.
HASHTAG_RE = re.compile(r"(?<![\w&/#])#(\w*[^\W\d_]\w*)")
URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
SKIP_TAGS = frozenset({"a", "code", "pre", "kbd", "samp", "h1", "h2", "h3", "h4", "h5", "h6"})
VOID_TAGS = frozenset({"br", "hr", "img", "wbr", "col", "area"})


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


def _tags_linked(html: str) -> tuple[str, dict[str, Counter]]:
    linker = _HashtagLinker()
    linker.feed(html)
    linker.close()
    return "".join(linker.out), linker.spellings


def render(body: str, *, excerpt_words: int = 40) -> Rendered:
    """Render a post body: Markdown, sanitised, with tag links and video facades, plus its excerpt and tags."""
    clean = markdown_clean(body)
    html, spellings = _tags_linked(video_paragraphs(clean, video_facade_html))
    text = " ".join(strip_tags(video_paragraphs(clean, lambda video: "")).split())
    return Rendered(html=html, excerpt=Truncator(unescape(text)).words(excerpt_words), tags=spellings)


def excerpt_linked(text: str, *, slugs: Collection[str]) -> str:
    """A plain-text excerpt as HTML, its #hashtags linked as in the body of the post.

    Only the post's own tags are linked: a hashtag in a hand-written excerpt, or one from a heading
    or code in the body, names no tag page, and a link to it would lead nowhere.
    """

    def link(match: re.Match) -> str:
        spelling = match.group(1)[:TAG_MAX_LENGTH]
        if spelling.lower() not in slugs:
            return escape(match.group(0), quote=False)
        return f'<a class="hashtag" href="{escape(tag_url(spelling.lower()))}">#{escape(match.group(1))}</a>'

    pieces, position = [], 0
    for url in URL_RE.finditer(text):
        pieces.append(_replace_outside(text[position : url.start()], link))
        pieces.append(escape(url.group(0), quote=False))
        position = url.end()
    pieces.append(_replace_outside(text[position:], link))
    return "".join(pieces)


def _replace_outside(text: str, link) -> str:
    pieces, position = [], 0
    for match in HASHTAG_RE.finditer(text):
        pieces.append(escape(text[position : match.start()], quote=False))
        pieces.append(link(match))
        position = match.end()
    pieces.append(escape(text[position:], quote=False))
    return "".join(pieces)


def split_extra_tags(text: str) -> list[str]:
    """Tags typed by hand, separated by commas or spaces, with or without a leading #."""
    words = re.split(r"[,\s]+", text)
    return [word.lstrip("#")[:TAG_MAX_LENGTH] for word in words if re.fullmatch(r"#?\w+", word or "")]
