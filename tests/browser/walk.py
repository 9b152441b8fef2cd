"""One walk through every public page and state, recording what the page-wide audits check.

The accessibility, privacy, cookie and page-weight audits each need every state of
``public_states`` in a fresh scene, and each reads something different from the same visit.
Walking once per viewport and asserting in separate tests keeps one behaviour per test without
visiting each of the 33 states four times.
"""

import gzip
from dataclasses import dataclass

from tests.browser.axe import axe_violations
from tests.browser.contrast import non_text_contrast_failures
from tests.browser.public_pages import public_scene, public_states


@dataclass
class StateSeen:
    """What one state showed: ``first_load`` is (bytes as served, gzip-compressed bytes, response
    count) for a state reached by loading its address, None for one reached through a form."""

    name: str
    violations: list[str]
    low_contrast_edges: list[str]
    foreign_requests: list[str]
    cookies_set: list[str]
    first_load: tuple[int, int, int] | None


def walk_public_states(context, base_url: str) -> list[StateSeen]:
    """Visit every public state once in ``context``, a fresh browser context, and say what each showed.

    The HTTP cache is off for the walk, so every page load transfers what a first visit does.
    Each state ends when the network has been idle for half a second, so a late request still
    counts against the state that made it; axe-core runs meanwhile (it reads the page, and
    neither scrolls nor fetches, so it changes nothing the page loads).
    """
    page = context.new_page()
    page.set_default_timeout(10_000)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})

    state = {"foreign": [], "responses": []}
    page.on("request", lambda r: None if r.url.startswith(base_url + "/") else state["foreign"].append(r.url))
    page.on("response", lambda r: state["responses"].append(r))

    seen, cookies_before = [], set()
    for name, visit in public_states(public_scene()):
        state["foreign"], state["responses"] = [], []
        visit(page, base_url)
        violations = axe_violations(page)
        low_contrast_edges = non_text_contrast_failures(page)
        page.wait_for_load_state("networkidle")
        first_load = _weigh(state["responses"]) if getattr(visit, "path", None) else None
        cookies = {cookie["name"] for cookie in context.cookies()}
        seen.append(
            StateSeen(
                name=name,
                violations=violations,
                low_contrast_edges=low_contrast_edges,
                foreign_requests=state["foreign"],
                cookies_set=sorted(cookies - cookies_before),
                first_load=first_load,
            )
        )
        cookies_before |= cookies
    return seen


def _weigh(responses) -> tuple[int, int, int]:
    """Every response body's size, and gzipped as the production server would send it (the test server does not)."""
    bodies = [response.body() for response in responses if not 300 <= response.status < 400]
    return sum(map(len, bodies)), sum(len(gzip.compress(body, compresslevel=6)) for body in bodies), len(bodies)
