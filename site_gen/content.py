"""Stage 1: load and validate every file of the content folder.

Reads `site.yml`, committees, portfolios, indicators and meetings into the
dataclasses of `models.py`. Every problem goes to the `Report`; loading goes
on past errors so that one run lists them all.
"""
from __future__ import annotations

import difflib
import os
import re
import stat
from pathlib import Path

from . import markdown, ocd, safefiles, safetext, yamlio
from .cache import BuildCache, LoadedMeeting, content_hash, digest
from .fields import SLUG_MAX, SLUG_RE, Fields, describe, slugify
from .models import (
    DEFAULT_LICENCE,
    DEFAULT_LICENCE_URL,
    NOT_HELD,
    POLARITIES,
    RAGS,
    STATUSES,
    Archive,
    Attendees,
    Committee,
    Contact,
    Document,
    Indicator,
    IndicatorValue,
    Issue,
    Item,
    Meeting,
    Portfolio,
    Priority,
    RagRule,
    Site,
    Source,
    Text,
)
from .problems import Report, did_you_mean
from .yamlio import YamlList, YamlMap

MEETING_NAME_RE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})-(.+)\.md$")
DOCUMENT_FILE_RE = re.compile(r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*$")
INDICATOR_CODE_RE = re.compile(r"^[A-Za-z0-9]+(?:[. -][A-Za-z0-9]+)*$")
ITEM_HEADING_RE = re.compile(r"^([0-9]+)(?:[.:)]?\s+|\.?$)(.*)$")
# an indicator code names its page and data files; a document keeps its name in the output
CODE_MAX = 40
DOCUMENT_NAME_MAX = 100

SITE_KEYS = ("title", "organisation", "base_url", "language", "description", "licence", "licence_url", "rag_rule",
             "repository_url", "repository_branch", "short_name", "ocd_division_id")
REPOSITORY_URL_RE = re.compile(r"^https://[A-Za-z0-9.-]+(?::[0-9]+)?(?:/[A-Za-z0-9._~-]+)+$")
BRANCH_RE = re.compile(r"^(?!/)(?!.*(?:\.\.|//|@\{))[A-Za-z0-9._/-]+(?<![/.])$")
COMMITTEE_KEYS = ("name", "description")
ISSUE_KEYS = ("name", "description")
PORTFOLIO_KEYS = ("name", "description", "priorities")
PRIORITY_KEYS = ("number", "title")
INDICATOR_KEYS = ("code", "title", "portfolio", "priority", "unit", "polarity", "aliases", "description", "values")
VALUE_KEYS = ("period", "actual", "target", "rag", "note")
MEETING_KEYS = ("committee", "date", "time", "venue", "status", "note", "approved_on", "attendees", "items",
                "source")
ATTENDEE_KEYS = ("chair", "members", "apologies", "in_attendance")
ITEM_KEYS = ("number", "title", "issue", "report_of", "summary", "recommendations", "contacts", "documents",
             "portfolio", "decision", "source")
CONTACT_KEYS = ("name", "role", "email", "phone")
DOCUMENT_KEYS = ("title", "file", "url", "size")
SOURCE_URL_RE = re.compile(r"^https?://[^\s/]+\S*$", re.IGNORECASE)
EMAIL_RE = re.compile(r"^[^@\s<>()\"',;:]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")
PHONE_RE = re.compile(r"^\+?[0-9 ()-]{6,}$")
# the meeting's own files, beside its documents in the same output folder
RESERVED_DOCUMENT_NAMES = {"index.html", "meeting.json"}
IGNORED_NAMES = {".gitkeep", ".DS_Store", "Thumbs.db", "README.md"}


class ContentLoader:
    def __init__(self, content_dir: str | os.PathLike, report: Report, cache: BuildCache | None = None):
        self.root = Path(content_dir)
        self.report = report
        # paths are shown relative to the content folder's parent: content/meetings/...
        self.shown_root = self.root.resolve().name or str(self.root)
        # files that exist but failed to load: references to them are not
        # reported again as unknown, so one mistake gives one message
        self.broken: dict[str, set[str]] = {"committees": set(), "portfolios": set()}
        self.cache = cache or BuildCache.disabled()
        self.fingerprints: dict[str, str] = {}  # shown path -> hash of each file read
        self.unsafe: set[Path] = set()  # links, devices, FIFOs: reported once, never read
        # checking what is being committed: the content folder on the clerk's computer, and its
        # path in the repository ("content/"), so a file that is there but not committed is named
        self.worktree: Path | None = None
        self.worktree_prefix = ""

    def shown(self, path: Path) -> str:
        return f"{self.shown_root}/{path.relative_to(self.root).as_posix()}"

    # -- reading files -----------------------------------------------------

    def read_bytes(self, path: Path, limit: int = safefiles.YAML_FILE_LIMIT) -> bytes | None:
        """A content file's bytes: a regular file inside the content folder, never through a link."""
        try:
            return safefiles.read_limited(path, limit, self.root)
        except safefiles.UnsafeFile as exc:
            self.report.error(self.shown(path), 1, exc.message, exc.hint)
        except OSError as exc:
            self.report.error(self.shown(path), 1, f"cannot read the file: {exc.strerror}")
        return None

    def regular_file(self, path: Path) -> bool:
        """A plain file (not a link, device or FIFO) whose real path is inside the content folder."""
        try:
            return (path not in self.unsafe and stat.S_ISREG(os.lstat(path).st_mode)
                    and safefiles.inside(self.root, path))
        except OSError:
            return False

    def regular_folder(self, path: Path) -> bool:
        try:
            return (path not in self.unsafe and stat.S_ISDIR(os.lstat(path).st_mode)
                    and safefiles.inside(self.root, path))
        except OSError:
            return False

    def report_unsafe_entries(self) -> None:
        """Links, devices and FIFOs anywhere in the content folder are errors at the entry."""
        for path, message, hint in safefiles.unsafe_entries(self.root):
            self.unsafe.add(Path(path))
            self.report.error(self.shown(Path(path)), 1, message, hint)

    def read_text(self, path: Path, data: bytes | None = None, limit: int = safefiles.YAML_FILE_LIMIT) -> str | None:
        shown = self.shown(path)
        if data is None:
            data = self.read_bytes(path, limit)
            if data is None:
                return None
        self.fingerprints[shown] = content_hash(data)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            self.report.error(shown, line, f"the file is not UTF-8 text (byte 0x{data[exc.start]:02X} cannot be read)",
                              "save the file with the UTF-8 encoding (most editors offer it under 'Save as')")
            return None
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if self.report_controls(shown, text):
            return None
        if not text.strip():
            self.report.error(shown, 1, "the file is empty")
            return None
        return text

    def report_controls(self, shown: str, text: str) -> bool:
        """Invisible control characters (Word's vertical tab, an escape sequence) are errors at
        their line: they would make the feeds invalid XML and could rewrite a terminal."""
        found = safetext.first_controls(text)
        for line, column, char in found:
            self.report.error(shown, line, f"an invisible control character ({safetext.describe(char)}) at column {column}",
                              "delete it (it often comes with text copied from Word or a PDF)")
        return bool(found)

    def read_yaml(self, path: Path, text: str | None = None, first_line: int = 1) -> YamlMap | None:
        shown = self.shown(path)
        if text is None:
            text = self.read_text(path)
            if text is None:
                return None
        problems: list[yamlio.YamlProblem] = []
        try:
            data = yamlio.parse(text, first_line, problems)
        except yamlio.YamlProblem as exc:
            self.report.error(shown, exc.line, exc.message, exc.hint)
            return None
        for problem in problems:
            self.report.error(shown, problem.line, problem.message, problem.hint)
        self.report_dropped_comments(shown, text, first_line)
        if not isinstance(data, YamlMap):
            what = "nothing" if data is None else "a list" if isinstance(data, YamlList) else "a single value"
            self.report.error(shown, first_line, f"expected a block of `key: value` lines, found {what}")
            return None
        return data

    def report_dropped_comments(self, shown: str, text: str, first_line: int) -> None:
        """Nothing a clerk writes is dropped silently: a note after a value is named."""
        for problem in yamlio.dropped_comments(text, first_line):
            self.report.warning(shown, problem.line, problem.message, problem.hint)

    def yaml_files(self, folder: str) -> list[Path]:
        directory = self.root / folder
        if not self.regular_folder(directory):
            return []
        files = []
        for path in sorted(directory.iterdir()):
            if path.name in IGNORED_NAMES or path.name.startswith(".") or path in self.unsafe:
                continue
            if path.suffix == ".yml" and path.is_file():
                files.append(path)
            elif path.suffix == ".yaml":
                self.report.error(self.shown(path), 1, "content files end in `.yml`", f"rename it to {path.stem}.yml")
            else:
                self.report.error(self.shown(path), 1, f"unexpected {'folder' if path.is_dir() else 'file'} in {folder}/",
                                  "only `.yml` files belong here")
        return files

    # -- the stage ----------------------------------------------------------

    def load(self) -> Archive | None:
        if not self.root.is_dir():
            self.report.error(str(self.root), 1, "the content folder does not exist")
            return None
        self.report_unsafe_entries()
        site = self.load_site()
        archive = Archive(site=site or Site("", "", "", "en-GB"))
        for path in self.yaml_files("committees"):
            committee = self.load_committee(path)
            if committee:
                archive.committees[committee.slug] = committee
        for path in self.yaml_files("issues"):
            issue = self.load_issue(path)
            if issue:
                archive.issues[issue.slug] = issue
        for path in self.yaml_files("portfolios"):
            portfolio = self.load_portfolio(path)
            if portfolio:
                archive.portfolios[portfolio.slug] = portfolio
        for path in self.yaml_files("indicators"):
            indicator = self.load_indicator(path, archive)
            if indicator:
                archive.indicators[indicator.code] = indicator
        self.check_codes_unique(archive)
        archive.settings_key = digest(sorted(self.fingerprints.items()), self.shown_root)
        # what loading a meeting depends on besides its own file
        context = digest(str(self.root), self.shown_root, sorted(archive.committees), sorted(self.broken["committees"]),
                         sorted(archive.portfolios), sorted(self.broken["portfolios"]),
                         self.worktree and [sorted(p.name for p in (self.worktree / folder).glob("*.yml"))
                                            for folder in ("committees", "portfolios")])
        for path in self.meeting_files(archive):
            meeting = self.load_meeting_cached(path, archive, context)
            if meeting:
                archive.meetings.append(meeting)
        archive.meetings.sort(key=lambda m: (m.date, m.committee))
        return archive

    def load_meeting_cached(self, path: Path, archive: Archive, context: str) -> Meeting | None:
        """`load_meeting`, or what it gave last time for the same bytes, documents and context."""
        shown = self.shown(path)
        try:
            data = safefiles.read_limited(path, safefiles.MEETING_FILE_LIMIT, self.root)
            folder = path.parent / path.stem
            documents = self.document_listing(folder)
        except (OSError, safefiles.UnsafeFile):
            return self.load_meeting(path, archive)  # reports what cannot be read
        key = digest(content_hash(data), context, documents, self.worktree_documents(folder))
        entry = self.cache.previous.meetings.get(shown)
        if entry is None or entry.key != key:
            report, document_files = self.report, archive.document_files
            self.report, archive.document_files = Report(), {}
            try:
                meeting = self.load_meeting(path, archive, data)
            finally:
                entry = LoadedMeeting(key, None, self.report.problems, archive.document_files)
                self.report, archive.document_files = report, document_files
            entry.meeting = meeting
        self.report.problems.extend(entry.problems)
        archive.document_files.update(entry.documents)
        self.cache.current.meetings[shown] = entry
        archive.fingerprints[shown] = key
        return entry.meeting

    def document_listing(self, folder: Path) -> list | None:
        """What loading a meeting checks of its documents' folder: each entry's name, kind, size
        and time (by lstat: a document replaced by a link, or by other bytes of the same size,
        is a change, so its kind is checked again)."""
        if not self.regular_folder(folder):
            return None
        listing = []
        for path in folder.iterdir():
            info = path.lstat()
            listing.append((path.name, stat.S_IFMT(info.st_mode), info.st_size, info.st_mtime_ns))
        return sorted(listing)

    def worktree_documents(self, folder: Path) -> list[str] | None:
        """The meeting's documents on the clerk's computer, when checking what is being committed
        (what is reported about a missing document depends on them)."""
        if self.worktree is None:
            return None
        on_disk = self.worktree / folder.relative_to(self.root)
        return sorted(p.name for p in on_disk.iterdir()) if on_disk.is_dir() else None

    def load_site(self) -> Site | None:
        path = self.root / "site.yml"
        if path in self.unsafe:
            return None
        if not path.is_file():
            self.report.error(f"{self.shown_root}/site.yml", 1, "site.yml is missing",
                              "create it with `title`, `organisation`, `base_url` and `language`")
            return None
        data = self.read_yaml(path)
        if data is None:
            return None
        f = Fields(self.report, self.shown(path), data, SITE_KEYS, "site.yml")
        title = f.one_line("title", required=True, example="Council meeting minutes")
        organisation = f.one_line("organisation", required=True, example="Example Borough Council")
        base_url = f.text("base_url", required=True, example="https://minutes.example.gov.uk")
        if base_url and not re.match(r"^https?://[^\s/]+(/\S*)?$", base_url):
            self.report.error(self.shown(path), f.line("base_url"), "`base_url` must be a web address starting with https://")
            base_url = None
        licence_url = f.text("licence_url")
        if licence_url and not re.match(r"^https?://\S+$", licence_url):
            self.report.error(self.shown(path), f.line("licence_url"), "`licence_url` must start with https://")
            licence_url = None
        language = f.text("language") or "en-GB"
        if not re.match(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", language):
            self.report.error(self.shown(path), f.line("language"), f"`language` must be a language tag such as en-GB, not `{language}`")
            language = "en-GB"
        rag_rule = self.load_rag_rule(path, f)
        description = f.text("description")
        repository_url = self.load_repository_url(path, f)
        branch = f.text("repository_branch") or "main"
        if not BRANCH_RE.match(branch):
            self.report.error(self.shown(path), f.line("repository_branch"),
                              f"`repository_branch` must be a branch name such as main, not `{branch}`")
            branch = "main"
        division = f.text("ocd_division_id")
        if division and ocd.division_problem(division):
            self.report.error(self.shown(path), f.line("ocd_division_id"), *ocd.division_problem(division))
            division = None
        if not (title and organisation and base_url):
            return None
        licence = f.text("licence")
        if licence is None:
            licence, licence_url = DEFAULT_LICENCE, licence_url or DEFAULT_LICENCE_URL
        elif licence_url is None and licence == DEFAULT_LICENCE:
            licence_url = DEFAULT_LICENCE_URL
        return Site(title=title, organisation=organisation, base_url=base_url.rstrip("/"), language=language,
                    description=description, licence=licence, licence_url=licence_url, licence_stated=f.text("licence") is not None,
                    rag_rule=rag_rule, source=Source(self.shown(path), 1),
                    repository_url=repository_url, repository_branch=branch, short_name=f.text("short_name"),
                    ocd_division_id=division)

    def load_repository_url(self, path: Path, f: Fields) -> str | None:
        """The repository's web address on its forge (GitHub, GitLab): https://host/owner/name."""
        url = f.text("repository_url")
        if url is None:
            return None
        url = url.rstrip("/")
        page = re.search(r"/(?:-/)?(?:tree|blob|edit|commits?)/", url)
        if REPOSITORY_URL_RE.match(url) and url.count("/") >= 4 and not url.endswith(".git") and not page:
            return url
        ssh = re.match(r"^(?:ssh://)?git@([^:/]+)[:/](.+?)(?:\.git)?$", url)
        if ssh:
            hint = f"write its web address: https://{ssh.group(1)}/{ssh.group(2)}"
        elif url.startswith("http://"):
            hint = f"use https: https://{url[len('http://'):]}"
        elif url.endswith(".git"):
            hint = f"leave out `.git`: {url[:-4]}"
        elif page:
            hint = f"give the repository's own address, without the page: {url[:page.start()]}"
        else:
            hint = "write the address of the repository's page, e.g. https://github.com/example-council/minutes"
        self.report.error(self.shown(path), f.line("repository_url"),
                          "`repository_url` must be the web address of the repository, starting with https://", hint)
        return None

    def load_rag_rule(self, path: Path, f: Fields) -> RagRule | None:
        rule = f.mapping("rag_rule")
        if rule is None:
            return None
        rf = Fields(self.report, self.shown(path), rule, ("amber_tolerance", "amber_tolerance_in"), "rag_rule")
        tolerance = rf.number("amber_tolerance")
        tolerance_in = rf.choice("amber_tolerance_in", ("percent", "points"), default="percent")
        if tolerance is None:
            if "amber_tolerance" not in rule:
                self.report.error(self.shown(path), rule.line, "rag_rule has no `amber_tolerance`",
                                  "add e.g. `amber_tolerance: 5` (percent of the target)")
            return None
        if tolerance < 0:
            self.report.error(self.shown(path), rf.line("amber_tolerance"), "`amber_tolerance` cannot be negative")
            return None
        if tolerance_in is None:  # reported at its line
            return None
        return RagRule(amber_tolerance=tolerance, line=f.key_line("rag_rule"), tolerance_in=tolerance_in)

    def known(self, f: Fields, key: str, known: dict, folder: str, required: bool = False,
              example: str | None = None) -> str | None:
        """A slug naming a committee or portfolio file, reported when there is no such file."""
        slug = f.slug(key, required=required, example=example)
        if slug is None or slug in known:
            return slug
        if self.worktree is not None and (self.worktree / folder / f"{slug}.yml").is_file():
            self.report.error(f.path, f.line(key), f"{self.shown_root}/{folder}/{slug}.yml is not committed: "
                              f"git add {self.worktree_prefix}{folder}/{slug}.yml",
                              "the file is on your computer but not in this commit")
        elif slug not in self.broken[folder]:  # a broken file has been reported already
            self.report.error(f.path, f.line(key), f"unknown {key} `{slug}`",
                              did_you_mean(slug, known, folder) or f"add a file for it in content/{folder}/")
        return None

    def slug_of_file(self, path: Path) -> str | None:
        if not SLUG_RE.match(path.stem):
            self.report.error(self.shown(path), 1,
                              f"the file name `{path.name}` must be a plain lower-case slug (letters a-z, digits, hyphens)",
                              f"rename it to {slugify(path.stem)}.yml" if slugify(path.stem) else None)
            return None
        if len(path.stem) > SLUG_MAX:
            self.report.error(self.shown(path), 1, f"the file name is {len(path.stem)} characters long before `.yml`; "
                              f"at most {SLUG_MAX}", "shorten it: it becomes part of page addresses")
            return None
        return path.stem

    def load_committee(self, path: Path) -> Committee | None:
        self.broken["committees"].add(path.stem)  # until it loads
        slug = self.slug_of_file(path)
        data = self.read_yaml(path)
        if data is None or slug is None:
            return None
        f = Fields(self.report, self.shown(path), data, COMMITTEE_KEYS, "a committee")
        name = f.one_line("name", required=True, example="Children & Families Scrutiny Committee")
        description = self.markdown_text(f, "description")
        if not name:
            return None
        self.broken["committees"].discard(slug)
        return Committee(slug=slug, name=name, description=description, source=Source(self.shown(path), 1))

    def load_issue(self, path: Path) -> Issue | None:
        slug = self.slug_of_file(path)
        data = self.read_yaml(path)
        if data is None or slug is None:
            return None
        f = Fields(self.report, self.shown(path), data, ISSUE_KEYS, "an issue")
        name = f.text("name", required=True, example="Portfolio performance and resources")
        description = self.markdown_text(f, "description")
        if not name:
            return None
        return Issue(slug=slug, name=name, description=description, source=Source(self.shown(path), 1))

    def markdown_text(self, f: Fields, key: str) -> Text | None:
        value = f.text(key)
        return None if value is None else Text(value, f.line(key))

    def load_portfolio(self, path: Path) -> Portfolio | None:
        self.broken["portfolios"].add(path.stem)  # until it loads
        slug = self.slug_of_file(path)
        data = self.read_yaml(path)
        if data is None or slug is None:
            return None
        shown = self.shown(path)
        f = Fields(self.report, shown, data, PORTFOLIO_KEYS, "a portfolio")
        name = f.one_line("name", required=True, example="Children, Families and Education")
        priorities: list[Priority] = []
        seen: dict[int, int] = {}
        for entry, line in self.entries(f, "priorities", shown):
            pf = Fields(self.report, shown, entry, PRIORITY_KEYS, "a priority")
            number = pf.integer("number", required=True, example="1")
            title = pf.one_line("title", required=True, example="All children start school ready to learn")
            if number is not None and number in seen:
                self.report.error(shown, pf.line("number"), f"priority {number} is listed twice (first at line {seen[number]})")
                continue
            if number is not None and title:
                seen[number] = pf.line("number")
                priorities.append(Priority(number, title))
        if not name:
            return None
        self.broken["portfolios"].discard(slug)
        return Portfolio(slug=slug, name=name, priorities=tuple(sorted(priorities, key=lambda p: p.number)),
                         description=self.markdown_text(f, "description"), source=Source(shown, 1))

    def entries(self, f: Fields, key: str, shown: str, required: bool = False):
        """Yield each block of keys in a list, reporting entries that are not blocks."""
        values = f.items(key, required=required)
        if values is None:
            return
        if required and not values:
            self.report.error(shown, f.line(key), f"`{key}` is empty: at least one entry is needed")
        for value, line in zip(values, values.lines):
            if isinstance(value, YamlMap):
                yield value, line
            else:
                self.report.error(shown, line, f"each entry of `{key}` must be a block of keys, not {describe(value)}",
                                  f"see the format of `{key}` in the README")

    def load_indicator(self, path: Path, archive: Archive) -> Indicator | None:
        shown = self.shown(path)
        data = self.read_yaml(path)
        if data is None:
            return None
        f = Fields(self.report, shown, data, INDICATOR_KEYS, "an indicator")
        code = f.text("code", required=True, example=path.stem)
        if code is not None:
            if code != path.stem:
                self.report.error(shown, f.line("code"), f"the code `{code}` differs from the file name `{path.name}`",
                                  f"rename the file to {code}.yml or correct the code")
                code = None
            elif not INDICATOR_CODE_RE.match(code):
                self.report.error(shown, f.line("code"), f"`{code}` is not a usable indicator code",
                                  "use letters and digits, separated by `.`, `-` or a space, e.g. CFSE.29")
                code = None
            elif len(code) > CODE_MAX:
                self.report.error(shown, f.line("code"), f"the code is {len(code)} characters long; at most {CODE_MAX}")
                code = None
        title = f.one_line("title", required=True, example="Percentage of ...")
        portfolio = self.known(f, "portfolio", archive.portfolios, "portfolios")
        priority = f.integer("priority")
        if priority is not None:
            if not f.has("portfolio"):
                self.report.error(shown, f.line("priority"), "`priority` needs a `portfolio` to belong to")
                priority = None
            elif portfolio and archive.portfolios[portfolio].priority(priority) is None:
                known = [str(p.number) for p in archive.portfolios[portfolio].priorities]
                self.report.error(shown, f.line("priority"), f"portfolio `{portfolio}` has no priority {priority}",
                                  f"its priorities are {', '.join(known)}" if known else "list them in the portfolio's file")
                priority = None
        unit = f.text("unit")
        polarity = f.choice("polarity", POLARITIES, default="none")
        aliases: list[str] = []
        alias_lines: list[int] = []
        for alias, line in f.text_list("aliases"):
            if not INDICATOR_CODE_RE.match(alias):
                self.report.error(shown, line, f"the alias `{alias}` is not a usable indicator code")
                continue
            aliases.append(alias)
            alias_lines.append(line)
        values = self.load_values(f, shown)
        if code is None or title is None:
            return None
        return Indicator(code=code, title=title, portfolio=portfolio, priority=priority, unit=unit,
                         polarity=polarity or "none", aliases=tuple(aliases),
                         description=self.markdown_text(f, "description"), values=values,
                         source=Source(shown, 1), alias_lines=tuple(alias_lines))

    def load_values(self, f: Fields, shown: str) -> tuple[IndicatorValue, ...]:
        values: list[IndicatorValue] = []
        periods: dict[str, int] = {}
        for entry, line in self.entries(f, "values", shown):
            vf = Fields(self.report, shown, entry, VALUE_KEYS, "an indicator value")
            period = vf.text("period", required=True, example="2020/21 Q2")
            actual = vf.number("actual")
            target = vf.number("target")
            rag = vf.choice("rag", RAGS)
            note = vf.text("note")
            if period is None:
                continue
            if period in periods:
                self.report.error(shown, vf.line("period"), f"the period `{period}` is listed twice (first at line {periods[period]})")
                continue
            periods[period] = vf.line("period")
            values.append(IndicatorValue(period, actual, target, rag, note, line))
        return tuple(values)

    def check_codes_unique(self, archive: Archive) -> None:
        """Codes and aliases must name one indicator each, whatever their spelling."""
        from .codes import code_key, indicator_slug
        owners: dict[str, tuple[str, str, int]] = {}
        slugs: dict[str, str] = {}
        for indicator in sorted(archive.indicators.values(), key=lambda i: i.code):
            slug = indicator_slug(indicator.code)
            if slug in slugs:
                self.report.error(indicator.source.path, 1,
                                  f"`{indicator.code}` and `{slugs[slug]}` would share the page /indicators/{slug}/",
                                  "two indicators cannot differ only by `.`, spaces or capitals")
            slugs[slug] = indicator.code
            owners.setdefault(code_key(indicator.code), (indicator.code, indicator.source.path, 2))
        for indicator in sorted(archive.indicators.values(), key=lambda i: i.code):
            for alias, line in zip(indicator.aliases, indicator.alias_lines):
                key = code_key(alias)
                owner = owners.get(key)
                if owner is None:
                    owners[key] = (indicator.code, indicator.source.path, line)
                elif owner[0] != indicator.code:
                    self.report.error(indicator.source.path, line,
                                      f"the alias `{alias}` already names `{owner[0]}` ({owner[1]})",
                                      "an alias must not be another indicator's code or alias")

    # -- meetings -----------------------------------------------------------

    def meeting_files(self, archive: Archive) -> list[Path]:
        directory = self.root / "meetings"
        if not self.regular_folder(directory):
            return []
        files: list[Path] = []
        for year_dir in sorted(directory.iterdir()):
            if year_dir.name in IGNORED_NAMES or year_dir.name.startswith(".") or year_dir in self.unsafe:
                continue
            if not (year_dir.is_dir() and re.match(r"^[0-9]{4}$", year_dir.name)):
                self.report.error(self.shown(year_dir), 1, "meetings are kept in a folder per year",
                                  "move it to content/meetings/<YYYY>/")
                continue
            names = {p.name for p in year_dir.iterdir()}
            for path in sorted(year_dir.iterdir()):
                if path.name in IGNORED_NAMES or path.name.startswith(".") or path in self.unsafe:
                    continue
                if path.is_dir():
                    if path.name + ".md" not in names:
                        self.report.error(self.shown(path), 1, f"document folder without a meeting file {path.name}.md",
                                          "a meeting's documents go in a folder named like its .md file")
                    continue
                if path.suffix != ".md":
                    self.report.error(self.shown(path), 1, "unexpected file among the meetings",
                                      "a meeting file is named YYYY-MM-DD-<committee>.md; its PDFs go in a folder of the same name")
                    continue
                files.append(path)
        return files

    def load_meeting(self, path: Path, archive: Archive, data: bytes | None = None) -> Meeting | None:
        shown = self.shown(path)
        name_match = MEETING_NAME_RE.match(path.name)
        name_ok = True
        if not name_match:
            self.report.error(shown, 1, "a meeting file must be named YYYY-MM-DD-<committee>.md",
                              "for example 2020-12-09-children-families-scrutiny.md")
            name_ok = False
        text = self.read_text(path, data, limit=safefiles.MEETING_FILE_LIMIT)
        if text is None:
            return None
        front, body, body_line = self.split_front_matter(shown, text)
        if front is None:
            return None
        data = self.read_yaml(path, front, first_line=2)
        if data is None:
            return None
        f = Fields(self.report, shown, data, MEETING_KEYS, "a meeting")
        committee = self.known(f, "committee", archive.committees, "committees", required=True,
                               example="children-families-scrutiny")
        date = f.date("date", required=True)
        if name_match and date:
            name_date = "-".join(name_match.group(1, 2, 3))
            if date.isoformat() != name_date:
                self.report.error(shown, f.line("date"), f"the date {date.isoformat()} differs from the file name's {name_date}",
                                  "correct the date or rename the file")
                name_ok = False
            elif path.parent.name != name_match.group(1):
                self.report.error(shown, f.line("date"), f"a meeting of {date.year} is in the folder {path.parent.name}/",
                                  f"move it to content/meetings/{date.year}/")
                name_ok = False
        if name_match and committee and name_match.group(4) != committee:
            self.report.error(shown, f.line("committee"),
                              f"the committee `{committee}` differs from the file name's `{name_match.group(4)}`",
                              "correct the committee or rename the file")
            name_ok = False
        time = f.time("time")
        venue = f.text("venue")
        status = f.choice("status", STATUSES, default="unconfirmed")
        approved_on = f.date("approved_on")
        if approved_on and date and approved_on < date:
            self.report.error(shown, f.line("approved_on"),
                              f"approved_on {approved_on.isoformat()} is before the meeting itself ({date.isoformat()})")
            approved_on = None
        if approved_on and status and status != "approved":
            self.report.warning(shown, f.line("approved_on"), f"approved_on is set but the status is `{status}`",
                                "set `status: approved` once the minutes are approved")
        attendees = self.load_attendees(f, shown)
        note = f.text("note")
        source_url = self.source_url(f, shown)
        # a meeting that did not take place may have had no agenda
        items = self.load_items(f, shown, archive, path) if f.has("items") or status not in NOT_HELD else []
        sections = self.split_sections(shown, body, body_line, items)
        self.check_not_yet_held(shown, f, status, attendees, items, sections[1])
        if not (committee and date and status and items is not None and name_ok):
            return None
        preamble, minutes = sections
        full_items = tuple(
            Item(**{**item.__dict__, "minutes": minutes.get(item.number)}) for item in sorted(items, key=lambda i: i.number)
        )
        documents_dir = path.parent / path.stem
        return Meeting(committee=committee, date=date, items=full_items, source=Source(shown, 1), time=time,
                       venue=venue, status=status, approved_on=approved_on, attendees=attendees, preamble=preamble,
                       note=note, approved_on_line=f.line("approved_on"),
                       documents_dir=documents_dir.relative_to(self.root).as_posix() if self.regular_folder(documents_dir) else None,
                       source_url=source_url)

    def source_url(self, f: Fields, shown: str) -> str | None:
        """`source:`, the page of the system a meeting or item was imported from: a web address, nothing else."""
        url = f.text("source")
        if url and not SOURCE_URL_RE.match(url):
            self.report.error(shown, f.line("source"), f"`source` must be a web address starting with https://, not `{url}`",
                              "it is where this was imported from, e.g. https://democracy.example.gov.uk/ieListDocuments.aspx?MId=1")
            return None
        return url

    def check_not_yet_held(self, shown: str, f: Fields, status: str | None, attendees: Attendees,
                           items: list[Item] | None, minutes: dict[int, Text]) -> None:
        """An agenda is published before the meeting, and a cancelled or postponed meeting did not
        take place: neither has attendance, decisions or minutes. Rather than leave them out of the
        page unseen, they are errors: the status is probably out of date."""
        if status != "agenda" and status not in NOT_HELD:
            return
        what = "an agenda" if status == "agenda" else f"a {status} meeting"
        fix = ("once the minutes are ready to publish, change `status: agenda` to `status: unconfirmed`"
               if status == "agenda" else f"remove it, or correct `status: {status}`")
        if attendees:
            self.report.error(shown, f.line("attendees"), f"{what} has no attendance yet" if status == "agenda"
                              else f"{what} has no attendance", fix)
        for item in items or ():
            if item.decision:
                self.report.error(shown, item.decision.line, f"{what} has no decisions: item {item.number} has a `decision`", fix)
        for number, text in sorted(minutes.items()):
            self.report.error(shown, text.line, f"{what} has no minutes: item {number} has minutes under its heading", fix)

    def split_front_matter(self, shown: str, text: str) -> tuple[str | None, str, int]:
        try:
            return front_matter(text)
        except FrontMatterProblem as exc:
            self.report.error(shown, exc.line, exc.message, exc.hint)
            return None, "", 1

    def load_attendees(self, f: Fields, shown: str) -> Attendees:
        data = f.mapping("attendees")
        if data is None:
            return Attendees()
        af = Fields(self.report, shown, data, ATTENDEE_KEYS, "attendees")
        return Attendees(
            chair=af.text("chair"),
            members=tuple(t for t, _ in af.text_list("members")),
            apologies=tuple(t for t, _ in af.text_list("apologies")),
            in_attendance=tuple(t for t, _ in af.text_list("in_attendance")),
        )

    def load_items(self, f: Fields, shown: str, archive: Archive, path: Path) -> list[Item] | None:
        if not f.has("items"):
            f.items("items", required=True)
            return None
        items: list[Item] = []
        numbers: dict[int, int] = {}
        ok = True
        for entry, line in self.entries(f, "items", shown, required=True):
            item = self.load_item(entry, line, shown, archive, path)
            if item is None:
                ok = False
                continue
            if item.number in numbers:
                self.report.error(shown, item.line, f"item number {item.number} is used twice (first at line {numbers[item.number]})",
                                  "each item of a meeting needs its own number")
                ok = False
                continue
            numbers[item.number] = item.line
            items.append(item)
        if not items:
            ok = False  # an empty or unreadable list, reported by entries()
        return items if ok else None

    def load_item(self, entry: YamlMap, line: int, shown: str, archive: Archive, path: Path) -> Item | None:
        f = Fields(self.report, shown, entry, ITEM_KEYS, "an item")
        number = f.integer("number", required=True, example="5")
        if number is not None and number < 0:
            self.report.error(shown, f.line("number"), "an item number cannot be negative")
            number = None
        title = f.one_line("title", required=True, example="Portfolio Performance and Resources")
        issue = f.slug("issue")
        portfolio = self.known(f, "portfolio", archive.portfolios, "portfolios")
        recommendations = tuple(Text(t, l) for t, l in f.text_list("recommendations"))
        contacts = tuple(self.load_contacts(f, shown))
        documents = tuple(self.load_documents(f, shown, path, archive))
        source_url = self.source_url(f, shown)
        if number is None or title is None:
            return None
        return Item(number=number, title=title, line=f.line("number") if "number" in entry else line, issue=issue,
                    report_of=f.text("report_of"), summary=self.markdown_text(f, "summary"),
                    recommendations=recommendations, contacts=contacts, documents=documents, portfolio=portfolio,
                    decision=self.markdown_text(f, "decision"), source_url=source_url)

    def load_contacts(self, f: Fields, shown: str):
        for entry, _ in self.entries(f, "contacts", shown):
            cf = Fields(self.report, shown, entry, CONTACT_KEYS, "a contact")
            name = cf.text("name", required=True, example="Gaynor Ward")
            email = cf.text("email")
            if email and not EMAIL_RE.match(email):
                self.report.error(shown, cf.line("email"), f"`{email}` is not an e-mail address")
                email = None
            phone = cf.text("phone")
            if phone and not PHONE_RE.match(phone):
                self.report.error(shown, cf.line("phone"), f"`{phone}` is not a telephone number",
                                  "digits and spaces only, e.g. 0161 474 3186")
                phone = None
            if name:
                yield Contact(name=name, role=cf.text("role"), email=email, phone=phone)

    def load_documents(self, f: Fields, shown: str, path: Path, archive: Archive):
        folder = path.parent / path.stem
        for entry, _ in self.entries(f, "documents", shown):
            df = Fields(self.report, shown, entry, DOCUMENT_KEYS, "a document")
            title = df.text("title", required=True, example="Report of the Director")
            file = df.text("file")
            url = df.text("url")
            size = df.text("size")
            if file and url:
                self.report.error(shown, df.line("url"), "a document has either a `file` or a `url`, not both")
                url = None
            if file:
                if file in RESERVED_DOCUMENT_NAMES:
                    self.report.error(shown, df.line("file"),
                                      f"`{file}` is a name the site uses for the meeting's own page or data",
                                      "rename the document, e.g. report.pdf")
                    file = None
                elif len(file) > DOCUMENT_NAME_MAX:
                    self.report.error(shown, df.line("file"), f"the file name `{file[:40]}…` is {len(file)} characters long; "
                                      f"at most {DOCUMENT_NAME_MAX}", "rename the file to something shorter")
                    file = None
                elif not DOCUMENT_FILE_RE.match(file) or ".." in file:
                    self.report.error(shown, df.line("file"),
                                      f"`{file}` must be a plain lower-case file name in the meeting's folder",
                                      f"for example {slugify(Path(file).stem) or 'report'}{Path(file).suffix.lower()}; no folders, `..`, `/` or `\\`")
                    file = None
                elif folder in self.unsafe or folder / file in self.unsafe:
                    file = None  # a link or device, reported at the file itself
                elif not self.regular_file(folder / file):
                    self.missing_document(shown, df.line("file"), folder, file)
                    file = None
                elif problem := safefiles.document_problem(folder / file, self.root):
                    self.report.error(shown, df.line("file"), *problem)
                    file = None
                else:
                    archive.document_files[(folder / file).relative_to(self.root).as_posix()] = str(folder / file)
                    if size is None:
                        size = human_size((folder / file).stat().st_size)
            if url and not re.match(r"^https?://[^\s/]+\S*$", url, re.IGNORECASE):
                self.report.error(shown, df.line("url"), f"`{url}` is not a web address",
                                  "a document url must start with https:// (or http://)")
                url = None
            if title:
                yield Document(title=title, file=file, url=url, size=size)

    def missing_document(self, shown: str, line: int, folder: Path, file: str) -> None:
        """A `file:` that is not in the meeting's folder: not committed (when checking what is being
        committed and the file is on the clerk's computer), misspelt, or missing."""
        folder_shown = self.shown(folder)
        on_disk = self.worktree / folder.relative_to(self.root) if self.worktree is not None else None
        if on_disk is not None and (on_disk / file).is_file():
            repo_folder = f"{self.worktree_prefix}{folder.relative_to(self.root).as_posix()}/"
            self.report.error(shown, line, f"{folder_shown}/{file} is not committed: git add {repo_folder}",
                              "the file is on your computer but not in this commit, so the published site "
                              "(built from a fresh copy) would not have it")
            return
        present = sorted({p.name for where in (folder, on_disk) if where is not None and where.is_dir()
                          for p in where.iterdir() if p.is_file()})
        close = difflib.get_close_matches(file, present, n=1, cutoff=0.6)
        self.report.error(shown, line, f"the document `{file}` is not in {folder_shown}/",
                          f"did you mean `{close[0]}`?" if close else
                          "put the file in that folder, or correct its name (names are case-sensitive)")

    def report_lookalike_headings(self, shown: str, body: str, body_line: int, numbers: dict[int, Item]) -> None:
        for start, number, line in markdown.lookalike_headings(body):
            if number in numbers:
                shown_line = line if len(line) <= 60 else line[:60] + "…"
                self.report.warning(shown, body_line + start,
                                    f"`{shown_line}` looks like the heading of item {number} ({numbers[number].title}) "
                                    "but is not one: the text below it stays with the item above",
                                    f"write it as `## {number}. {numbers[number].title}` (two #, then a space)")

    def split_sections(self, shown: str, body: str, body_line: int, items: list[Item] | None):
        """Split the minutes into the preamble and one section per item number."""
        numbers = {item.number: item for item in items or ()}
        lines = body.split("\n")
        headings = []  # (index of the heading line, number, heading text)
        first_of: dict[int, int] = {}  # item number -> index of its heading line
        for start, end, content in markdown.level2_headings(body):
            match = ITEM_HEADING_RE.match(content.strip())
            line = body_line + start
            if not match:
                self.report.warning(shown, line, f"the heading `## {content.strip()}` does not start with an item number",
                                    "start item headings with their number (`## 5. Title`); use ### for headings inside an item")
                continue
            number = int(match.group(1))
            if items is not None and number not in numbers:
                self.report.error(shown, line, f"the heading `## {content.strip()}` is for item {number}, which is not in `items`",
                                  f"add item {number} to `items` in the front matter, or correct the number"
                                  + (f" (items: {', '.join(str(n) for n in sorted(numbers))})" if numbers else ""))
                continue
            if number in first_of:
                self.report.error(shown, line, f"item {number} has two sections (first at line {body_line + first_of[number]})")
                continue
            first_of[number] = start
            heading_title = match.group(2).strip()
            item = numbers.get(number)
            if item and heading_title and _plain(heading_title) != _plain(item.title):
                self.report.warning(shown, line, f"the heading of item {number} differs from its title `{item.title}`",
                                    "the page shows the title from the front matter")
            headings.append((start, number, end))
        self.report_lookalike_headings(shown, body, body_line, numbers)
        preamble = None
        minutes: dict[int, Text] = {}
        first_heading = headings[0][0] if headings else len(lines)
        preamble_lines = lines[:first_heading]
        if any(line.strip() for line in preamble_lines):
            blank = next(i for i, line in enumerate(preamble_lines) if line.strip())
            preamble = Text("\n".join(preamble_lines).strip() + "\n", body_line + blank)
        for index, (start, number, end) in enumerate(headings):
            stop = headings[index + 1][0] if index + 1 < len(headings) else len(lines)
            section_lines = lines[end:stop]
            leading = 0
            while leading < len(section_lines) and not section_lines[leading].strip():
                leading += 1
            section = "\n".join(section_lines[leading:]).rstrip()
            if section:
                minutes[number] = Text(section + "\n", body_line + end + leading)
        return preamble, minutes



class FrontMatterProblem(Exception):
    def __init__(self, message: str, hint: str, line: int = 1):
        super().__init__(message)
        self.message, self.hint, self.line = message, hint, line


def front_matter(text: str) -> tuple[str, str, int]:
    """Split a meeting file into its front matter, its minutes and the line the minutes start on."""
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        raise FrontMatterProblem("the file must start with a `---` line opening the front matter",
                                 "put `---` on the first line, the meeting's details, then `---` again before the minutes")
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            _refuse_closing_inside_block(lines, index)
            front = "\n".join(lines[1:index])
            if not front.strip():
                raise FrontMatterProblem("the front matter is empty", "it needs at least `committee`, `date` and `items`")
            return front, "\n".join(lines[index + 1:]), index + 2
    raise FrontMatterProblem("the front matter opened here is never closed",
                             "add a line with just `---` after the meeting's details, before the minutes")


# `key: |`, `- key: >-`, `- |`: a line that opens a block scalar; group 1 is its owner's column
_BLOCK_SCALAR_RE = re.compile(r"""^((?:[ ]*-[ ]+)*[ ]*)(?:(?:[^\s#'"][^#]*?|"[^"]*"|'[^']*'):[ ]+|-[ ]+)[|>][-+0-9]*[ ]*(?:#.*)?$""")


def _refuse_closing_inside_block(lines: list[str], index: int) -> None:
    """A `---` or `...` line that sits inside a block scalar (`decision: |`), with the text
    indented again below it, ends the front matter early and cuts the text silently: an error."""
    after = next((line for line in lines[index + 1:] if line.strip()), "")
    if after[:1] != " " or not any(line.rstrip() in ("---", "...") for line in lines[index + 1:]):
        return  # the usual case: the minutes start right after, and nothing closes later
    owner = None  # (column of the block's key, its line index, the key) while inside a block scalar
    for number in range(1, index):
        line = lines[number]
        indent = len(line) - len(line.lstrip(" "))
        if owner and line.strip() and indent <= owner[0]:
            owner = None
        if owner is None:
            match = _BLOCK_SCALAR_RE.match(line)
            if match:
                key = line.strip().lstrip("- ").split(":")[0].strip() if ":" in line else "a list entry"
                owner = (len(match.group(1)), number, key)
    if owner is not None and len(after) - len(after.lstrip(" ")) > owner[0]:
        raise FrontMatterProblem(
            f"this `{lines[index].strip()}` line is inside the text of `{owner[2]}` (line {owner[1] + 1}) "
            "and would end the front matter here, cutting that text",
            "indent it like the lines around it; only an unindented `---` ends the front matter",
            index + 1)


def _plain(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def load_archive(content_dir, report: Report, cache: BuildCache | None = None,
                 worktree: tuple[Path, str] | None = None) -> Archive | None:
    """`worktree`: when `content_dir` is what is being committed, the working content folder and
    its path in the repository (e.g. "content/")."""
    loader = ContentLoader(content_dir, report, cache)
    if worktree is not None:
        loader.worktree, loader.worktree_prefix = worktree
    return loader.load()
