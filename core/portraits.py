"""The drawn-initials portrait: what stands in for a person's photo wherever a portrait is shown.

One look for both places it is made: ``core.demo.portrait_placeholder`` draws it as a PNG for the
demo therapists, and the ``{% portrait %}`` tag (``core/templatetags/portraits.py``) draws it in
HTML and CSS for anyone without a photo, so a row of portraits stays a row.
"""

PORTRAIT_HUE = (29, 92, 99)
# How much lighter the top of the gradient is than its foot. Enough to read as a gradient, little
# enough that white initials keep 4.5:1 against the middle of it.
GRADIENT_LIFT = 60


def initials(name: str) -> str:
    """The first letters of the first two words of the name, in capitals ("Maya Okafor" → "MO")."""
    return "".join(word[0] for word in name.split()[:2]).upper()


def gradient_stops(hue: tuple[int, int, int] = PORTRAIT_HUE) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The top and bottom colours of the portrait's vertical gradient."""
    return tuple(min(255, channel + GRADIENT_LIFT) for channel in hue), tuple(hue)
