"""Accessibility check for e2e tests: axe-core (axe-playwright-python) on the page as it is now."""
from axe_playwright_python.sync_playwright import Axe

BLOCKING = ("serious", "critical")
_axe = Axe()


def violations(page):
    """axe-core's serious and critical violations on the current page (WCAG 2.x A/AA and best practice)."""
    # page.evaluate runs through the DevTools protocol, which the page's CSP (script-src 'self',
    # no eval) does not govern, so axe is injected without loosening the CSP of the app.
    results = _axe.run(page)
    return [v for v in results.response["violations"] if v["impact"] in BLOCKING]


def describe(found, url=""):
    """One readable line per violation: impact, rule id, help and the offending nodes."""
    lines = [f"{len(found)} serious/critical accessibility violation(s) on {url}:"]
    for v in found:
        targets = ", ".join(" ".join(n["target"]) if isinstance(n["target"], list) else str(n["target"])
                            for n in v["nodes"][:8])
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']}) at {targets}")
        for node in v["nodes"][:3]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {node['html'][:160]} :: {summary[:240]}")
    return "\n".join(lines)


DUPLICATE_IDS = """() => {
  const seen = {};
  for (const el of document.querySelectorAll('[id]')) seen[el.id] = (seen[el.id] || 0) + 1;
  return Object.keys(seen).filter((id) => seen[id] > 1);
}"""


def duplicate_ids(page):
    """Element ids used more than once (axe 4.7+ retired its duplicate-id rules; htmx swaps can create them)."""
    return page.evaluate(DUPLICATE_IDS)


def check_a11y(page):
    """Fail, listing every violation, when the page has a serious or critical axe-core finding or a duplicate id."""
    page.wait_for_load_state("load")
    found = violations(page)
    assert not found, describe(found, page.url)
    dupes = duplicate_ids(page)
    assert not dupes, f"duplicate ids on {page.url}: {dupes}"
