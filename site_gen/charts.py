"""Charts drawn at build time as inline SVG: no JavaScript, nothing fetched when the page is read.

`line_chart` draws an indicator's actual values (a solid line with a marker per
period) and targets (a dashed line with a dash per period). The marker's shape
says its RAG rating — circle green, triangle amber, square red, hollow circle
none — so colour only repeats what the shape and the legend say; every marker
also has a `<title>` in words. The chart is `role="img"` with a `<title>` and
`<desc>`; the values table beside it is its full accessible equivalent.

Output is deterministic: coordinates are rounded to one decimal place, and
every piece of text is escaped.
"""
from __future__ import annotations

import itertools
import math
from typing import Callable

from markupsafe import Markup, escape

from .codes import indicator_slug
from .models import Indicator, IndicatorValue

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 36, 44  # margins around the plot area (LEFT: at least)
INSET = 28  # space between the plot's edge and the first and last period (at least)
FONT, FONT_PHONE = 13, 22  # text size in viewBox units; assets/site.css sets the same two
CHAR_EM = 0.6  # a character's typical width, in ems, for spacing labels (digits 0.55, "%" 0.9)

SHAPES = {"green": "circle", "amber": "triangle", "red": "square", None: "hollow circle"}
RAG_SHORT = {"green": "Green", "amber": "Amber", "red": "Red", None: "No rating"}


def _n(value: float) -> str:
    """A coordinate: one decimal place, always the same text for the same number."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def nice_step(span: float, target_ticks: int = 5) -> float:
    raw = span / max(target_ticks - 1, 1)
    exponent = math.floor(math.log10(raw))
    fraction = raw / 10 ** exponent
    for nice in (1, 2, 2.5, 5, 10):
        if fraction <= nice + 1e-9:
            return nice * 10 ** exponent
    return 10 * 10 ** exponent


def scale(numbers: list[float], unit: str | None) -> tuple[float, float, list[float]]:
    """A rounded y-range around the numbers and its tick values."""
    low, high = min(numbers), max(numbers)
    if high == low:
        pad = abs(high) * 0.1 or 1.0
        low, high = low - pad, high + pad
    step = nice_step(high - low)
    bottom = math.floor(round(low / step, 9)) * step
    top = math.ceil(round(high / step, 9)) * step
    if bottom < 0 <= min(numbers):
        bottom = 0.0
    if unit == "%" and top > 100 >= max(numbers) and bottom >= 0:
        top = 100.0
    ticks = []
    count = int(round((top - bottom) / step))
    for i in range(count + 1):
        ticks.append(round(bottom + i * step, 9))
    if ticks[-1] < top:
        ticks.append(top)
    return bottom, top, ticks


def marker(shape_of: str | None, x: float, y: float, size: float = 6.0) -> str:
    """The marker of one actual value; its shape says the rating."""
    if shape_of == "green":
        return f'<circle class="chart__marker" cx="{_n(x)}" cy="{_n(y)}" r="{_n(size)}"/>'
    if shape_of == "amber":
        h = size * 1.25
        return (f'<polygon class="chart__marker" points="{_n(x)},{_n(y - h)} {_n(x + h)},{_n(y + h * 0.8)} '
                f'{_n(x - h)},{_n(y + h * 0.8)}"/>')
    if shape_of == "red":
        return (f'<rect class="chart__marker" x="{_n(x - size)}" y="{_n(y - size)}" width="{_n(size * 2)}" '
                f'height="{_n(size * 2)}"/>')
    return f'<circle class="chart__marker" cx="{_n(x)}" cy="{_n(y)}" r="{_n(size - 1)}"/>'


def charted(indicator: Indicator) -> list[IndicatorValue]:
    """The values a chart shows: those with an actual or a target, in file order (oldest first)."""
    return [v for v in indicator.values if v.actual is not None or v.target is not None]


def has_chart(indicator: Indicator) -> bool:
    """A chart needs at least two actual values: fewer show no movement."""
    return sum(1 for v in indicator.values if v.actual is not None) >= 2


def _width(text: str, font: float) -> float:
    """Roughly how wide a label is, in viewBox units, at a font size."""
    return len(text) * font * CHAR_EM


def line_chart(indicator: Indicator, number: Callable[[float, str | None], str]) -> Markup | None:
    """The indicator's chart as inline SVG markup, or None with fewer than two actual values.

    `number(value, unit)` formats a figure (render.format_number). Labels inside the chart
    carry only a "%" unit; other units are named in the caption beside it. On narrow screens
    the stylesheet enlarges the text to FONT_PHONE and hides labels marked `chart__minor`,
    which would overlap at that size.
    """
    if not has_chart(indicator):
        return None
    values = charted(indicator)
    unit = indicator.unit
    short_unit = "%" if unit == "%" else None
    ident = f"chart-{indicator_slug(indicator.code)}"
    numbers = [n for v in values for n in (v.actual, v.target) if n is not None]
    bottom, top, ticks = scale(numbers, unit)
    tick_labels = [number(tick, short_unit) for tick in ticks]
    left = max(LEFT, math.ceil(max(_width(t, FONT_PHONE) for t in tick_labels) + 20))
    widest = max(len(v.period) for v in values)
    inset = min(max(INSET, math.ceil(widest * FONT_PHONE * CHAR_EM / 2 - RIGHT + 4)), 90)
    plot_w, plot_h = WIDTH - left - RIGHT, HEIGHT - TOP - BOTTOM
    step = (plot_w - 2 * inset) / (len(values) - 1)
    base = TOP + plot_h

    def x_of(index: int) -> float:
        return left + inset + index * step

    def y_of(amount: float) -> float:
        return base - (amount - bottom) / (top - bottom) * plot_h

    # (index, value, its figure) of the values that have one
    actuals = [(i, v, v.actual) for i, v in enumerate(values) if v.actual is not None]
    targets = [(i, v, v.target) for i, v in enumerate(values) if v.target is not None]
    first, last = actuals[0][1], actuals[-1][1]
    low = min(actual for _, _, actual in actuals)
    high = max(actual for _, _, actual in actuals)
    latest = f"{number(actuals[-1][2], unit)}"
    if last.target is not None:
        latest += f" against a target of {number(last.target, unit)}"
    if last.rag:
        latest += f", rated {RAG_SHORT[last.rag].lower()}"
    title = f"{indicator.code}: actual{' and target' if targets else ''} by period"
    desc = (f"Line chart of {len(actuals)} actual values from {first.period} to {last.period}"
            f"{', with the target as a dashed line' if targets else ''}. "
            f"Actual values ranged from {number(low, unit)} to {number(high, unit)}; "
            f"the latest, {last.period}, was {latest}. "
            f"Each marker's shape gives its rating: circle green, triangle amber, square red, hollow circle none. "
            f"The table of values gives every figure.")

    out = [f'<svg class="chart__svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
           f'role="img" aria-labelledby="{ident}-title {ident}-desc">',
           f'<title id="{ident}-title">{escape(title)}</title>',
           f'<desc id="{ident}-desc">{escape(desc)}</desc>']

    # grid and y-axis labels
    out.append('<g class="chart__grid">')
    for tick in ticks:
        y = y_of(tick)
        out.append(f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(WIDTH - RIGHT)}" y2="{_n(y)}"/>')
    out.append('</g>')
    out.append('<g class="chart__y-labels">')
    for tick, label in zip(ticks, tick_labels, strict=True):
        out.append(f'<text x="{_n(left - 8)}" y="{_n(y_of(tick))}" text-anchor="end" dominant-baseline="middle">'
                   f'{escape(label)}</text>')
    out.append('</g>')
    out.append(f'<line class="chart__axis" x1="{_n(left)}" y1="{_n(base)}" x2="{_n(WIDTH - RIGHT)}" y2="{_n(base)}"/>')

    # period labels, thinned counting back from the latest so that they never overlap:
    # `every` at the normal size, `every_phone` at the enlarged one (the rest are minor)
    every = max(1, math.ceil((widest * FONT * CHAR_EM + 12) / step))
    every_phone = max(1, math.ceil((widest * FONT_PHONE * CHAR_EM + 12) / step))
    out.append('<g class="chart__x-labels">')
    for index, value in enumerate(values):
        back = len(values) - 1 - index
        if back % every == 0:
            minor = "" if back % every_phone == 0 else ' class="chart__minor"'
            x, anchor, half = x_of(index), "middle", _width(value.period, FONT_PHONE) / 2
            if x + half > WIDTH - 2:  # keep a long label at either end inside the chart
                x, anchor = min(x + 10, WIDTH - 2), "end"
            elif x - half < 2:
                x, anchor = max(x - 10, 2), "start"
            out.append(f'<text{minor} x="{_n(x)}" y="{_n(base + 12)}" text-anchor="{anchor}" '
                       f'dominant-baseline="hanging">{escape(value.period)}</text>')
    out.append('</g>')

    # target: a dashed line through a short dash at each period
    if targets:
        if len(targets) >= 2:
            points = " ".join(f"{_n(x_of(i))},{_n(y_of(target))}" for i, _, target in targets)
            out.append(f'<polyline class="chart__target" points="{points}"/>')
        out.append('<g class="chart__target-marks">')
        for i, v, target in targets:
            x, y = x_of(i), y_of(target)
            out.append(f'<g class="chart__target-mark"><title>{escape(f"{v.period}: target {number(target, unit)}")}'
                       f'</title><line x1="{_n(x - 10)}" y1="{_n(y)}" x2="{_n(x + 10)}" y2="{_n(y)}"/></g>')
        out.append('</g>')

    # actual: a solid line, a marker per value and its figure beside it
    points = " ".join(f"{_n(x_of(i))},{_n(y_of(actual))}" for i, _, actual in actuals)
    out.append(f'<polyline class="chart__actual" points="{points}"/>')
    labels = [number(actual, short_unit) for _, _, actual in actuals]
    label_room = step * min((b - a for (a, *_), (b, *_) in itertools.pairwise(actuals)), default=1)
    all_labels = label_room >= max(_width(t, FONT) for t in labels) + 10
    all_labels_phone = label_room >= max(_width(t, FONT_PHONE) for t in labels) + 10
    out.append('<g class="chart__points">')
    for n, (i, v, actual) in enumerate(actuals):
        x, y = x_of(i), y_of(actual)
        words = f"{v.period}: actual {number(actual, unit)}"
        if v.target is not None:
            words += f", target {number(v.target, unit)}"
        words += f", {RAG_SHORT[v.rag].lower() if v.rag else 'no rating'}"
        out.append(f'<g class="chart__point chart__point--{v.rag or "none"}"><title>{escape(words)}</title>'
                   f'{marker(v.rag, x, y)}')
        ends = n in (0, len(actuals) - 1)
        if all_labels or ends:
            minor = "" if all_labels_phone or ends else " chart__minor"
            # above the marker, unless the target line or the top edge is just above it
            target_above = v.target is not None and 0 < y - y_of(v.target) < 28
            below = (target_above or y - TOP < 20) and base - y > 40
            place = (f'y="{_n(y + 12)}" dominant-baseline="hanging"' if below
                     else f'y="{_n(y - 12)}"')
            out.append(f'<text class="chart__value{minor}" x="{_n(x)}" {place} text-anchor="middle">'
                       f'{escape(labels[n])}</text>')
        out.append('</g>')
    out.append('</g>')
    out.append('</svg>')
    return Markup("\n".join(out))


def legend(indicator: Indicator) -> list[tuple[str, Markup]]:
    """(words, small aria-hidden SVG) for each marker the chart uses, then the target line."""
    values = charted(indicator)
    entries = []
    for rag in ("green", "amber", "red", None):
        if any(v.actual is not None and v.rag == rag for v in values):
            icon = (f'<svg class="chart__key chart__point--{rag or "none"}" viewBox="0 0 16 16" width="16" '
                    f'height="16" aria-hidden="true">{marker(rag, 8, 8.5, 5)}</svg>')
            entries.append((f"{RAG_SHORT[rag]} ({SHAPES[rag]})", Markup(icon)))
    if any(v.target is not None for v in values):
        icon = ('<svg class="chart__key" viewBox="0 0 24 16" width="24" height="16" aria-hidden="true">'
                '<line class="chart__target" x1="0" y1="8" x2="24" y2="8"/></svg>')
        entries.append(("Target (dashed line)", Markup(icon)))
    return entries


def sparkline(indicator: Indicator) -> Markup | None:
    """A tiny line of the actual values for the index page: decorative (aria-hidden), since the
    direction of travel is written beside it."""
    actuals = [v.actual for v in indicator.values if v.actual is not None]
    if len(actuals) < 2:
        return None
    width, height, pad = 96, 24, 3
    low, high = min(actuals), max(actuals)
    span = (high - low) or 1.0
    step = (width - 2 * pad) / (len(actuals) - 1)
    xy = [(pad + i * step, pad + (high - a) / span * (height - 2 * pad) if high != low else height / 2)
          for i, a in enumerate(actuals)]
    points = " ".join(f"{_n(x)},{_n(y)}" for x, y in xy)
    x, y = xy[-1]
    return Markup(f'<svg class="sparkline" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
                  f'aria-hidden="true"><polyline points="{points}"/><circle cx="{_n(x)}" cy="{_n(y)}" r="2.5"/></svg>')
