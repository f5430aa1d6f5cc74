"""Every URL of the site, in one place. The addresses are a contract with readers, links and search
engines: a published address never changes (a moved meeting redirects, a withdrawn one keeps a page).

Functions return site-root-relative URLs ("/meetings/2020/"); `output_path`
turns one into the file the writer creates.
"""
from __future__ import annotations

import datetime
from urllib.parse import quote, urlencode

from .codes import indicator_slug


def home() -> str:
    return "/"


def meetings_index() -> str:
    return "/meetings/"


def year(value: int) -> str:
    return f"/meetings/{value}/"


def meeting_slug(date: datetime.date, committee: str) -> str:
    return f"{date.isoformat()}-{committee}"


def meeting(m) -> str:
    return f"/meetings/{m.date.year}/{m.slug}/"


def item(m, number: int) -> str:
    return f"{meeting(m)}#{item_anchor(number)}"


def mention(m, agenda_item) -> str:
    """Where a mention in the minutes is: its item, or the meeting page for the preamble (None)."""
    return item(m, agenda_item.number) if agenda_item is not None else meeting(m)


def item_anchor(number: int) -> str:
    return f"item-{number}"


def document(m, file: str) -> str:
    return f"{meeting(m)}{file}"


def committees() -> str:
    return "/committees/"


def committee(slug: str) -> str:
    return f"/committees/{slug}/"


def indicators() -> str:
    return "/indicators/"


def indicator(code: str) -> str:
    return f"/indicators/{indicator_slug(code)}/"


def indicator_csv(code: str) -> str:
    return f"/indicators/{indicator_slug(code)}.csv"


def indicator_json(code: str) -> str:
    return f"/indicators/{indicator_slug(code)}.json"


def indicator_feed(code: str) -> str:
    """Atom feed of the meetings that mention an indicator (defined or not)."""
    return f"{indicator(code)}feed.xml"


def indicators_csv() -> str:
    """Every value of every indicator."""
    return "/indicators/indicators.csv"


def portfolios() -> str:
    return "/portfolios/"


def portfolio(slug: str) -> str:
    return f"/portfolios/{slug}/"


def issues() -> str:
    return "/issues/"


def issue(slug: str) -> str:
    return f"/issues/{slug}/"


DECISIONS_PER_PAGE = 50


def decisions(page: int = 1) -> str:
    return "/decisions/" if page == 1 else f"/decisions/page/{page}/"


def decision_pages(decided: list) -> list[list]:
    """The decisions register's pages, in order: page N is at decisions(N); always at least one page."""
    return [decided[start:start + DECISIONS_PER_PAGE] for start in range(0, len(decided), DECISIONS_PER_PAGE)] or [[]]


def search() -> str:
    return "/search/"


def search_bundle(shard: str) -> str:
    """Where a search-index shard is published: the main one where Pagefind's UI expects it;
    the others beside it (never inside it: Pagefind skips a merged index under the main one)."""
    return "/pagefind/" if shard == "main" else f"/pagefind-archive/{shard}/"


SEARCHABLE_SECTIONS = ("committees", "indicators", "portfolios", "issues")


def searchable(path: str) -> tuple[str, int | None] | None:
    """Whether an output file is a page the search indexes (its <main> has data-pagefind-body):
    ("meeting", year) for a meeting's page, ("other", None) for a committee, indicator,
    portfolio or issue page, None otherwise. Mirrors the page kinds given a `search_kind`."""
    parts = path.split("/")
    if len(parts) == 4 and parts[0] == "meetings" and parts[1].isdigit() and parts[3] == "index.html":
        return "meeting", int(parts[1])
    if len(parts) == 3 and parts[0] in SEARCHABLE_SECTIONS and parts[2] == "index.html" and parts[1] != "page":
        return "other", None
    return None


def feed() -> str:
    return "/feed.xml"


def accessibility() -> str:
    return "/accessibility/"


def not_found() -> str:
    return "/404.html"


def asset(name: str) -> str:
    return f"/assets/{name}"


# -- open data and subscriptions: feeds, calendars, JSON, CSV ----------------

def calendar() -> str:
    """Every published meeting as iCalendar."""
    return "/meetings.ics"


def committee_calendar(slug: str) -> str:
    return f"{committee(slug)}meetings.ics"


def year_calendar(value: int) -> str:
    """The meetings of one year (the site calendar holds only the recent years)."""
    return f"{year(value)}meetings.ics"


def webcal(absolute_url: str) -> str:
    """A calendar's subscription link: calendar programs subscribe to webcal:// addresses
    (and so keep them up to date) where an https:// link would download a copy."""
    return "webcal://" + absolute_url.split("://", 1)[-1]


def google_calendar_subscribe(absolute_url: str) -> str:
    """Google Calendar's "add by URL" screen for a calendar (it takes the webcal:// address)."""
    return "https://calendar.google.com/calendar/render?" + urlencode({"cid": webcal(absolute_url)})


def outlook_calendar_subscribe(absolute_url: str, name: str) -> str:
    """Outlook on the web's "subscribe from web" screen for a calendar."""
    return "https://outlook.office.com/calendar/0/addfromweb?" + urlencode({"url": absolute_url, "name": name})


def committee_feed(slug: str) -> str:
    return f"{committee(slug)}feed.xml"


def issue_feed(slug: str) -> str:
    return f"{issue(slug)}feed.xml"


def meeting_json(m) -> str:
    return f"{meeting(m)}meeting.json"


def data() -> str:
    """The page that documents the open data files."""
    return "/data/"


def data_file(name: str) -> str:
    """meetings.json, committees.json, indicators.json."""
    return f"/data/{name}"


def bulk_download() -> str:
    """Every open-data file in one zip."""
    return "/data/open-data.zip"


def datapackage() -> str:
    """The Frictionless Data Package describing every CSV: at the root, so its resources'
    paths are plain relative ones (a data package may not use `..`)."""
    return "/datapackage.json"


def data_schema(name: str) -> str:
    """The JSON Schema of a data file (from schemas/ in the repository)."""
    return f"/data/schemas/{name}"


def sitemap() -> str:
    return "/sitemap.xml"


def robots() -> str:
    return "/robots.txt"


# -- the history of the record: publication and amendment, from git ---------

def changes() -> str:
    """The most recent changes to the record across the archive."""
    return "/changes/"


def changes_feed() -> str:
    return f"{changes()}feed.xml"


def history_anchor() -> str:
    """The history section of a meeting page."""
    return "history"


def change_anchor(commit: str) -> str:
    """One change in a meeting page's history."""
    return f"change-{commit[:12]}"


def meeting_file(path: str) -> str:
    """The address of the meeting a content-relative file path names
    (meetings/<YYYY>/<YYYY-MM-DD>-<committee>.md): its date decides, as for `meeting`."""
    name = path.rsplit("/", 1)[-1].removesuffix(".md")
    return f"/meetings/{name[:4]}/{name}/"


def netlify_redirects() -> str:
    """Netlify's redirect rules (the moved minutes' old addresses)."""
    return "/_redirects"


def change(m, commit: str) -> str:
    return f"{meeting(m)}#{change_anchor(commit)}"


def forge(repository_url: str) -> str:
    """Which kind of forge serves the repository: "gitlab" when its host says so, else "github"."""
    host = repository_url.split("://", 1)[-1].split("/", 1)[0].lower()
    return "gitlab" if "gitlab" in host else "github"


def forge_commit(repository_url: str, commit: str) -> str:
    """A commit's page on the forge (an absolute URL)."""
    separator = "/-/" if forge(repository_url) == "gitlab" else "/"
    return f"{repository_url}{separator}commit/{commit}"


def forge_edit(repository_url: str, branch: str, repository_path: str) -> str:
    """The forge's editor for a file of the repository (GitHub proposes a pull request from a fork)."""
    separator = "/-/" if forge(repository_url) == "gitlab" else "/"
    return f"{repository_url}{separator}edit/{quote(branch)}/{quote(repository_path)}"


def output_path(url: str) -> str:
    """The file behind a URL, relative to the output folder."""
    path = url.split("#", 1)[0].lstrip("/")
    if path == "" or path.endswith("/"):
        return path + "index.html"
    return path


def absolute(base_url: str, url: str) -> str:
    return base_url.rstrip("/") + url


# -- the clerks' editing screen ------------------------------------------------

ADMIN = "/admin/"


def admin_file(name: str) -> str:
    """A file of the editing screen, relative to the output folder (admin/config.yml)."""
    return output_path(ADMIN + name)
