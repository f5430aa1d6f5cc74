"""What the browser tests share: the page kinds, axe-core, the Pagefind UI, the site's files."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from site_gen.serve import site_headers as published_headers

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# The machine running the tests may have no internet: keep chromium from trying. CI runs in a
# container, as root (no sandbox) and with a small /dev/shm (--disable-dev-shm-usage).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]

# Records CSP violations as the page sees them (the init script runs in every
# document, before the page's own scripts; the binding survives navigations).
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__reportCspViolation([event.violatedDirective, event.blockedURI || "inline", event.sourceFile || "",
                               event.lineNumber || 0, (event.sample || "").slice(0, 80)].join(" | "));
});
"""


def require(path: Path, hint: str) -> Path:
    if not path.exists():
        pytest.fail(f"{path} is missing: {hint}", pytrace=False)
    return path


def site_headers() -> dict[str, str]:
    """The headers netlify.toml sends for every page, read as `build.py serve` reads them;
    the tests run under exactly the published Content-Security-Policy, so it must be there."""
    headers = published_headers()
    if not any(name.lower() == "content-security-policy" for name in headers):
        pytest.fail('netlify.toml sets no Content-Security-Policy for "/*"', pytrace=False)
    return headers


def csp_policy() -> str:
    return next(value for name, value in site_headers().items() if name.lower() == "content-security-policy")


def java() -> str:
    found = shutil.which("java")
    if not found:
        pytest.fail("java is missing: install a Java runtime (scripts/test.sh does: apt-get install "
                    "default-jre-headless)", pytrace=False)
    return found


# One URL of each page kind; "sample" is content/ (the real archive), "browser" is
# tests/fixtures/browser_site (two committees, unconfirmed minutes, a second page of decisions).
PAGE_KINDS = {
    "home": ("sample", "/"),
    "meeting": ("sample", "/meetings/2020/2020-12-09-children-families-scrutiny/"),
    "meeting, unconfirmed minutes": ("browser", "/meetings/2024/2024-01-16-cabinet/"),
    "meeting, with a document": ("browser", "/meetings/2023/2023-03-28-planning-committee/"),
    "meeting, with a wide table": ("browser", "/meetings/2023/2023-11-07-cabinet/"),
    "year": ("sample", "/meetings/2020/"),
    "year, several months": ("browser", "/meetings/2023/"),
    "meetings by year": ("sample", "/meetings/"),
    "committee": ("sample", "/committees/children-families-scrutiny/"),
    "committee, several years": ("browser", "/committees/cabinet/"),
    "committees": ("browser", "/committees/"),
    "indicator": ("sample", "/indicators/cfse-29/"),
    "indicator, not yet defined": ("sample", "/indicators/cfse-62/"),
    "indicators index": ("sample", "/indicators/"),
    "portfolio": ("sample", "/portfolios/children-families-education/"),
    "portfolios": ("sample", "/portfolios/"),
    "issue": ("sample", "/issues/portfolio-performance-and-resources/"),
    "issues": ("browser", "/issues/"),
    "decisions": ("sample", "/decisions/"),
    "decisions, page 2": ("browser", "/decisions/page/2/"),
    "search": ("sample", "/search/"),
    "404": ("sample", "/no-such-page/"),  # NOT_FOUND_URL
    "accessibility statement": ("sample", "/accessibility/"),
    "open data": ("sample", "/data/"),
    "changes to the record": ("browser", "/changes/"),
}
NOT_FOUND_URL = "/no-such-page/"  # the "404" kind: the host serves /404.html for it


def kind_of(url: str) -> tuple[str, int]:
    """Pages of one kind share their first path segment and their depth (/meetings/2020/x/)."""
    parts = [part for part in url.split("/") if part]
    return (parts[0] if parts else "", len(parts))

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def run_axe(page, axe_url: str) -> list[dict]:
    """axe-core's violations for the page as it is now (axe loaded from axe_url)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(url=axe_url)
    return page.evaluate(
        """async (tags) => {
             const results = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                                      resultTypes: ["violations"]});
             return results.violations.map(v => ({
               id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
               nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary}))}));
           }""",
        AXE_TAGS,
    )


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"][:10]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    {node['target']}: {summary[:300]}")
    return "\n".join(lines)


# -- the search page (search.html, assets/search.js), as a resident uses it --

RESULTS = ".search-result"
STATUS = "#search-status"


def search(page, query: str) -> None:
    """Type a query into the search page's box, send it, and wait for its results."""
    box = page.locator("#search-q")
    box.wait_for(state="visible")
    box.fill(query)
    box.press("Enter")
    wait_for_results(page, query)


def wait_for_results(page, query: str, timeout: float = 15_000) -> None:
    """Until the status line reports the search for `query` (results, or none) and nothing is loading."""
    page.wait_for_function(
        """(query) => {
             const status = document.querySelector("#search-status");
             const list = document.querySelector("#search-results");
             return status && status.textContent.includes("\u2018" + query + "\u2019")
                    && !list.hasAttribute("aria-busy");
           }""",
        arg=query, timeout=timeout)


def wait_for_status(page, pattern: str, timeout: float = 15_000) -> None:
    """Until the status line matches the regular expression `pattern` and nothing is loading."""
    page.wait_for_function(
        """(pattern) => {
             const status = document.querySelector("#search-status");
             return status && new RegExp(pattern).test(status.textContent)
                    && !document.querySelector("#search-results").hasAttribute("aria-busy");
           }""",
        arg=pattern, timeout=timeout)


def result_count(page) -> int:
    text = page.locator(STATUS).inner_text()
    if text.startswith("No results"):
        return 0
    match = re.match(r"\s*(\d+) results? ", text)
    assert match, f"unexpected status line: {text!r}"
    return int(match.group(1))


def result_links(page) -> list[tuple[str, str]]:
    """(title, href) of each result shown, in order."""
    return page.eval_on_selector_all(
        ".search-result > .search-result__title a",
        "links => links.map(a => [a.textContent.trim(), a.getAttribute('href')])")


def sub_result_links(page) -> list[tuple[str, str]]:
    """(text, href) of each agenda item shown under a result."""
    return page.eval_on_selector_all(
        ".search-result__items a",
        "links => links.map(a => [a.textContent.trim(), a.getAttribute('href')])")


def all_results(page) -> list[tuple[str, str]]:
    """Every result, pressing "Show more results" until all are shown."""
    more = page.locator("#search-more")
    while more.is_visible():
        shown = page.locator(RESULTS).count()
        more.click()
        # a function, not a string: the site's CSP forbids the eval a string expression needs
        page.wait_for_function("(shown) => document.querySelectorAll('.search-result').length > shown", arg=shown)
    return result_links(page)


# -- the built site's files --

def html_files(site: Path) -> list[Path]:
    """Every page the build wrote for readers (Pagefind's own folder holds none; the clerks'
    editing screen in admin/ is Decap CMS's page, checked by test_admin.py)."""
    return sorted(p for p in site.rglob("*.html")
                  if "pagefind" not in p.relative_to(site).parts and p.relative_to(site).parts[0] != "admin")


def url_of(site: Path, file: Path) -> str:
    relative = file.relative_to(site).as_posix()
    if relative == "index.html":
        return "/"
    if relative.endswith("/index.html"):
        return "/" + relative[: -len("index.html")]
    return "/" + relative
