"""Every internal link, asset and fragment (#item-N) of the built sites resolves to a file and an id.

Pages are parsed with BeautifulSoup, feeds and sitemaps with ElementTree. A link is
internal when it is relative, root-relative, or absolute on the site's base_url
(canonical links, feeds); other sites are not fetched (the tests run offline).
"""
from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

from .browser_helpers import html_files, url_of

ORIGIN = "http://site.test"
LINK_ATTRIBUTES = ("href", "src", "action", "poster", "data", "cite", "formaction")
# The 404 page is served at any address: its links must work from deep inside the site.
NOT_FOUND_ADDRESS = "/no/such/page/"


@dataclass
class LinkReport:
    checked: int = 0
    fragments: int = 0
    external: int = 0
    problems: list[str] = field(default_factory=list)


def base_url_of(content: Path) -> str:
    return yaml.safe_load((content / "site.yml").read_text(encoding="utf-8"))["base_url"].rstrip("/")


class Site:
    def __init__(self, root: Path, base_url: str):
        self.root, self.base_url = root, base_url
        self.ids: dict[Path, set[str]] = {}

    def ids_of(self, file: Path) -> set[str]:
        if file not in self.ids:
            soup = BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")
            self.ids[file] = {element["id"] for element in soup.find_all(id=True)}
        return self.ids[file]

    def check(self, source: str, page_url: str, link: str, report: LinkReport, page_file: Path | None = None) -> None:
        link = link.strip()
        if link.startswith("#") and page_file is not None:  # on the same page, wherever it is served
            report.checked += 1
            report.fragments += 1
            if unquote(link[1:]) not in self.ids_of(page_file):
                report.problems.append(f"{source}: {link} -> no such id on the page")
            return
        scheme = urlsplit(link).scheme.lower()
        if scheme == "javascript":
            report.problems.append(f"{source}: a javascript: link ({link})")
            return
        if scheme in ("mailto", "tel", "data"):
            return
        absolute = urljoin(ORIGIN + page_url, link)
        if absolute.startswith(self.base_url + "/") or absolute == self.base_url:
            absolute = ORIGIN + absolute[len(self.base_url):]
        parts = urlsplit(absolute)
        if f"{parts.scheme}://{parts.netloc}" != ORIGIN:
            report.external += 1
            return
        report.checked += 1
        path = unquote(parts.path) or "/"
        file = self.root / path.lstrip("/")
        if path.endswith("/"):
            file = file / "index.html"
        elif file.is_dir():
            report.problems.append(f"{source}: {link} is a folder: write {path}/")
            return
        if not file.is_file():
            report.problems.append(f"{source}: {link} -> {file.relative_to(self.root)} does not exist")
            return
        if parts.fragment:
            report.fragments += 1
            if file.suffix == ".html" and unquote(parts.fragment) not in self.ids_of(file):
                report.problems.append(f"{source}: {link} -> no id {parts.fragment!r} in {path}")


def check_site(root: Path, base_url: str) -> LinkReport:
    site, report = Site(root, base_url), LinkReport()
    for file in html_files(root):
        url = url_of(root, file)
        page_url = NOT_FOUND_ADDRESS if url == "/404.html" else url
        soup = BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")
        for element in soup.find_all(True):
            for attribute in LINK_ATTRIBUTES:
                if element.has_attr(attribute):
                    site.check(f"{url} <{element.name} {attribute}>", page_url, element[attribute], report, file)
            if element.has_attr("srcset"):
                for candidate in element["srcset"].split(","):
                    site.check(f"{url} <{element.name} srcset>", page_url, candidate.split()[0], report, file)
    for file in sorted(root.rglob("*.xml")):
        url = url_of(root, file)
        for element in ElementTree.parse(file).iter():
            if "href" in element.attrib:
                site.check(f"{url} <{element.tag} href>", url, element.attrib["href"], report)
            if element.tag.rsplit("}", 1)[-1] == "loc" and element.text:
                site.check(f"{url} <loc>", url, element.text, report)
    return report


@pytest.mark.parametrize("site", ["sample", "browser"])
def test_every_internal_link_resolves(site, request):
    from .browser_helpers import ROOT
    content = ROOT / "content" if site == "sample" else ROOT / "tests" / "fixtures" / "browser_site" / "content"
    root = request.getfixturevalue(f"{site}_site")
    report = check_site(root, base_url_of(content))
    print(f"\n{site}: {report.checked} internal links checked, {report.fragments} with a fragment, "
          f"{report.external} external links not followed")
    assert report.checked > 100
    assert not report.problems, f"{len(report.problems)} broken links:\n" + "\n".join(report.problems)


def test_every_item_anchor_of_the_meeting_exists(sample_site):
    """The item anchors the search results and the decisions register point at."""
    soup = BeautifulSoup((sample_site / "meetings/2020/2020-12-09-children-families-scrutiny/index.html")
                         .read_text(encoding="utf-8"), "html.parser")
    assert soup.find(id="item-5") is not None
    contents = soup.find("nav", class_="contents")
    assert contents is not None, "the meeting page has no 'On this page' list"
    assert "#item-5" in [a["href"] for a in contents.find_all("a")]


def test_the_checker_finds_broken_links(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<p id="here">x</p>', encoding="utf-8")
    (tmp_path / "index.html").write_text(
        '<a href="/a/#here">ok</a> <a href="/a/#gone">bad id</a> <a href="/b/">missing</a> <a href="/a">folder</a>'
        ' <a href="https://example.org/a/">base_url</a> <a href="https://other.example/">away</a>'
        ' <a href="javascript:alert(1)">js</a> <img src="x.png" alt=""> <a href="#top">no id</a>', encoding="utf-8")
    report = check_site(tmp_path, "https://example.org")
    assert report.external == 1
    assert len(report.problems) == 6, report.problems
