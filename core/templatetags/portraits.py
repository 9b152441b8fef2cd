from django import template
from django.db.models.fields.files import FieldFile

from core.portraits import gradient_stops, initials

register = template.Library()


def _css(colour: tuple[int, ...]) -> str:
    return "#" + "".join(f"{channel:02x}" for channel in colour)


@register.inclusion_tag("core/_portrait.html")
def portrait(name: str, photo: FieldFile | str | None, size: int, *, alt: str = "", css_class: str = "") -> dict:
    """A round portrait: the photo, or the person's initials drawn on the portrait gradient.

    ``photo`` is an image field or a URL; empty, the initials stand in at the same size, so rows of
    portraits line up whether or not everyone has a photo. The initials are decoration (the name is
    always written next to a portrait), so they are hidden from screen readers.
    """
    url = (photo.url if photo else "") if isinstance(photo, FieldFile) else (photo or "")
    top, bottom = gradient_stops()
    return {
        "url": url,
        "size": size,
        "alt": alt,
        "css_class": css_class,
        "initials": initials(name),
        "font_size": max(12, size // 3),
        "gradient": f"linear-gradient({_css(top)}, {_css(bottom)})",
    }
