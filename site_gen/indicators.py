"""Performance indicators as data: the RAG rule, direction of travel and the latest rating.

Pure functions of the loaded archive (no I/O, no HTML): `linking.py` calls
`check_rag` so that `check` warns about ratings that disagree with the rule,
and `render.py` uses `view` for the indicator pages and the index.

The RAG rule (site.yml `rag_rule`, see `RagRule`):

- higher-is-better: green when actual >= target; amber when it falls short of the
  target by no more than the tolerance; red when it falls short by more.
- lower-is-better: the same, with "short" meaning above the target.
- none: no RAG check — with no better direction, "meets the target" has no meaning.
- The tolerance is `amber_tolerance` percent of the target (`amber_tolerance_in:
  percent`, the default) or `amber_tolerance` in the indicator's own unit
  (`amber_tolerance_in: points`, e.g. percentage points). Boundaries are inclusive:
  exactly the tolerance short is still amber.
- A value without an actual, a target or a stated `rag` is not checked.

Values are listed oldest first in an indicator's file, so the last one is the latest.
"""
from __future__ import annotations

from dataclasses import dataclass

from .models import Archive, Indicator, IndicatorValue, RagRule
from .problems import Report

DIRECTED = ("higher-is-better", "lower-is-better")
_PLACES = 9  # figures are rounded to this many decimal places before comparing (float noise)


def plain_number(value: float) -> str:
    """48.0 -> 48, 48.25 -> 48.25: for messages, never in a fixed format."""
    text = f"{round(value, 4):f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def tolerance_of(value: IndicatorValue, rule: RagRule) -> float:
    """The amber band's width for this value, in the indicator's unit."""
    if rule.tolerance_in == "points":
        return rule.amber_tolerance
    return abs(value.target or 0.0) * rule.amber_tolerance / 100


def shortfall(actual: float, target: float, polarity: str) -> float:
    """How far the actual is on the wrong side of the target (<= 0: meets it)."""
    gap = target - actual if polarity == "higher-is-better" else actual - target
    return round(gap, _PLACES)


def expected_rag(value: IndicatorValue, polarity: str, rule: RagRule | None) -> str | None:
    """The rating the rule gives, or None when it cannot say (no rule, no polarity, a figure missing)."""
    if rule is None or polarity not in DIRECTED or value.actual is None or value.target is None:
        return None
    short = shortfall(value.actual, value.target, polarity)
    if short <= 0:
        return "green"
    if short <= round(tolerance_of(value, rule), _PLACES):
        return "amber"
    return "red"


@dataclass(frozen=True)
class RagCheck:
    """A value whose stated rating differs from the rule's."""

    value: IndicatorValue
    stated: str
    expected: str
    reason: str  # why the rule gives `expected`, in words


def explain(value: IndicatorValue, polarity: str, rule: RagRule, unit: str | None = None) -> str:
    """Why the rule rates the value as it does; for a value with both figures (expected_rag rated it)."""
    if value.actual is None or value.target is None:
        raise ValueError(f"{value.period}: a rating is explained only for a value with an actual and a target")
    actual, target = plain_number(value.actual), plain_number(value.target)
    suffix = "%" if unit == "%" else (f" {unit}" if unit else "")
    gap_unit = " percentage points" if unit == "%" else ""  # a difference of percentages
    short = shortfall(value.actual, value.target, polarity)
    if short <= 0:
        return f"actual {actual}{suffix} meets the target of {target}{suffix}"
    side = "below" if polarity == "higher-is-better" else "above"
    tolerance = plain_number(tolerance_of(value, rule))
    within = "within" if short <= round(tolerance_of(value, rule), _PLACES) else "beyond"
    band = f" ({plain_number(rule.amber_tolerance)}% of the target)" if rule.tolerance_in == "percent" else ""
    return (f"actual {actual}{suffix} is {side} the target of {target}{suffix} by {plain_number(short)}{gap_unit}, "
            f"{within} the amber tolerance of {tolerance}{gap_unit}{band}")


def rag_checks(indicator: Indicator, rule: RagRule | None) -> dict[int, RagCheck]:
    """Every value whose stated rating the rule disagrees with, by its index in `indicator.values`."""
    found: dict[int, RagCheck] = {}
    if rule is None:
        return found
    for index, value in enumerate(indicator.values):
        expected = expected_rag(value, indicator.polarity, rule)
        if expected and value.rag and value.rag != expected:
            found[index] = RagCheck(
                value, value.rag, expected, explain(value, indicator.polarity, rule, indicator.unit)
            )
    return found


def check_rag(archive: Archive, report: Report) -> None:
    """Warn, at the value's line, about every stated rating that the site's rule disagrees with."""
    rule = archive.site.rag_rule
    if rule is None:
        return
    rule_at = f"{archive.site.source.path}:{rule.line}"
    for code in sorted(archive.indicators):
        indicator = archive.indicators[code]
        for check in rag_checks(indicator, rule).values():
            report.warning(
                indicator.source.path, check.value.line,
                f"{code} {check.value.period}: the rating is {check.stated} but the RAG rule gives "
                f"{check.expected} ({check.reason})",
                f"if the report rated it {check.stated}, keep it (the page marks the difference) or adjust the "
                f"rule at {rule_at}; if it is a slip, write `rag: {check.expected}` or correct the figures")


@dataclass(frozen=True)
class Direction:
    """Direction of travel between the last two values that have an actual."""

    word: str  # Improving, Worsening, Increasing, Decreasing or No change
    key: str  # the same, lower-case with hyphens: a CSS class
    previous: IndicatorValue
    latest: IndicatorValue
    change: float


def direction(values: tuple[IndicatorValue, ...] | list[IndicatorValue], polarity: str) -> Direction | None:
    """"Improving"/"Worsening" by polarity, "Increasing"/"Decreasing" when polarity is none."""
    numeric = [(v, v.actual) for v in values if v.actual is not None]
    if len(numeric) < 2:
        return None
    (previous, before), (latest, now) = numeric[-2], numeric[-1]
    change = round(now - before, _PLACES)
    if change == 0:
        word = "No change"
    elif polarity in DIRECTED:
        better = (change > 0) == (polarity == "higher-is-better")
        word = "Improving" if better else "Worsening"
    else:
        word = "Increasing" if change > 0 else "Decreasing"
    return Direction(word, word.lower().replace(" ", "-"), previous, latest, change)


def latest_rated(values) -> IndicatorValue | None:
    """The latest value that states a rating."""
    return next((v for v in reversed(values) if v.rag), None)


@dataclass(frozen=True)
class View:
    """What the pages show about one indicator beyond its own fields."""

    latest: IndicatorValue | None  # latest value with a rating
    direction: Direction | None
    checks: dict[int, RagCheck]  # index in indicator.values -> disagreement with the rule
    numeric: int  # how many values have an actual

    @property
    def latest_check(self) -> RagCheck | None:
        """The rule's disagreement with the latest rating, which the page's headline shows beside it."""
        return next((check for check in self.checks.values() if check.value is self.latest), None)


def view(indicator: Indicator, rule: RagRule | None) -> View:
    return View(latest=latest_rated(indicator.values), direction=direction(indicator.values, indicator.polarity),
                checks=rag_checks(indicator, rule), numeric=sum(1 for v in indicator.values if v.actual is not None))
