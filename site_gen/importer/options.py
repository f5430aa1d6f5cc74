"""The import command's options: apart from the importer, so that the command line can list
them without loading it (its HTTP client and parsers) for every build."""
from __future__ import annotations

import argparse
import datetime


def add_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("system", choices=["moderngov"], help="the system the archive comes from (moderngov)")
    command.add_argument("--url", required=True, help="the portal's address, e.g. https://democracy.example.gov.uk")
    command.add_argument("--committee", default="all", metavar="ID|all",
                         help="one committee by the portal's number (its CId), or all (the default)")
    command.add_argument("--from", dest="start", type=_date, default=datetime.date(2000, 1, 1), metavar="YYYY-MM-DD",
                         help="the first meeting date to import (default: 2000-01-01)")
    command.add_argument("--to", dest="end", type=_date, default=None, metavar="YYYY-MM-DD",
                         help="the last meeting date to import (default: a year from today)")
    command.add_argument("--content", default="content", help="content folder (default: content)")
    command.add_argument("--download-documents", action="store_true",
                         help="save each document in the meeting's folder instead of linking to the portal")
    command.add_argument("--overwrite", action="store_true",
                         help="replace files edited since the import (or not made by it) with the portal's version")
    command.add_argument("--delay", type=float, default=1.0, metavar="SECONDS",
                         help="the pause between two requests to the portal (default: 1 second)")


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a date written as YYYY-MM-DD") from None
