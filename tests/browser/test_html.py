"""Every generated page is valid HTML (the Nu HTML Checker) and has the page structure of the design:
one h1, landmarks, a skip link, the header search box, the footer's accessibility statement,
and nothing a strict Content-Security-Policy would block or that would leave the site.
"""
from __future__ import annotations

import json
import subprocess

import pytest
from bs4 import BeautifulSoup

from .browser_helpers import VNU_JAR, html_files, java, require, url_of


def test_nu_html_checker_finds_no_errors(sample_site, browser_site, fixture_site):
    """One run of vnu over every page of the three built sites (it is slow to start)."""
    jar = require(VNU_JAR, "run `npm ci` at the repository root (scripts/test.sh does)")
    files = [file for site in (sample_site, browser_site, fixture_site) for file in html_files(site)]
    result = subprocess.run([java(), "-jar", str(jar), "--format", "json", "--errors-only", "--stdout",
                             "--exit-zero-always", *map(str, files)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    messages = json.loads(result.stdout)["messages"]
    errors = [m for m in messages if m.get("type") in ("error", "non-document-error")]
    print(f"\nNu HTML Checker: {len(files)} pages, {len(errors)} errors")
    report = "\n".join(f"{m.get('url', '').removeprefix('file:')}:{m.get('lastLine', '?')}: {m['message']}"
                       f"\n    {m.get('extract', '').strip()}" for m in errors)
    assert not errors, f"{len(errors)} errors in {len(files)} pages:\n{report}"


@pytest.mark.parametrize("site", ["sample", "browser"])
def test_every_page_has_the_structure_of_the_design(site, request):
    root = request.getfixturevalue(f"{site}_site")
    problems = []
    for file in html_files(root):
        url = url_of(root, file)
        soup = BeautifulSoup(file.read_text(encoding="utf-8"), "html5lib")
        problems += [f"{url}: {problem}" for problem in structure_problems(soup)]
        if url != "/search/" and soup.find("script", src=True):
            problems.append(f"{url}: a script outside the search page (the site needs none elsewhere)")
    assert not problems, "\n".join(problems)


def header_problems(soup) -> list[str]:
    header = soup.body.find("header", recursive=False)
    if header is None:
        return ["no site header (banner)"]
    problems = []
    # every page has a search box going to /search/?q=: the header's, or on the search page its own
    own = soup.find("form", id="search-form")
    form = own if own is not None and not header.find("form") else header.find("form", attrs={"role": "search"})
    if not form or form.get("action") != "/search/" or not form.find("input", attrs={"name": "q"}):
        problems.append("the header has no search box going to /search/?q=")
    if not header.find("nav", attrs={"aria-label": True}):
        problems.append("the header has no labelled navigation")
    return problems


def structure_problems(soup) -> list[str]:
    problems = []
    if not soup.html.get("lang"):
        problems.append("<html> has no lang")
    if len(soup.find_all("h1")) != 1:
        problems.append(f"{len(soup.find_all('h1'))} h1 elements, not 1")
    mains = soup.find_all("main")
    if len(mains) != 1 or mains[0].get("id") != "main":
        problems.append("not exactly one <main id=main>")
    first = soup.body.find(["a", "button", "input", "select", "textarea"])
    if first is None or first.get("href") != "#main" or "skip-link" not in first.get("class", []):
        problems.append("the first focusable element is not the skip link to #main")
    problems += header_problems(soup)
    footer = soup.body.find("footer", recursive=False)
    if footer is None or not footer.find("a", href="/accessibility/"):
        problems.append("the footer does not link to the accessibility statement")
    for element in soup.find_all(True):
        if element.has_attr("style"):
            problems.append(f"<{element.name} style=…>: the CSP blocks style attributes")
        handlers = [name for name in element.attrs if name.lower().startswith("on")]
        if handlers:
            problems.append(f"<{element.name} {handlers[0]}=…>: the CSP blocks inline event handlers")
    if soup.find("style"):
        problems.append("a <style> element: the CSP allows only the stylesheet file")
    for script in soup.find_all("script"):
        if not script.get("src") and script.get("type") != "application/ld+json":
            problems.append("an inline <script>: the CSP blocks it")
        elif script.get("src") and not script["src"].startswith("/"):
            problems.append(f"a script from elsewhere: {script['src']}")
    for element in soup.find_all(["link", "img", "iframe", "video", "audio", "source", "embed", "object"]):
        for attribute in ("src", "href", "data"):
            value = element.get(attribute, "")
            loads = element.name != "link" or {"stylesheet", "icon", "preload", "modulepreload"} & set(
                element.get("rel", []))
            if loads and value and not (value.startswith("/") or value.startswith("data:")):
                problems.append(f"<{element.name} {attribute}={value}>: a request to another site")
    return problems
