"""Named places on one app's pages where an app above it may add a small part of the page.

Bookings' pages must not import the apps built on top of bookings (the waitlist, say), yet the
calendar wants a "join the waitlist" link and the manage page a "move me earlier" form. The page
names a slot (``{% panels "bookings.manage" %}``, core/templatetags/panels.py); an app registers a
function for that slot when it loads; the function gets the request and the page's context and
returns HTML (or "" to add nothing). A slot nobody fills renders nothing.
"""

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

Panel = Callable[[HttpRequest, dict], str]

_PANELS: dict[str, list[tuple[str, Panel]]] = {}


def panel_register(slot: str) -> Callable[[Panel], Panel]:
    """Add the decorated function to ``slot``; registering one function twice (a re-import) keeps one."""

    def register(panel: Panel) -> Panel:
        name = f"{panel.__module__}.{panel.__qualname__}"
        entries = _PANELS.setdefault(slot, [])
        entries[:] = [(known, fn) for known, fn in entries if known != name]
        entries.append((name, panel))
        return panel

    return register


def panels_render(slot: str, *, request: HttpRequest, context: dict) -> SafeString:
    """Every registered panel of ``slot``, in registration order; the panels return escaped HTML."""
    return mark_safe("".join(panel(request, context) for _, panel in _PANELS.get(slot, [])))  # noqa: S308
