"""How the archive words dates, figures and reports: one place for every page, feed and file."""
from __future__ import annotations

import datetime
import re


def long_date(value: datetime.date) -> str:
    """9 December 2020."""
    return f"{value.day} {value:%B %Y}"


def weekday_date(value: datetime.date) -> str:
    """Wednesday 9 December 2020."""
    return f"{value:%A} {value.day} {value:%B %Y}"


def format_number(value: float | None, unit: str | None = None) -> str:
    if value is None:
        return ""
    text = f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"
    if unit == "%":
        return text + "%"
    if unit in ("£", "$", "€"):  # currency reads before the figure: £5, -£5
        return f"-{unit}{text[1:]}" if text.startswith("-") else f"{unit}{text}"
    return f"{text} {unit}" if unit else text


def report_of(who: str) -> str:
    """'Director of X' reads 'a report of the Director of X'; a named person needs no article."""
    if who.lower().startswith(("the ", "councillor", "cllr", "mr ", "mrs ", "ms ", "dr ")):
        return who
    return f"the {who}"


def natural_key(code: str) -> list:
    """CFSE.5 before CFSE.29: numbers inside codes compare as numbers."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", code)]
