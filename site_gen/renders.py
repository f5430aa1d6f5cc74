"""What the build makes of one meeting and keeps in the cache: what rendering its Markdown
produced (made by linking, in the worker pool: the "renders" and "markup" stages) and its
entries in the bulk open-data files (the "rows" stage). Plain data, so that workers can return
it and the cache can read it back by its type hints."""
from __future__ import annotations

from dataclasses import dataclass, field

from .codes import NearMiss
from .markdown import Mention


@dataclass
class ItemHtml:
    summary: str | None = None
    recommendations: tuple[str, ...] = ()
    minutes: str | None = None
    decision: str | None = None
    decision_inline: bool = True
    codes: tuple[str, ...] = ()  # indicators it mentions, in order of first mention


@dataclass
class MeetingRender:
    """One meeting's rendered Markdown, with the indicator codes found in it: what linking needs
    (the cache's "renders" stage) and the HTML, kept apart (`MeetingMarkup`)."""

    preamble: str | None
    items: dict[int, ItemHtml]
    mentions: list[tuple[int | None, Mention]]  # (item number or None for the preamble, mention)
    near_misses: list[tuple[NearMiss, int]]
    mention_keys: dict[str, str] = field(default_factory=dict)  # as MeetingFindings'

    def findings(self) -> "MeetingFindings":
        by_code: dict[str, list[list]] = {}
        for number, mention in self.mentions:
            by_code.setdefault(mention.code, []).append(
                [number, mention.defined, mention.written, mention.sentence, mention.line])
        return MeetingFindings(by_code, self.near_misses, self.mention_keys)

    def markup(self) -> "MeetingMarkup":
        return MeetingMarkup(self.preamble, self.items)


@dataclass
class MeetingFindings:
    """What linking takes from a meeting's rendered Markdown: the indicator codes mentioned, and
    the near misses it warns about. Read from the cache for every meeting on every build."""

    # code -> its mentions in the order of the minutes, each as the array the cache holds: [item
    # number or None for the preamble, whether the code is defined, as written, the sentence,
    # the line]. Grouped once when rendered, and read back as they are, not made into objects:
    # linking takes thousands of meetings' at every build, and a rebuild shows the mentions of
    # the few codes whose pages it makes (`linking.Mentions` takes those apart)
    mentions: dict[str, list[list]]
    near_misses: list[tuple[NearMiss, int]]
    # code -> a digest of the meeting's mentions of it as the indicator's page, data and feed show
    # them: what those outputs are made from, without going through every mention at each build
    mention_keys: dict[str, str]


@dataclass
class MeetingMarkup:
    """A meeting's Markdown as HTML (the cache's "markup" stage): read from the cache only for the
    pages a build makes, a few on a rebuild, rather than decoded whole for every meeting."""

    preamble: str | None
    items: dict[int, ItemHtml]


@dataclass
class MeetingRows:
    """A meeting's entries in the bulk open-data files, as JSON text (the cache's "rows" stage):
    its row of meetings.json, and its items with a decision or an issue as decisions.json and
    issues.json list them. Those files are put together from these, so a rebuild makes only the
    changed meetings' entries, not every entry of the archive."""

    row: str
    items: dict[int, str]  # item number -> the item's entry
    # a hash of the above: what the bulk files' inputs are made of, so that they are not put
    # together (nor their tens of megabytes hashed) when no meeting's entries changed
    digest: str
