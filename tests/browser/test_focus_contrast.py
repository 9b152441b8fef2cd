"""Text contrast in the focused state: every keyboard stop on the main pages, checked by axe-core while it has focus.

The page-wide audit sees each element unfocused; focus styles (Bootstrap's button colours, our
outline) only apply while an element has keyboard focus, so each Tab stop is audited on its own.
"""

import pytest

from tests.browser.axe import axe_focused_contrast_violations
from tests.browser.public_pages import public_scene, public_states

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = ("home", "blog post with series and video", "book: times", "book: details with errors", "newsletter: confirm")
MAX_TAB_STOPS = 120
FOCUSED = "() => [document.activeElement.outerHTML.slice(0, 200), document.activeElement === document.body]"


def test_text_keeps_aa_contrast_on_every_keyboard_stop_while_focused(live_server, page):
    states = dict(public_states(public_scene()))
    found, stops = {}, 0
    for name in PAGES:
        states[name](page, live_server.url)
        page.evaluate("document.activeElement && document.activeElement.blur()")
        seen = set()
        for _ in range(MAX_TAB_STOPS):
            page.keyboard.press("Tab")
            identity, on_body = page.evaluate(FOCUSED)
            if identity in seen or on_body:
                break
            seen.add(identity)
            stops += 1
            if violations := axe_focused_contrast_violations(page):
                found[f"{name}: {identity[:80]}"] = violations
    print(f"{stops} keyboard stops audited in their focused state")
    assert stops > 40, "the walk should have met the pages' links, buttons and fields"
    assert found == {}, "\n".join(f"{key}: {value}" for key, value in found.items())
