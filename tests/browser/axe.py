"""Run axe-core (shipped inside axe-playwright-python, no download) on the page as it is now."""

from axe_playwright_python.sync_playwright import Axe

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
_axe = Axe()


def axe_violations(page) -> list[str]:
    """Every WCAG 2.2 A/AA (and axe best-practice) violation, one readable line per failing element."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]})
    lines = []
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            lines.append(f"{violation['id']} ({violation['impact']}): {node['target']} — {violation['help']}")
    return lines


FOCUS_MARK = "data-focus-audit"


def axe_focused_contrast_violations(page) -> list[str]:
    """Colour-contrast violations of the element that has focus now, audited in its focused state.

    Focus starts colour transitions (Bootstrap's buttons fade to their hover colours); the audit waits
    for them to finish, or it would measure the colours halfway.
    """
    page.evaluate(
        "() => Promise.all(document.activeElement.getAnimations({subtree: true}).map(animation => animation.finished))"
    )
    page.evaluate(f"document.activeElement.setAttribute('{FOCUS_MARK}', '')")
    try:
        results = _axe.run(
            page,
            context={"include": [[f"[{FOCUS_MARK}]"]]},
            options={"runOnly": {"type": "rule", "values": ["color-contrast"]}, "resultTypes": ["violations"]},
        )
    finally:
        page.evaluate(f"document.querySelectorAll('[{FOCUS_MARK}]').forEach(el => el.removeAttribute('{FOCUS_MARK}'))")
    return [
        f"{violation['id']}: {node['target']} — {node['failureSummary']}"
        for violation in results.response["violations"]
        for node in violation["nodes"]
    ]
