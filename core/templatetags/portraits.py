from functools import lru_cache

from django import template
from django.db.models.fields.files import FieldFile
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from core.portraits import gradient_stops, initials

register = template.Library()


def _css(colour: tuple[int, ...]) -> str:
    return "#" + "".join(f"{channel:02x}" for channel in colour)


@register.simple_tag
def portrait(name: str, photo: FieldFile | str | None, size: int, *, alt: str = "", css_class: str = "") -> SafeString:
    """A round portrait: the photo, or the person's initials drawn on the portrait gradient.

    ``photo`` is an image field or a URL; empty, the initials stand in at the same size, so rows of
    portraits line up whether or not everyone has a photo. The initials are decoration (the name is
    always written next to a portrait), so they are hidden from screen readers.
    """
    url = (photo.url if photo else "") if isinstance(photo, FieldFile) else (photo or "")
    return _portrait_html(str(name), str(url), int(size), str(alt), str(css_class))


@lru_cache(maxsize=1024)
def _portrait_html(name: str, url: str, size: int, alt: str, css_class: str) -> SafeString:
    """The portrait's HTML, which depends on nothing but these: drawn once per person and size (a row of
    twenty portraits through the template each time cost about a millisecond)."""
    top, bottom = gradient_stops()
    return render_to_string(
        "core/_portrait.html",
        {
            "url": url,
            "size": size,
            "alt": alt,
            "css_class": css_class,
            "initials": initials(name),
            "font_size": max(12, size // 3),
            "gradient": f"linear-gradient({_css(top)}, {_css(bottom)})",
        },
    )
