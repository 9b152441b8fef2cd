"""Markdown → safe HTML for issue bodies.

The blog has its own renderer (blog/markup.py); this one is deliberately small and strict so the
newsletter does not depend on it. Links to our own pages (starting with "/") become absolute,
because an email has no origin to resolve them against.
"""

import markdown
import nh3
from django.conf import settings

ALLOWED_TAGS = {
    "a",
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "b",
    "i",
    "blockquote",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def _absolute_links(tag: str, attribute: str, value: str) -> str:
    if tag == "a" and attribute == "href" and value.startswith("/") and not value.startswith("//"):
        return settings.SITE_URL + value
    return value


def markdown_to_safe_html(text: str) -> str:
    html = markdown.markdown(text, extensions=["sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        attribute_filter=_absolute_links,
        link_rel="noopener noreferrer",
    )
