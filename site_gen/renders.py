"""What rendering one meeting's Markdown produced: made by linking (in the worker pool), kept by
the build cache (its "renders" stage). Plain data, so that workers can return it and the cache
can read it back by its type hints."""
from __future__ import annotations

from dataclasses import dataclass

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
    """One meeting's rendered Markdown, with the indicator codes found in it."""

    preamble: str | None
    items: dict[int, ItemHtml]
    mentions: list[tuple[int | None, Mention]]  # (item number or None for the preamble, mention)
    near_misses: list[tuple[NearMiss, int]]
