"""The stylesheet, scripts and images in assets/, as they are."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .. import urls
from .base import File, Output
from .site import Site

ASSETS = Path(__file__).resolve().parent.parent.parent / "assets"


SEARCHED = False  # none of its pages is indexed by the search


def outputs(site: Site) -> Iterator[Output]:
    for asset in sorted(ASSETS.iterdir()):
        if asset.is_file():
            yield File(urls.asset(asset.name), asset.read_bytes)
