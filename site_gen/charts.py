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

import math
from typing import Callable

from markupsafe import Markup, escape

from .codes import indicator_slug
from .models import Indicator, IndicatorValue

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 24, 48  # margins around the plot area
INSET = 28  # space between the plot's edge and the first and last period
CHAR = 7.2  # approximate width of one character of the 13-unit font, for spacing labels

SHAPES = {"green": "circle", "amber": "triangle", "red": "square", None: "hollow circle"}
RAG_SHORT = {"green": "Green", "amber": "Amber", "red": "Red", None: "No rating"}


def _n(value: float) -> str:
    """A coordinate: one decimal place, always the same text for the same number."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def plain(value: float) -> str:
    text = f"{round(value, 6):f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


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


def line_chart(indicator: Indicator, number: Callable[[float, str | None], str]) -> Markup | None:
    """The indicator's chart as inline SVG markup, or None with fewer than two actual values.

    `number` formats a value with the indicator's unit for labels (render.format_number).
    """
    if not has_chart(indicator):
        return None
    values = charted(indicator)
    unit = indicator.unit
    ident = f"chart-{indicator_slug(indicator.code)}"
    numbers = [n for v in values for n in (v.actual, v.target) if n is not None]
    bottom, top, ticks = scale(numbers, unit)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = (plot_w - 2 * INSET) / (len(values) - 1)

    def x_of(index: int) -> float:
        return LEFT + INSET + index * step

    def y_of(amount: float) -> float:
        return TOP + plot_h - (amount - bottom) / (top - bottom) * plot_h

    actuals = [(i, v) for i, v in enumerate(values) if v.actual is not None]
    targets = [(i, v) for i, v in enumerate(values) if v.target is not None]
    first, last = actuals[0][1], actuals[-1][1]
    low = min(v.actual for _, v in actuals)
    high = max(v.actual for _, v in actuals)
    latest = f"{number(last.actual, unit)}"
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
        out.append(f'<line x1="{_n(LEFT)}" y1="{_n(y)}" x2="{_n(WIDTH - RIGHT)}" y2="{_n(y)}"/>')
    out.append('</g>')
    out.append('<g class="chart__y-labels">')
    for tick in ticks:
        out.append(f'<text x="{_n(LEFT - 8)}" y="{_n(y_of(tick) + 4)}" text-anchor="end">'
                   f'{escape(number(tick, unit))}</text>')
    out.append('</g>')
    out.append(f'<line class="chart__axis" x1="{_n(LEFT)}" y1="{_n(TOP + plot_h)}" x2="{_n(WIDTH - RIGHT)}" '
               f'y2="{_n(TOP + plot_h)}"/>')

    # period labels: thinned (counting back from the latest) so that they never overlap
    widest = max(len(v.period) for v in values) * CHAR + 12
    every = max(1, math.ceil(widest / step))
    out.append('<g class="chart__x-labels">')
    for index, value in enumerate(values):
        if (len(values) - 1 - index) % every == 0:
            out.append(f'<text x="{_n(x_of(index))}" y="{_n(TOP + plot_h + 22)}" text-anchor="middle">'
                       f'{escape(value.period)}</text>')
    out.append('</g>')

    # target: a dashed line through a short dash at each period
    if targets:
        if len(targets) >= 2:
            points = " ".join(f"{_n(x_of(i))},{_n(y_of(v.target))}" for i, v in targets)
            out.append(f'<polyline class="chart__target" points="{points}"/>')
        out.append('<g class="chart__target-marks">')
        for i, v in targets:
            x, y = x_of(i), y_of(v.target)
            out.append(f'<g class="chart__target-mark"><title>{escape(f"{v.period}: target {number(v.target, unit)}")}'
                       f'</title><line x1="{_n(x - 10)}" y1="{_n(y)}" x2="{_n(x + 10)}" y2="{_n(y)}"/></g>')
        out.append('</g>')

    # actual: a solid line, a marker per value and its figure above it
    points = " ".join(f"{_n(x_of(i))},{_n(y_of(v.actual))}" for i, v in actuals)
    out.append(f'<polyline class="chart__actual" points="{points}"/>')
    label_all = step >= 56
    out.append('<g class="chart__points">')
    for n, (i, v) in enumerate(actuals):
        x, y = x_of(i), y_of(v.actual)
        words = f"{v.period}: actual {number(v.actual, unit)}"
        if v.target is not None:
            words += f", target {number(v.target, unit)}"
        words += f", {RAG_SHORT[v.rag].lower() if v.rag else 'no rating'}"
        rag = v.rag or "none"
        out.append(f'<g class="chart__point chart__point--{rag}"><title>{escape(words)}</title>'
                   f'{marker(v.rag, x, y)}')
        if label_all or n in (0, len(actuals) - 1):
            out.append(f'<text class="chart__value" x="{_n(x)}" y="{_n(y - 12)}" text-anchor="middle">'
                       f'{escape(number(v.actual, unit))}</text>')
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
