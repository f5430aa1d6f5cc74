"""Shared by the open data and subscription tests (test_calendar.py, test_opendata.py, test_sitemap.py).

The fixture archive tests/fixtures/opendata_site has timed meetings either side of the
UK clock changes of 2021 (28 March and 31 October) and on those days, one meeting
without a time, one with only an agenda, a draft, a committee without meetings, and
text that tries to end a <script> element.
"""
from __future__ import annotations

import datetime
from pathlib import Path

from conftest import ROOT

CONTENT = ROOT / "tests" / "fixtures" / "opendata_site" / "content"
BASE = "https://minutes.fixture.example.gov.uk"
HOST = "minutes.fixture.example.gov.uk"
UTC = datetime.timezone.utc

# meeting slug -> its start in UTC, worked out by hand (None: no time recorded)
EXPECTED_UTC = {
    "2021-03-24-planning": datetime.datetime(2021, 3, 24, 18, 0, tzinfo=UTC),   # GMT, before the change
    "2021-03-28-licensing": datetime.datetime(2021, 3, 28, 9, 0, tzinfo=UTC),   # 10:00 BST on the day of the change
    "2021-03-31-planning": datetime.datetime(2021, 3, 31, 17, 0, tzinfo=UTC),   # BST, after it
    "2021-06-16-planning": None,                                                 # all day
    "2021-10-27-planning": datetime.datetime(2021, 10, 27, 17, 30, tzinfo=UTC),  # BST, before the autumn change
    "2021-10-31-licensing": datetime.datetime(2021, 10, 31, 0, 30, tzinfo=UTC),  # 01:30 happens twice: the first (BST)
    "2021-11-03-planning": datetime.datetime(2021, 11, 3, 18, 30, tzinfo=UTC),   # GMT, after it
    "2022-01-12-planning": datetime.datetime(2022, 1, 12, 14, 0, tzinfo=UTC),
}
PUBLISHED = sorted(EXPECTED_UTC)
DRAFT = "2021-12-01-planning"
COMMITTEES = {"planning": 6, "licensing": 2, "standards": 0}  # published meetings of each


def html_pages(site: Path) -> list[str]:
    """Every page of a built site for readers, as a site-relative posix path (not the clerks'
    editing screen in admin/, which is Decap CMS's page)."""
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if p.relative_to(site).parts[0] != "admin")


def url_of(path: str) -> str:
    """The site URL of an output file: `meetings/index.html` -> `/meetings/`."""
    if path == "index.html" or path.endswith("/index.html"):
        return "/" + path[: -len("index.html")]
    return "/" + path
