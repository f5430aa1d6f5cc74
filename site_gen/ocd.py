"""Open Civic Data division and jurisdiction ids (OCDEP 2 and the OCD jurisdiction spec).

A council names the area it governs by its OCD division id in site.yml
(`ocd_division_id: ocd-division/country:gb/dis:e08000007`); its jurisdiction id is made
from it as OCD prescribes: `ocd-jurisdiction/` + the division's path + `/government`.
"""
from __future__ import annotations

import re

DIVISION_PREFIX = "ocd-division/"
# OCDEP 2: `country:<ISO 3166-1 alpha-2>` then `type:id` pairs; types are lower-case letters and
# underscores, ids lower-case letters, digits and `_ . ~ -` (ASCII: what every OCD tool reads)
DIVISION_RE = re.compile(r"^ocd-division/country:[a-z]{2}(?:/[a-z_]+:[a-z0-9_.~-]+)*$")
EXAMPLE = "ocd-division/country:gb/dis:e08000007"


def jurisdiction_id(division_id: str, kind: str = "government") -> str:
    return f"ocd-jurisdiction/{division_id[len(DIVISION_PREFIX):]}/{kind}"


def division_problem(value: str) -> tuple[str, str] | None:
    """(message, hint) when `value` is not an OCD division id, else None."""
    if DIVISION_RE.match(value):
        return None
    message = f"`ocd_division_id` is not an Open Civic Data division id: `{value}`"
    if value.startswith("ocd-jurisdiction/"):
        return message, ("give the division (the area), not the jurisdiction: the jurisdiction id is made from it, "
                         "e.g. " + DIVISION_PREFIX + value[len("ocd-jurisdiction/"):].rsplit("/", 1)[0])
    if DIVISION_RE.match(value.strip().lower()):
        return message, f"OCD ids are lower case: {value.strip().lower()}"
    if value.startswith("country:"):
        return message, f"start it with `ocd-division/`: ocd-division/{value}"
    return message, (f"it looks like {EXAMPLE}: find the council's in the OCD division list "
                     "(identifiers/country-gb.csv of opencivicdata/ocd-division-ids), or leave `ocd_division_id` out")
