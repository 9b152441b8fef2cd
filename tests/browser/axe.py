"""Run axe-core (shipped inside axe-playwright-python, no download) on the page as it is now.

axe-core is loaded into a document once and reused by every audit of that document: the
script is 570 KB, and sending it again before each of a page's dozens of focus audits took
longer than the audits themselves.
"""

from axe_playwright_python.base import AXE_SCRIPT

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

_RUN_ON_FOCUSED_ELEMENT = """async options => {
  const element = document.activeElement;
  await Promise.all(element.getAnimations({subtree: true}).map(animation => animation.finished));
  return (await axe.run(element, options)).violations;
}"""


def _load_axe(page) -> None:
    """Put axe-core into the page's current document unless it is there already."""
    if not page.evaluate("() => typeof window.axe === 'object' && typeof window.axe.run === 'function'"):
        page.evaluate(AXE_SCRIPT)


def axe_violations(page) -> list[str]:
    """Every WCAG 2.2 A/AA (and axe best-practice) violation, one readable line per failing element."""
    # Right after a click that navigates, the new page may still lack its stylesheet: axe would measure
    # unstyled links (too small to tap) that no visitor ever sees.
    page.wait_for_load_state("load")
    _load_axe(page)
    violations = page.evaluate(
        "options => axe.run(options).then(results => results.violations)",
        {"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]},
    )
    return [
        f"{violation['id']} ({violation['impact']}): {node['target']} — {violation['help']}"
        for violation in violations
        for node in violation["nodes"]
    ]


def axe_focused_contrast_violations(page) -> list[str]:
    """Colour-contrast violations of the element that has focus now, audited in its focused state.

    Focus starts colour transitions (Bootstrap's buttons fade to their hover colours); the audit waits
    for them to finish, or it would measure the colours halfway. Waiting and auditing happen in one
    call, so nothing can move the focus in between.
    """
    _load_axe(page)
    violations = page.evaluate(
        _RUN_ON_FOCUSED_ELEMENT,
        {"runOnly": {"type": "rule", "values": ["color-contrast"]}, "resultTypes": ["violations"]},
    )
    return [
        f"{violation['id']}: {node['target']} — {node['failureSummary']}"
        for violation in violations
        for node in violation["nodes"]
    ]
