"""Stage 2: link the loaded archive.

Renders every Markdown text once (finding indicator codes on the way), then
works out what points at what: mentions per indicator, items per issue,
previous/next meetings of a committee, and the meeting that approved minutes.
"""
from __future__ import annotations

import datetime
import operator
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from . import pool, urls
from .cache import BuildCache, digest
from .codes import CodeIndex
from .indicators import check_rag
from .markdown import MarkdownRenderer, Mention, Rendered
from .models import Archive, Committee, Indicator, Issue, Item, Meeting, Portfolio, Text
from .problems import Problem, Report
from .renders import ItemHtml, MeetingFindings, MeetingMarkup, MeetingRender


@dataclass(frozen=True)
class MentionRef:
    code: str
    meeting: Meeting
    item: Item | None  # None: the meeting's preamble
    sentence: str
    written: str


# what linking keeps of a meeting's mentions of one code: the meeting, its mentions in the order
# they were found (as `MeetingFindings.mentions` holds them), and what the code's pages show of them
# (its `mention_keys` entry)
MeetingMentions = tuple[Meeting, list[list], str]
# taken in C from thousands of entries at every build (`map`)
FIRST, SECOND, THIRD = operator.itemgetter(0), operator.itemgetter(1), operator.itemgetter(2)
SLUG, TITLE = operator.attrgetter("slug"), operator.attrgetter("title")


class Mentions(Mapping[str, list[MentionRef]]):
    """Each indicator code's mentions in the published minutes, newest first (`mentions[code]`),
    made the first time a page asks for a code's: a rebuild makes the pages of the few indicators
    whose mentions changed, and making every code's took a tenth of it. Iterates over the codes
    in order; `count(code)` and `meetings(code)` need no mention made."""

    def __init__(self, found: dict[str, list[MeetingMentions]] | None = None, one_a_day: bool = False):
        # code -> [MeetingMentions], oldest meeting first (by date, then committee: as loading sorts them)
        self.found = dict(sorted((found or {}).items()))
        self.made: dict[str, list[MentionRef]] = {}
        self.counts: dict[str, int] = {}  # asked for by the indicators' index, its inputs and the pool
        # no two of the meetings are one committee's on one day (so their mentions never interleave)
        self.one_a_day = one_a_day

    def __getitem__(self, code: str) -> list[MentionRef]:
        made = self.made.get(code)
        if made is None:
            refs = [MentionRef(code, meeting, meeting.item(number) if number is not None else None, sentence, written)
                    for meeting, mentions, _ in self.found[code] for number, _, written, sentence, _ in mentions]
            made = self.made[code] = sorted(refs, key=lambda r: (r.meeting.date, r.meeting.committee,
                                                                 -(r.item.number if r.item else -1)), reverse=True)
        return made

    def __iter__(self) -> Iterator[str]:
        return iter(self.found)

    def __len__(self) -> int:
        return len(self.found)

    def __contains__(self, code: object) -> bool:
        return code in self.found

    def count(self, code: str) -> int:
        if code not in self.counts:
            self.counts[code] = sum(map(len, map(SECOND, self.found.get(code, ()))))  # in C
        return self.counts[code]

    def keys_of(self, code: str) -> list[str]:
        """What the pages of `code` show of each meeting's mentions of it (`mention_keys`), newest
        meeting first: what those pages are made from."""
        return list(map(THIRD, reversed(self.found.get(code, []))))

    def meetings(self, code: str) -> list[Meeting]:
        """The meetings that mention `code`, newest first (as its mentions are)."""
        meetings = list(map(FIRST, reversed(self.found.get(code, []))))  # found oldest first
        if not self.one_a_day and len({meeting.slug for meeting in meetings}) != len(meetings):
            # two meetings of a committee on one day (a draft beside published minutes): their
            # mentions interleave by item, as the mentions themselves say
            return list({ref.meeting.slug: ref.meeting for ref in self[code]}.values())
        return meetings


@dataclass
class Linked:
    archive: Archive
    meetings: list[Meeting]  # published ones, oldest first
    # each meeting's HTML, read from the cache as the pages that show it are made:
    # items[(slug, number)] is an item's, items.preamble(slug) what comes before the first item
    items: "MarkupStore" = field(default_factory=lambda: MarkupStore())
    descriptions: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, key) -> html
    mentions: Mentions = field(default_factory=lambda: Mentions())  # code -> newest first
    undefined: list[str] = field(default_factory=list)
    issues: dict[str, list[tuple[Meeting, Item]]] = field(default_factory=dict)  # newest first
    issue_titles: dict[str, str] = field(default_factory=dict)  # slug -> what pages, feeds and data call it
    decisions: list[tuple[Meeting, Item]] = field(default_factory=list)  # every decided item, newest first
    previous: dict[str, Meeting] = field(default_factory=dict)
    next: dict[str, Meeting] = field(default_factory=dict)
    approved_by: dict[str, Meeting] = field(default_factory=dict)
    by_committee: dict[str, list[Meeting]] = field(default_factory=dict)  # newest first
    by_year: dict[int, list[Meeting]] = field(default_factory=dict)  # newest first
    # for the incremental build: a hash of each meeting and what its Markdown depended on,
    # and of everything else in the content together
    fingerprints: dict[str, str] = field(default_factory=dict)  # slug -> hash
    settings_key: str = ""

    def forget_made(self) -> None:
        """Let go of what pages asked for (each code's mentions, the meetings' HTML read last): made
        again if asked for."""
        self.mentions.made.clear()
        self.items.found.clear()


class MarkupStore:
    """Each meeting's HTML: this build's when it rendered the meeting, else the last build's, read
    from the cache when a page first asks for it (a rebuild makes a few pages, and decoding every
    meeting's HTML took a tenth of it). A value the cache cannot give back is rendered again.
    `store[(slug, number)]` is an item's HTML (ItemHtml), as templates index it."""

    def __init__(self, keys: dict[str, str] | None = None, cache: BuildCache | None = None,
                 render_again: Callable[[str], MeetingMarkup] | None = None):
        self.keys = keys or {}  # slug -> the key of its render
        self.cache = cache or BuildCache.disabled()
        self.render_again = render_again
        # the meetings read last: a page reads one meeting's items one after another; not every
        # meeting, which a cold build would then hold whole until it ends
        self.found: OrderedDict[str, MeetingMarkup] = OrderedDict()

    KEPT = 256

    def of(self, slug: str) -> MeetingMarkup:
        found = self.found.get(slug)
        if found is None:
            key = self.keys[slug]
            found = self.cache.current.markup.get(key) or self.cache.previous.markup.get(key)
            if found is None:
                assert self.render_again is not None
                found = self.cache.current.markup[key] = self.render_again(slug)
            self.found[slug] = found
            if len(self.found) > self.KEPT:
                self.found.popitem(last=False)
        else:
            self.found.move_to_end(slug)
        return found

    def __getitem__(self, key: tuple[str, int]) -> ItemHtml:
        slug, number = key
        return self.of(slug).items[number]

    def preamble(self, slug: str) -> str | None:
        """The HTML of what a meeting's minutes say before the first item, when they do."""
        return self.of(slug).preamble


def published(archive: Archive, include_drafts: bool) -> list[Meeting]:
    return [m for m in archive.meetings if include_drafts or m.status != "draft"]


def render_meeting(meeting: Meeting, renderer: MarkdownRenderer) -> MeetingRender:
    result = MeetingRender(None, {}, [], [])

    def render(text: Text, number: int | None, inline: bool = False, min_heading: int = 3) -> Rendered:
        rendered = renderer.render(text.markdown, text.line, min_heading=min_heading, inline=inline)
        result.near_misses.extend(rendered.near_misses)
        result.mentions.extend((number, mention) for mention in rendered.mentions)
        return rendered

    if meeting.preamble:
        result.preamble = render(meeting.preamble, None, min_heading=2).html
    for item in meeting.items:
        html = ItemHtml()
        before = len(result.mentions)
        if item.summary:
            html.summary = render(item.summary, item.number).html
        html.recommendations = tuple(render(r, item.number, inline=True).html for r in item.recommendations)
        if item.minutes:
            # under the item's h2 and its "Minutes" h3: the clerk's ### become h4
            html.minutes = render(item.minutes, item.number, min_heading=4).html
        if item.decision:
            html.decision_inline = "\n\n" not in item.decision.markdown.strip()
            html.decision = render(item.decision, item.number, inline=html.decision_inline).html
        html.codes = tuple(dict.fromkeys(m.code for _, m in result.mentions[before:]))
        result.items[item.number] = html
    result.mention_keys = mention_keys(meeting, result.mentions)
    return result


def mention_keys(meeting: Meeting, mentions: list[tuple[int | None, Mention]]) -> dict[str, str]:
    """For each code the meeting mentions, a digest of what the indicator's page, data and feed show
    of those mentions (the meeting, its status and time, the item, the sentence): editing the rest
    of a meeting leaves its indicators' pages as they were."""
    shown: dict[str, list] = defaultdict(list)
    for number, mention in mentions:
        item = meeting.item(number) if number is not None else None
        shown[mention.code].append((item and (item.number, item.title), mention.sentence, mention.written))
    return {code: digest(meeting.slug, meeting.status, meeting.time, refs) for code, refs in shown.items()}


def render_meetings_cached(meetings: list[Meeting], renderer: MarkdownRenderer, keys: list[str],
                           cache: BuildCache, report: Report) -> list[MeetingFindings]:
    """What each meeting's Markdown mentions, or what the last build found in the same meeting with
    the same codes (the cache's "renders" stage, which replays the warnings about them into `report`);
    the missing ones rendered in the worker pool, their HTML kept in the "markup" stage (the others'
    HTML is read from the last build's as needed)."""
    index = dict(zip(keys, range(len(keys)), strict=True))

    def render_missing(missing: list[str]) -> dict[str, tuple[MeetingFindings, list]]:
        found: dict[str, tuple[MeetingFindings, list]] = {}
        in_order = iter(missing)
        # taken a run at a time as the workers make them: the HTML goes to the cache's stage, and
        # is not held here for every meeting at once
        for part in pool.map_chunks(lambda part: [render_meeting(meetings[index[key]], renderer) for key in part],
                                    missing):
            for value in part:
                key = next(in_order)
                cache.current.markup[key] = value.markup()
                findings = value.findings()
                found[key] = (findings, findings_problems(meetings[index[key]], findings))
        return found
    found = cache.memo_many("renders", keys, render_missing, report, hold=False)
    cache.carry("markup", keys)
    return [found[key] for key in keys]


def link(archive: Archive, report: Report, include_drafts: bool = False, cache: BuildCache | None = None) -> Linked:
    meetings = published(archive, include_drafts)
    linked = Linked(archive=archive, meetings=meetings)
    codes = CodeIndex(archive.indicators)
    renderer = MarkdownRenderer(codes, urls.indicator)
    mentions: dict[str, list[MeetingMentions]] = defaultdict(list)
    # drafts are checked too, even when they are not published
    checked = meetings if include_drafts else archive.meetings
    published_slugs = {m.slug for m in meetings}

    # Rendered Markdown depends on the meeting and on the codes and aliases of the indicators only.
    codes_key = digest(sorted((i.code, i.aliases) for i in archive.indicators.values()))
    keys = [digest(m.source.path, archive.fingerprints[m.source.path], codes_key) for m in checked]
    linked.fingerprints = {m.slug: key for m, key in zip(checked, keys, strict=True)}
    linked.settings_key = digest(archive.settings_key, include_drafts)
    cache = cache or BuildCache.disabled()
    rendered = render_meetings_cached(checked, renderer, keys, cache, report)
    for meeting, render in zip(checked, rendered, strict=True):
        take_mentions(meeting, render, mentions if meeting.slug in published_slugs else None)
    by_slug = {m.slug: m for m in checked}
    linked.items = MarkupStore({m.slug: key for m, key in zip(checked, keys, strict=True)}, cache,
                               lambda slug: render_meeting(by_slug[slug], renderer).markup())

    described: tuple[tuple[str, dict[str, Committee | Portfolio | Indicator | Issue]], ...] = (
        ("committee", dict(archive.committees)), ("portfolio", dict(archive.portfolios)),
        ("indicator", dict(archive.indicators)), ("issue", dict(archive.issues)))
    for kind, things in described:
        for key, thing in sorted(things.items()):
            if thing.description:
                linked.descriptions[(kind, key)] = renderer.render(thing.description.markdown, min_heading=3).html

    check_rag(archive, report)  # every stated rating that the site.yml rag_rule disagrees with
    check_meeting_references(archive, report)

    linked.mentions = Mentions(mentions, one_a_day=len(published_slugs) == len(meetings))
    linked.undefined = sorted(code for code in linked.mentions if code not in archive.indicators)

    issues: dict[str, list[tuple[Meeting, Item]]] = defaultdict(list)
    by_committee: dict[str, list[Meeting]] = defaultdict(list)
    by_year: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        by_committee[meeting.committee].append(meeting)
        by_year[meeting.year].append(meeting)
        for item in meeting.items:
            if item.issue:
                issues[item.issue].append((meeting, item))
    linked.issues = {slug: sorted(entries, key=lambda e: (e[0].date, e[0].committee, e[1].number), reverse=True)
                     for slug, entries in sorted(issues.items())}
    linked.issue_titles = {slug: archive.issues[slug].name if slug in archive.issues else issue_title(entries)
                           for slug, entries in linked.issues.items()}
    linked.decisions = [(m, i) for m in reversed(meetings) for i in m.items if i.decision]
    for slug, committee_meetings in sorted(by_committee.items()):
        for before, after in zip(committee_meetings, committee_meetings[1:], strict=False):
            linked.next[before.slug] = after
            linked.previous[after.slug] = before
        linked.by_committee[slug] = list(reversed(committee_meetings))
    linked.by_year = {year: list(reversed(ms)) for year, ms in sorted(by_year.items())}

    by_date: dict[datetime.date, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        by_date[meeting.date].append(meeting)
    for meeting in meetings:
        if meeting.approved_on:
            approving = approving_meeting(meeting, by_date.get(meeting.approved_on, []))
            if approving:
                linked.approved_by[meeting.slug] = approving
    return linked


def findings_problems(meeting: Meeting, rendered: MeetingFindings) -> list[Problem]:
    """The warnings about what one meeting's rendered Markdown mentions: near misses of a code and
    undefined codes (kept with the findings by the cache, and replayed: a large archive's tens of
    thousands, made again at every build, were a tenth of linking)."""
    report = Report()
    path = meeting.source.path
    for miss, line in rendered.near_misses:
        if miss.letter_for_digit:
            report.warning(path, line, f"`{miss.written}` looks like the indicator code {miss.suggestion} "
                                       f"with the letter O for a zero",
                           f"did you mean {miss.suggestion}? write it with the digit 0")
            continue
        report.warning(path, line, f"`{miss.written}` looks like a misspelt indicator code",
                       f"did you mean {miss.suggestion}? add it as an alias: `aliases: [{miss.written}]` in "
                       f"content/indicators/{miss.suggestion}.yml (create that file if {miss.suggestion} "
                       f"is not defined yet), or correct the minutes")
    for code, found in rendered.mentions.items():
        for _, defined, _, _, line in found:
            if not defined:
                report.warning(path, line, f"indicator `{code}` is mentioned but not defined",
                               f"add content/indicators/{code}.yml")
    return report.problems


def take_mentions(meeting: Meeting, rendered: MeetingFindings,
                  mentions: dict[str, list[MeetingMentions]] | None) -> None:
    """Where one meeting's mentions go when it is published (`mentions`; None: a draft, checked only)."""
    if mentions is None:
        return
    keys = rendered.mention_keys
    for code, found in rendered.mentions.items():  # not changed by anyone: the cache holds them
        mentions[code].append((meeting, found, keys[code]))


def check_meeting_references(archive: Archive, report: Report) -> None:
    """References between meeting files stay whole: `approved_on` names a meeting of the same
    committee, or the only meeting of that day (a draft counts: its page links once it is
    published), and no two published files
    are one meeting (two of a committee on one day, or the same items: a rename half done)."""
    dates: dict[str, set[datetime.date]] = defaultdict(set)
    on_day: dict[datetime.date, list[Meeting]] = defaultdict(list)
    for meeting in archive.meetings:
        dates[meeting.committee].add(meeting.date)
        on_day[meeting.date].append(meeting)
    for meeting in archive.meetings:
        # minutes approved at another body's meeting (a sub-committee's, by its parent) name the
        # only meeting of that day, as the page's link does
        if meeting.approved_on and approving_meeting(meeting, on_day.get(meeting.approved_on, [])) is None:
            later = sorted(d for d in dates[meeting.committee] if d > meeting.date)
            report.error(meeting.source.path, meeting.approved_on_line,
                         f"approved_on {meeting.approved_on.isoformat()} names no meeting of `{meeting.committee}`: "
                         f"there is no {meeting.source.path.split('/')[0]}/meetings/{meeting.approved_on.year}/"
                         f"{meeting.approved_on.isoformat()}-{meeting.committee}.md",
                         (f"write the date of the meeting that approved these minutes (the committee's next meetings: "
                          f"{', '.join(d.isoformat() for d in later[:3])})") if later else
                         "start that meeting's file first (`python build.py new`), or leave approved_on out")
    seen_day: dict[tuple[str, datetime.date], Meeting] = {}
    seen_items: dict[tuple, Meeting] = {}
    in_order = sorted((m for m in archive.meetings if m.status != "draft"), key=lambda m: m.source.path)
    # only meetings whose items have the same titles can have the same items: those are compared
    titles = Counter(tuple(map(TITLE, meeting.items)) for meeting in in_order)
    for meeting in in_order:
        first = seen_day.setdefault((meeting.committee, meeting.date), meeting)
        if first is not meeting:
            report.error(meeting.source.path, 1,
                         f"{first.source.path} is a meeting of the same committee on the same day",
                         "a committee meets once a day: keep one file, and delete the other")
            continue
        if titles[tuple(map(TITLE, meeting.items))] < 2:
            continue
        key = tuple((i.number, i.title, i.summary and i.summary.markdown, i.decision and i.decision.markdown,
                     i.minutes and i.minutes.markdown) for i in meeting.items)
        if not any(any(part[2:]) for part in key):  # titles alone (an agenda skeleton) repeat by design
            continue
        first = seen_items.setdefault(key, meeting)
        if first is not meeting and _one_slip_apart(first, meeting):
            report.error(meeting.source.path, 1,
                         f"this meeting has the same items as {first.source.path}: one of them looks left over "
                         f"from a rename",
                         f"if the meeting moved, delete the old file (git rm {first.source.path} or "
                         f"git rm {meeting.source.path}); if both meetings are real, correct the items")


def _one_slip_apart(a: Meeting, b: Meeting) -> bool:
    """Whether two files with the same items look like one meeting renamed, not a copy made on
    purpose: the date corrected by up to a month or in its year alone, or the committee corrected."""
    if a.date == b.date:
        return True
    if a.committee != b.committee:
        return False
    return abs((a.date - b.date).days) <= 31 or (a.date.month, a.date.day) == (b.date.month, b.date.day)


def approving_meeting(meeting: Meeting, same_day: list[Meeting]) -> Meeting | None:
    """Of the meetings on the approval date: the same committee's; failing that, the only one."""
    for other in same_day:
        if other.committee == meeting.committee:
            return other
    return same_day[0] if len(same_day) == 1 else None


def issue_title(entries: list[tuple[Meeting, Item]]) -> str:
    """An issue without a file of its own (content/issues/) is named by the part of its items' titles
    they share (`X - Mid-Year Report` and `X - Draft` give `X`); when they share none, by its first
    item's title: the name it began with, not whatever the newest report was called. A title in
    capitals is shown in sentence case."""
    titles = [item.title for _, item in entries]  # newest first
    heads = {title.split(" - ")[0].split(" – ")[0].strip() for title in titles}
    return sentence_case(heads.pop() if len(heads) == 1 else titles[-1])


def sentence_case(title: str) -> str:
    """`PORTFOLIO PERFORMANCE 2020/21 (CFSE.29)` -> `Portfolio performance 2020/21 (CFSE.29)`: a title with no
    lower-case letter has its words lowered, except those with a digit (codes, years); others are kept."""
    if not any(c.isalpha() for c in title) or any(c.islower() for c in title):
        return title
    words = [word if any(c.isdigit() for c in word) else word.lower() for word in title.split(" ")]
    text = " ".join(words)
    for index, char in enumerate(text):
        if char.isalpha():
            return text[:index] + char.upper() + text[index + 1:]
    return text
