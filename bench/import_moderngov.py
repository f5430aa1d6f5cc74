#!/usr/bin/env python3
"""Time `import moderngov` against a portal replayed on 127.0.0.1.

`python bench/import_moderngov.py [--meetings N] [--runs K]`.

A script run by hand, never a timed test. It makes a recorded portal of N meetings
from the test recordings (tests/fixtures/moderngov/portal: each meeting like the
Cabinet meeting there, with minutes, two item pages, an attendance page and the
meeting page), serves it with tests/moderngov_portal.py, and imports it into a new
archive K times without the polite pause (the importer's own cost, plus the local
server's), then once with the default one-second pause, which is what a council's
import takes. It reports the median time per meeting, the requests per meeting,
and the time of a second run (nothing changed).
"""
from __future__ import annotations

import argparse
import datetime
import io
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from moderngov_portal import RECORDED, Portal  # noqa: E402

from site_gen.cli import parser  # noqa: E402
from site_gen.importer import command  # noqa: E402
from site_gen.importer.client import Client  # noqa: E402


def make_portal(folder: Path, meetings: int) -> None:
    shutil.copytree(RECORDED / "documents", folder / "documents")
    for name in ("GetCommittees.xml", "mgIssueHistoryHome-901.html", "mgMeetingAttendance-6001.html"):
        shutil.copy(RECORDED / name, folder / name)
    listing = ['<?xml version="1.0" encoding="utf-8"?>', "<getmeetings>"]
    template = (RECORDED / "GetMeeting-6001.xml").read_text()
    first = datetime.date(2005, 1, 5)
    for n in range(meetings):
        mid, date = str(10000 + n), first + datetime.timedelta(days=7 * n)
        shown = date.strftime("%d/%m/%Y")
        listing.append(f"<meeting><meetingid>{mid}</meetingid><meetingdate>{shown}</meetingdate>"
                       f"<meetingtime>10:00</meetingtime><meetingstatus>confirmed</meetingstatus></meeting>")
        items = {"7100": str(20000 + 2 * n), "7101": str(20001 + 2 * n)}
        xml = template.replace("<meetingid>6001</meetingid>", f"<meetingid>{mid}</meetingid>")
        xml = xml.replace("10/02/2021", shown)
        for old, new in items.items():
            xml = xml.replace(f"<agendaitemid>{old}</agendaitemid>", f"<agendaitemid>{new}</agendaitemid>")
            shutil.copy(RECORDED / f"mgAi-{old}.html", folder / f"mgAi-{new}.html")
        (folder / f"GetMeeting-{mid}.xml").write_text(xml)
        page = (RECORDED / "ieListDocuments-6001.html").read_text().replace("ID=6001", "ID=6001")
        (folder / f"ieListDocuments-{mid}.html").write_text(page)
    listing.append("</getmeetings>")
    (folder / "GetMeetings-102.xml").write_text("\n".join(listing))
    (folder / "GetMeetings-101.xml").write_text('<?xml version="1.0"?><getmeetings></getmeetings>')


def one_import(portal: Portal, content: Path, delay: float) -> tuple[float, int]:
    args = parser().parse_args(["import", "moderngov", "--url", portal.url, "--from", "2000-01-01",
                                "--to", "2100-01-01", "--content", str(content)])
    before = len(portal.requests)
    started = time.perf_counter()
    code = command.run(args, client=Client(delay=delay), out=io.StringIO(), err=io.StringIO())
    seconds = time.perf_counter() - started
    assert code == 0, code
    return seconds, len(portal.requests) - before


def fresh(folder: Path) -> Path:
    content = folder / "content"
    shutil.rmtree(content, ignore_errors=True)
    content.mkdir(parents=True)
    shutil.copy(ROOT / "content" / "site.yml", content / "site.yml")
    return content


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--meetings", type=int, default=50)
    options.add_argument("--runs", type=int, default=5)
    options.add_argument("--polite-meetings", type=int, default=10,
                         help="meetings imported with the one-second pause (default 10: it takes a while)")
    args = options.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        make_portal(folder / "portal", args.meetings)
        with Portal(folder / "portal") as portal:
            times, requests = [], 0
            for _ in range(args.runs):
                seconds, requests = one_import(portal, fresh(folder), 0.0)
                times.append(seconds)
            again, again_requests = one_import(portal, folder / "content", 0.0)
        per = statistics.median(times) / args.meetings
        print(f"{args.meetings} meetings, no pause: median {statistics.median(times):.2f} s "
              f"({per * 1000:.0f} ms a meeting; runs {', '.join(f'{t:.2f}' for t in times)}), "
              f"{requests / args.meetings:.1f} requests a meeting")
        print(f"second run, nothing changed: {again:.2f} s, {again_requests} requests")
        make_portal(folder / "polite", args.polite_meetings)
        with Portal(folder / "polite") as portal:
            seconds, requests = one_import(portal, fresh(folder), 1.0)
        print(
            f"{args.polite_meetings} meetings with the default 1 s pause: {seconds:.1f} s "
            f"({seconds / args.polite_meetings:.1f} s a meeting, "
            f"{requests / args.polite_meetings:.1f} requests a meeting)"
        )


if __name__ == "__main__":
    main()
