"""Non-text contrast (WCAG 2.2, 1.4.11), which axe-core does not test: the edges that show where a
form control or an open calendar day is must stand out 3:1 from what surrounds them.

A control is seen by its border, or by its own fill where it has one that differs from the
background around it; whichever contrasts more is what a person sees, and it must reach 3:1.
Disabled controls and what is hidden from everyone (the newsletter's honeypot) are exempt, as
WCAG exempts them.
"""

MINIMUM = 3.0

_FAILURES = """minimum => {
  const parse = text => {
    const m = text.match(/rgba?\\(([^)]+)\\)/);
    if (!m) { return null; }
    const parts = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return {r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1};
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  });
  const luminance = c => {
    const channel = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  };
  const ratio = (a, b) => {
    const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
  };
  const backgroundBehind = element => {
    const layers = [];
    for (let node = element.parentElement; node; node = node.parentElement) {
      const colour = parse(getComputedStyle(node).backgroundColor);
      if (colour && colour.a > 0) {
        layers.push(colour);
        if (colour.a === 1) { break; }
      }
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), {r: 255, g: 255, b: 255, a: 1});
  };
  const hex = c => "#" + [c.r, c.g, c.b].map(v => Math.round(v).toString(16).padStart(2, "0")).join("");
  const controls = document.querySelectorAll(
    "input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea, a.booking-day-link"
  );
  const failures = [];
  for (const element of controls) {
    const box = element.getBoundingClientRect();
    if (element.disabled || box.width <= 1 || box.height <= 1 || element.closest("[aria-hidden=true]")) { continue; }
    const style = getComputedStyle(element);
    // A visually hidden input (Bootstrap's .btn-check) is seen through its label, which axe audits.
    if (style.visibility !== "visible" || style.clip !== "auto") { continue; }
    const behind = backgroundBehind(element);
    const fill = over(parse(style.backgroundColor) || {r: 0, g: 0, b: 0, a: 0}, behind);
    let best = ratio(fill, behind), seen = "fill " + hex(fill);
    for (const side of ["Top", "Right", "Bottom", "Left"]) {
      if (parseFloat(style[`border${side}Width`]) >= 1 && style[`border${side}Style`] !== "none") {
        const edge = over(parse(style[`border${side}Color`]), behind);
        if (ratio(edge, behind) > best) { best = ratio(edge, behind); seen = "border " + hex(edge); }
      }
    }
    if (best < minimum) {
      const name = element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
        + (element.type ? `[type=${element.type}]` : "") + (element.dataset.date ? `[${element.dataset.date}]` : "");
      failures.push(`${name}: ${seen} on ${hex(behind)} is ${best.toFixed(2)}:1`);
    }
  }
  return failures;
}"""


def non_text_contrast_failures(page) -> list[str]:
    """Each form control or open calendar day on the page whose edges contrast less than 3:1, one line each."""
    return page.evaluate(_FAILURES, MINIMUM)
