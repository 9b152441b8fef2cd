"""Helpers for every app's demo content: permissions for the demo staff groups, and images drawn here."""

import io

from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont

from .portraits import PORTRAIT_HUE, gradient_stops, initials


def portrait_placeholder(name: str, *, size: int = 480, hue: tuple[int, int, int] = PORTRAIT_HUE) -> ContentFile:
    """A square PNG with the person's initials on a soft gradient (the look of ``core.portraits``)."""
    image = Image.new("RGB", (size, size), hue)
    draw = ImageDraw.Draw(image)
    light, dark = gradient_stops(hue)
    for y in range(size):
        mix = y / size
        row = tuple(int(a * (1 - mix) + b * mix) for a, b in zip(light, dark, strict=False))
        draw.line([(0, y), (size, y)], fill=row)
    font = ImageFont.load_default(size=size // 3)
    draw.text((size / 2, size / 2), initials(name), fill=(255, 255, 255), font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return ContentFile(buffer.getvalue())


def landscape(seed: int, *, width: int = 1600, height: int = 900) -> ContentFile:
    """A calm abstract JPEG (soft bands of colour) to stand in for a photo."""
    palettes = [
        [(233, 222, 207), (190, 160, 130), (98, 120, 110)],
        [(214, 229, 227), (120, 170, 170), (29, 92, 99)],
        [(240, 226, 214), (205, 150, 120), (120, 80, 70)],
        [(226, 232, 214), (160, 185, 140), (70, 100, 80)],
    ]
    top, middle, bottom = palettes[seed % len(palettes)]
    image = Image.new("RGB", (width, height), top)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / height
        if t < 0.5:
            a, b, k = top, middle, t * 2
        else:
            a, b, k = middle, bottom, (t - 0.5) * 2
        draw.line([(0, y), (width, y)], fill=tuple(int(x * (1 - k) + z * k) for x, z in zip(a, b, strict=False)))
    radius = height // 5
    cx = width // 3 + (seed * 137) % (width // 3)
    draw.ellipse([cx - radius, height // 4 - radius, cx + radius, height // 4 + radius], fill=(250, 244, 235))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=82, optimize=True)
    return ContentFile(buffer.getvalue())


def grant(group: Group, permissions_by_app: dict[str, list[str]]) -> None:
    """Add the named permissions to a group; used by each app's demo module."""
    for app_label, codenames in permissions_by_app.items():
        permissions = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        group.permissions.add(*permissions)
