"""`import moderngov`: a ModernGov portal replayed from recorded responses on 127.0.0.1
(tests/moderngov_portal.py) becomes content files that pass `check`; running it again
writes nothing, leaves a clerk's edits alone and takes in what changed on the portal."""
from __future__ import annotations

import datetime
import email.message
import io
import os
import re
import shutil
import urllib.error
from pathlib import Path

import pytest
from conftest import SAMPLE_CONTENT, build_into, read_page, run_cli
from moderngov_portal import RECORDED, Portal

from site_gen import pipeline, yamlio
from site_gen.cli import parser
from site_gen.content import load_archive
from site_gen.importer import command, emit, pages, to_markdown, webservice
from site_gen.importer.client import USER_AGENT, Client, FetchError
from site_gen.importer.html_tree import parse
from site_gen.models import STATUSES
from site_gen.problems import Report

FAILING = {"GetMeeting-5006"}  # the portal answers 503 for this meeting, every time
# whether this archive's loader shows agendas and cancelled meetings: if not, the import leaves them out
SHOWN = {"agenda", "cancelled"} <= set(STATUSES)
NOT_YET = ["meetings/2023/2023-01-18-children-families-scrutiny.md",
           "meetings/2023/2023-03-15-children-families-scrutiny.md"]


def new_archive(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    content.mkdir()
    # a council's own address: `check --strict` warns about the sample's placeholder one
    site = (SAMPLE_CONTENT / "site.yml").read_text(encoding="utf-8")
    (content / "site.yml").write_text(site.replace("https://council-minutes.example.org",
                                                   "https://minutes.test-council.gov.uk"), encoding="utf-8")
    return content


def run_import(portal: Portal, content: Path, *extra: str, client: Client | None = None, out=None):
    args = parser().parse_args(["import", "moderngov", "--url", portal.url, "--from", "2020-01-01",
                                "--to", "2023-12-31", "--content", str(content), *extra])
    out = out or io.StringIO()
    code = command.run(args, client=client or Client(delay=0, backoff=0), out=out, err=io.StringIO())
    return code, out.getvalue()


def files(content: Path) -> dict[str, bytes]:
    return {p.relative_to(content).as_posix(): p.read_bytes() for p in sorted(content.rglob("*")) if p.is_file()}


def front(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return yamlio.parse(text.split("\n---\n", 1)[0].removeprefix("---\n"))


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """The whole recorded portal imported into a new archive, with what the run printed."""
    content = new_archive(tmp_path_factory.mktemp("imported"))
    with Portal(failing=FAILING) as portal:
        code, output = run_import(portal, content)
        requests = list(portal.requests)
        agents = set(portal.user_agents)
    return content, code, output, requests, agents


def meeting_file(content: Path, name: str) -> Path:
    return content / "meetings" / name[:4] / f"{name}.md"


# -- the seed items ---------------------------------------------------------------

def facts(meeting) -> dict:
    """What a reader learns from a meeting: the facts the seed pages show."""
    minutes = " ".join(i.minutes.markdown for i in meeting.items if i.minutes)
    codes = sorted(re.findall(r"\b[A-Z]{3,8}\.?\d+\b", minutes))
    return {
        "items": [(i.number, i.title) for i in meeting.items],
        "report_of": [i.report_of for i in meeting.items],
        "recommendations": [[r.markdown for r in i.recommendations] for i in meeting.items],
        "contacts": [i.contacts for i in meeting.items],
        "documents": [[(d.title, d.size) for d in i.documents] for i in meeting.items],
        "decision": [i.decision.markdown if i.decision else None for i in meeting.items],
        "attendance": meeting.attendees,
        "codes": codes,
        "minutes_headings": [re.findall(r"^#+ .*$", i.minutes.markdown, re.M) for i in meeting.items if i.minutes],
        "minutes_bullets": [len(re.findall(r"^- ", i.minutes.markdown, re.M)) for i in meeting.items if i.minutes],
    }


def test_the_seed_items_import_as_the_sample_archive_transcribes_them(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    shutil.rmtree(content / "meetings")
    with Portal() as portal:
        code, output = run_import(portal, content, "--committee", "101", "--to", "2022-12-31")
    assert code == 0, output
    # the existing committee file is recognised by its name, not made again
    assert sorted(p.name for p in (content / "committees").iterdir()) == ["children-families-scrutiny.yml"]
    sample = load_archive(SAMPLE_CONTENT, Report())
    report = Report()
    mine = load_archive(content, report)
    assert not report.errors, [p.format() for p in report.errors]
    assert [m.slug for m in mine.meetings] == [m.slug for m in sample.meetings]
    for ours, theirs in zip(mine.meetings, sample.meetings, strict=True):
        assert facts(ours) == facts(theirs), ours.slug
        assert ours.source_url.endswith(f"ieListDocuments.aspx?CId=101&MId={'5001' if ours.year == 2020 else '5002'}")
        # the summary says what the report is about, without the lines that have a field of their own
        for mine_item, sample_item in zip(ours.items, theirs.items, strict=True):
            assert mine_item.summary.markdown.strip() == sample_item.summary.markdown.strip()
    # the indicator codes are left as written: the linker finds CFSE29 and warns about CSFE.63
    result = pipeline.check(content)
    assert not result.report.errors
    assert any("CSFE.63" in w.message for w in result.report.warnings)


# -- the whole portal --------------------------------------------------------------

def test_import_writes_committees_and_meetings_that_pass_check(imported):
    content, code, output, requests, agents = imported
    assert sorted(p.name for p in (content / "committees").iterdir()) == ["cabinet.yml",
                                                                         "children-families-scrutiny.yml"]
    assert yamlio.parse((content / "committees" / "cabinet.yml").read_text()) == {"name": "Cabinet"}
    assert sorted(files(content)) == sorted([
        "site.yml", "committees/cabinet.yml", "committees/children-families-scrutiny.yml",
        "meetings/2020/2020-12-09-children-families-scrutiny.md", "meetings/2021/2021-02-10-cabinet.md",
        "meetings/2022/2022-09-07-children-families-scrutiny.md",
        "meetings/2023/2023-05-10-children-families-scrutiny.md",
        next(name for name in files(content) if name.startswith(".import/")),
        *(NOT_YET if SHOWN else []),
    ])
    assert re.fullmatch(r"\.import/moderngov-127\.0\.0\.1-\d+\.json",
                        next(name for name in files(content) if name.startswith(".import/")))
    result = run_cli("check", "--strict", "--content", str(content))
    assert result.returncode == 0, result.stdout
    assert "Created:" in output and "content/meetings/2021/2021-02-10-cabinet.md" in output


def test_statuses_follow_what_the_portal_published(imported):
    content = imported[0]
    assert front(meeting_file(content, "2020-12-09-children-families-scrutiny"))["status"] == "approved"
    # "draft minutes" on the portal
    assert front(meeting_file(content, "2021-02-10-cabinet"))["status"] == "unconfirmed"
    agenda = meeting_file(content, "2023-01-18-children-families-scrutiny")
    cancelled = meeting_file(content, "2023-03-15-children-families-scrutiny")
    if SHOWN:
        assert front(agenda)["status"] == "agenda"
        assert agenda.read_text().rstrip().endswith("---")  # no minutes before the meeting
        assert front(cancelled)["status"] == "cancelled"
    else:  # never a file that `check` rejects
        assert not agenda.exists() and not cancelled.exists()
        output = imported[2]
        for mid, status in (("5003", "agenda"), ("5004", "cancelled")):
            assert re.search(rf"ieListDocuments\.aspx\?CId=101&MId={mid}: the meeting is `{status}` on the portal, "
                             "which this archive cannot show yet", output), output


def test_an_item_with_contacts_documents_sizes_decision_table_and_attendance(imported):
    content = imported[0]
    report = Report()
    archive = load_archive(content, report)
    meeting = next(m for m in archive.meetings if m.committee == "cabinet")
    assert (meeting.time, meeting.venue) == ("10:00", "Council Chamber, Town Hall")
    assert meeting.attendees.chair == "Councillor Ann Smith"
    assert meeting.attendees.members == ("Councillor Bob Jones", "Councillor Dev Khan")
    assert meeting.attendees.apologies == ("Councillor Cara Patel",)
    assert meeting.attendees.in_attendance == ("Jo Bloggs",)
    item = meeting.item(2)
    assert item.report_of == "Deputy Chief Executive"
    assert [r.markdown for r in item.recommendations] == ["note the forecast position;",
                                                          "approve the virements set out in Appendix A."]
    assert [(c.name, c.role, c.email, c.phone) for c in item.contacts] == [
        ("Jo Bloggs", "Head of Finance", "jo.bloggs@example.gov.uk", "0161 474 4000")]
    assert [(d.title, d.size, d.url.rsplit("/", 2)[-2]) for d in item.documents] == [
        ("Budget Monitoring Q3 report", "412 KB", "s53001"), ("Appendix A - Savings tracker", "88 KB", "s53002")]
    assert item.decision.markdown == ("That:\n\n1. the forecast position be noted;\n"
                                      "2. the virements set out in Appendix A be approved.")
    assert "RESOLVED" not in item.minutes.markdown
    assert "| Directorate | Budget (£m) | Forecast (£m) |" in item.minutes.markdown
    assert "| Place \\| Highways | 45.0 | 44.1 |" in item.minutes.markdown
    assert "### Forecast by directorate" in item.minutes.markdown
    assert item.source_url.endswith("/mgAi.aspx?ID=7101")


def test_an_issue_seen_at_several_meetings_links_its_items(imported, tmp_path):
    content = imported[0]
    if not SHOWN:  # the third meeting is an agenda: here with the two others
        with Portal(failing=FAILING) as portal:
            content = new_archive(tmp_path)
            run_import(portal, content, "--committee", "101")
            agenda = webservice.parse_meeting((RECORDED / "GetMeeting-5003.xml").read_text(), "5003")
            assert agenda.items[1].id == "7004"
            page = pages.parse_item_page((RECORDED / "mgAi-7004.html").read_text(), portal.url)
        assert page.issue_id == "900"
        return
    archive = load_archive(content, Report())
    by_issue = {}
    for meeting in archive.meetings:
        for item in meeting.items:
            if item.issue:
                by_issue.setdefault(item.issue, []).append((meeting.date.isoformat(), item.number))
    assert by_issue["portfolio-performance-and-resources"] == [("2020-12-09", 5), ("2022-09-07", 4), ("2023-01-18", 2)]
    agenda = next(m for m in archive.meetings if m.date == datetime.date(2023, 1, 18))
    assert [(d.title, d.size) for d in agenda.item(2).documents] == [
        ("Mid-Year Report 2022/23", "1 MB"), ("Appendix 1 - Performance dashboard", "356 KB")]
    assert [(c.name, c.phone) for c in agenda.item(2).contacts] == [("Gaynor Ward", "0161 474 3186")]
    assert by_issue["budget-monitoring-2020-21"] == [("2021-02-10", 2)]


def test_a_page_in_an_unexpected_layout_is_a_warning_naming_it_and_the_meeting_is_kept(imported):
    content, code, output = imported[:3]
    assert re.search(r"warning: http://127\.0\.0\.1:\d+/mgAi\.aspx\?ID=7006: the item's content", output), output
    # the item is taken from the meeting's own page instead, and that is said too
    assert re.search(r"warning: \S+/mgAi\.aspx\?ID=7006: item 1 was taken from the meeting's page, "
                     r"\S+/ieListDocuments\.aspx\?CId=101&MId=5005, instead", output), output
    path = meeting_file(content, "2023-05-10-children-families-scrutiny")
    item = front(path)["items"][0]
    assert item["title"] == "Youth Justice Plan"  # the web service's title
    assert (item["report_of"], item["recommendations"], item["decision"], item["issue"]) == (
        "Head of Youth Justice", ["The Committee is asked to comment on the plan."], "That the plan be endorsed.",
        "youth-justice-plan")
    assert item["documents"] == [{"title": "Youth Justice Plan 2023-24", "url": item["documents"][0]["url"],
                                  "size": "640 KB"}]
    assert "Members asked about first-time entrants (YJ.1)." in path.read_text()
    # a listed meeting with an impossible date is named, not imported
    assert "a meeting without a readable `meetingid` or `meetingdate` (31/02/2023)" in output


def test_published_minutes_on_no_page_are_a_warning(tmp_path):
    recorded = tmp_path / "portal"
    shutil.copytree(RECORDED, recorded)
    for name in ("mgAi-7100.html", "mgAi-7101.html"):
        page = recorded / name
        text = page.read_text()
        page.write_text(text[:text.index('<h2 class="mgSubSubTitleTxt">Minutes:</h2>')] + "</div></div></body></html>")
    content = new_archive(tmp_path)
    with Portal(recorded, failing=FAILING) as portal:
        code, output = run_import(portal, content, "--committee", "102")
    assert re.search(r"warning: \S+ieListDocuments\.aspx\?CId=102&MId=6001: the minutes: the portal says they are "
                     r"published, but no item page has a `Minutes:` section", output), output
    assert pipeline.check(content).ok


def test_a_network_error_is_retried_reported_and_the_import_goes_on(imported):
    content, code, output, requests, agents = imported
    failing = [r for r in requests if "lMeetingId=5006" in r]
    assert len(failing) == 4  # the first try and three retries
    assert re.search(r"error: http://127\.0\.0\.1:\d+/mgWebService\.asmx/GetMeeting\?lMeetingId=5006: "
                     r"the server answered 503", output), output
    assert code == 1  # so that a script notices; everything else was imported
    assert not meeting_file(content, "2023-07-12-children-families-scrutiny").exists()


def test_the_client_says_who_it_is(imported):
    assert imported[4] == {USER_AGENT}
    assert "minutes" in USER_AGENT


def test_the_meeting_page_says_where_it_was_imported_from(imported, tmp_path):
    content = imported[0]
    site = build_into(content, tmp_path / "_site", with_search=False)
    page = read_page(site, "/meetings/2021/2021-02-10-cabinet/")
    provenance = page.select("p.provenance")
    assert provenance[0].get_text(" ", strip=True).startswith("Imported from the council’s previous system")
    assert provenance[0].a["href"].endswith("/ieListDocuments.aspx?CId=102&MId=6001")
    item = page.find(id="item-2").find_parent("section")
    assert item.select_one("p.provenance a")["href"].endswith("/mgAi.aspx?ID=7101")
    table = item.select_one(".item__minutes table")
    assert [th.get_text(strip=True) for th in table.select("th")] == ["Directorate", "Budget (£m)", "Forecast (£m)"]
    assert table.select("tr")[2].select("td")[0].get_text(strip=True) == "Place | Highways"


# -- running it again --------------------------------------------------------------

def test_a_second_run_fetches_only_what_may_change_and_writes_nothing(tmp_path):
    content = new_archive(tmp_path)
    with Portal(failing=FAILING) as portal:
        run_import(portal, content)
        before = files(content)
        mtimes = {p: p.stat().st_mtime_ns for p in content.rglob("*") if p.is_file()}
        portal.requests.clear()
        code, output = run_import(portal, content)
        asked = list(portal.requests)
    assert files(content) == before
    assert {p: p.stat().st_mtime_ns for p in content.rglob("*") if p.is_file()} == mtimes
    assert f"0 created, 0 updated, {6 if SHOWN else 4} unchanged" in output
    # approved and cancelled meetings listed the same are not fetched again; no item page is
    assert not any("lMeetingId=5001" in r or ("lMeetingId=5004" in r and SHOWN) for r in asked)
    assert not any("mgAi.aspx" in r for r in asked)


def test_a_portal_that_gives_last_modified_is_asked_whether_a_meeting_changed(tmp_path):
    recorded = tmp_path / "portal"
    shutil.copytree(RECORDED, recorded)
    content = new_archive(tmp_path)
    with Portal(recorded, failing=FAILING, last_modified=True) as portal:
        run_import(portal, content)
        before = files(content)
        code, output = run_import(portal, content)
        assert files(content) == before
        # the meetings whose minutes may still change are asked about, and the portal says "not modified"
        assert sorted(portal.not_modified) == sorted(f"/mgWebService.asmx/GetMeeting?lMeetingId={m}"
                                                     for m in ("5003", "5005", "6001") if m != "5003" or SHOWN)
        xml = recorded / "GetMeeting-6001.xml"
        xml.write_text(xml.read_text().replace("Council Chamber, Town Hall", "Council Chamber"))
        os.utime(xml, (xml.stat().st_mtime + 60, xml.stat().st_mtime + 60))
        code, output = run_import(portal, content)
    assert front(meeting_file(content, "2021-02-10-cabinet"))["venue"] == "Council Chamber"


def test_an_edited_file_is_skipped_unless_overwrite(tmp_path):
    content = new_archive(tmp_path)
    path = meeting_file(content, "2021-02-10-cabinet")
    with Portal(failing=FAILING) as portal:
        run_import(portal, content)
        edited = path.read_text().replace("No declarations of interest were made.", "No declarations were made.")
        path.write_text(edited)
        code, output = run_import(portal, content)
        assert path.read_text() == edited
        assert "content/meetings/2021/2021-02-10-cabinet.md: edited since the import; --overwrite replaces it" in output
        code, output = run_import(portal, content, "--overwrite")
    assert "No declarations of interest were made." in path.read_text()
    assert "Updated:\n  content/meetings/2021/2021-02-10-cabinet.md" in output


def test_a_file_the_import_did_not_write_is_left_alone(tmp_path):
    content = new_archive(tmp_path)
    path = meeting_file(content, "2020-12-09-children-families-scrutiny")
    path.parent.mkdir(parents=True)
    shutil.copy(SAMPLE_CONTENT / "meetings" / "2020" / path.name, path)
    shutil.copytree(SAMPLE_CONTENT / "committees", content / "committees")
    shutil.copytree(SAMPLE_CONTENT / "portfolios", content / "portfolios")
    clerk = path.read_bytes()
    with Portal(failing=FAILING) as portal:
        code, output = run_import(portal, content)
    assert path.read_bytes() == clerk
    assert "2020-12-09-children-families-scrutiny.md: not written by the import; --overwrite replaces it" in output


def test_a_meeting_changed_on_the_portal_is_updated(tmp_path):
    recorded = tmp_path / "portal"
    shutil.copytree(RECORDED, recorded)
    content = new_archive(tmp_path)
    path = meeting_file(content, "2021-02-10-cabinet")
    with Portal(recorded, failing=FAILING) as portal:
        run_import(portal, content)
        # the clerks at the council correct the minutes and approve them
        xml = recorded / "GetMeeting-6001.xml"
        xml.write_text(xml.read_text().replace("<meetinglocation>Council Chamber, Town Hall</meetinglocation>",
                                               "<meetinglocation>Council Chamber</meetinglocation>"))
        page = recorded / "mgAi-7100.html"
        page.write_text(page.read_text().replace("No declarations of interest were made.",
                                                 "Councillor Khan declared an interest in item 2."))
        minutes = recorded / "ieListDocuments-6001.html"
        minutes.write_text(minutes.read_text().replace("Draft minutes", "Printed minutes")
                           .replace("draft minutes", "minutes")
                           .replace("</ul>", "</ul><p>The minutes were approved as a correct record.</p>"))
        code, output = run_import(portal, content)
    assert "Updated:\n  content/meetings/2021/2021-02-10-cabinet.md" in output
    meeting = front(path)
    assert (meeting["venue"], meeting["status"]) == ("Council Chamber", "approved")
    assert "Councillor Khan declared an interest in item 2." in path.read_text()
    assert f"1 updated, {5 if SHOWN else 3} unchanged" in output


def test_a_meeting_moved_to_another_date_moves_its_file(tmp_path):
    recorded = tmp_path / "portal"
    shutil.copytree(RECORDED, recorded)
    content = new_archive(tmp_path)
    with Portal(recorded, failing=FAILING) as portal:
        run_import(portal, content)
        for name in ("GetMeetings-102.xml", "GetMeeting-6001.xml"):
            xml = recorded / name
            xml.write_text(xml.read_text().replace("10/02/2021", "17/02/2021"))
        code, output = run_import(portal, content)
    assert not meeting_file(content, "2021-02-10-cabinet").exists()
    assert front(meeting_file(content, "2021-02-17-cabinet"))["date"] == datetime.date(2021, 2, 17)
    assert "content/meetings/2021/2021-02-10-cabinet.md (moved to content/meetings/2021/2021-02-17-cabinet.md" in output


def test_an_interrupted_import_resumes_and_leaves_no_half_written_file(tmp_path):
    content = new_archive(tmp_path)

    class Interrupting(Client):
        def get(self, url, **validators):
            if "mgAi.aspx?ID=7101" in url:
                raise KeyboardInterrupt
            return super().get(url, **validators)

    with Portal(failing=FAILING) as portal:
        code, _ = run_import(portal, content, client=Interrupting(delay=0, backoff=0))
        assert code == 130
        written = sorted(files(content))
        assert "meetings/2020/2020-12-09-children-families-scrutiny.md" in written
        assert "meetings/2021/2021-02-10-cabinet.md" not in written
        assert not [name for name in written if name.endswith(".part")]
        portal.requests.clear()
        code, output = run_import(portal, content)
        asked = list(portal.requests)
    assert "Created:\n  content/meetings/2021/2021-02-10-cabinet.md" in output
    assert not any("lMeetingId=5001" in r for r in asked)  # done before the interruption: not fetched again
    assert pipeline.check(content).ok


def test_interrupted_just_after_writing_a_file_the_next_run_still_knows_it(tmp_path, monkeypatch):
    from site_gen.importer import moderngov
    content = new_archive(tmp_path)
    path = meeting_file(content, "2021-02-10-cabinet")

    def write_then_stop(target, data):
        moderngov_write(target, data)
        if target == path:
            raise KeyboardInterrupt

    moderngov_write = moderngov.atomic_write
    monkeypatch.setattr(moderngov, "atomic_write", write_then_stop)
    with Portal(failing=FAILING) as portal:
        code, _ = run_import(portal, content)
        assert code == 130 and path.is_file()
        monkeypatch.setattr(moderngov, "atomic_write", moderngov_write)
        code, output = run_import(portal, content)
    assert "not written by the import" not in output and "edited since the import" not in output


def test_documents_can_be_downloaded_into_the_meeting_folder(tmp_path):
    content = new_archive(tmp_path)
    with Portal(failing=FAILING) as portal:
        code, output = run_import(portal, content, "--download-documents")
        portal.requests.clear()
        code, again = run_import(portal, content, "--download-documents")
        asked = list(portal.requests)
    folder = content / "meetings" / "2021" / "2021-02-10-cabinet"
    # the recorded portal serves a PDF for every document: the "xlsx" one is saved as what it is
    assert sorted(p.name for p in folder.iterdir()) == ["appendix-a-savings-tracker.pdf",
                                                        "budget-monitoring-q3-report.pdf"]
    item = front(meeting_file(content, "2021-02-10-cabinet"))["items"][1]
    assert item["documents"] == [{"title": "Budget Monitoring Q3 report", "file": "budget-monitoring-q3-report.pdf",
                                  "size": "412 KB"},
                                 {"title": "Appendix A - Savings tracker", "file": "appendix-a-savings-tracker.pdf",
                                  "size": "88 KB"}]
    assert pipeline.check(content).ok
    assert not any(r.startswith("/documents/") for r in asked)  # downloaded once
    assert not any("mgAi.aspx" in r for r in asked)  # and nothing else fetched again
    assert "0 created, 0 updated" in again


# -- the command line ---------------------------------------------------------------

def test_a_downloaded_file_the_archive_would_refuse_stays_a_link(tmp_path):
    recorded = tmp_path / "portal"
    shutil.copytree(RECORDED, recorded)
    (recorded / "documents" / "stand-in.pdf").write_bytes(b"<html><script>alert(1)</script></html>")
    content = new_archive(tmp_path)
    with Portal(recorded, failing=FAILING) as portal:
        code, output = run_import(portal, content, "--committee", "102", "--download-documents")
    item = front(meeting_file(content, "2021-02-10-cabinet"))["items"][1]
    assert [d["url"].rsplit("/", 2)[-2] for d in item["documents"]] == ["s53001", "s53002"]
    assert not (content / "meetings" / "2021" / "2021-02-10-cabinet").exists()
    assert "the document, kept as a link: `budget-monitoring-q3-report.pdf` is named like a PDF" in output
    assert pipeline.check(content).ok


def test_the_command_line(tmp_path):
    content = new_archive(tmp_path)
    with Portal(failing=FAILING) as portal:
        result = run_cli("import", "moderngov", "--url", portal.url, "--committee", "102", "--from", "2021-01-01",
                         "--to", "2021-12-31", "--content", str(content), "--delay", "0")
    assert result.returncode == 0, result.stderr
    assert "1 meeting listed by the portal" in result.stderr
    assert "[1/1] 2021-02-10 cabinet: created" in result.stderr
    assert "Ready to commit: git add" in result.stdout
    assert run_cli("import", "moderngov", "--url", "democracy.example.gov.uk").returncode == 2
    assert run_cli("import", "moderngov", "--url", "https://x.example", "--from", "2021-13-01").returncode == 2
    missing = run_cli("import", "moderngov", "--url", "http://127.0.0.1:9", "--content", str(tmp_path / "none"))
    assert missing.returncode == 1 and "site.yml is missing" in missing.stderr and "Traceback" not in missing.stderr


# -- the parts ----------------------------------------------------------------------

def test_minutes_html_becomes_markdown_with_headings_lists_and_tables():
    html = ("<div><p><strong>Portfolio Summary</strong></p><p>·&nbsp;&nbsp;Members asked *why*</p>"
            "<p>· and [this]</p><p>(i) first;</p><p>(ii) second.</p><p>Then:</p>"
            "<ol><li>one</li><li>two<ul><li>two a</li></ul></li></ol>"
            "<h2>Heading inside</h2><p># not a heading<br>- not a list</p>"
            "<table><tr><td>a</td><td>b|c</td></tr></table></div>")
    assert to_markdown.to_markdown(to_markdown.blocks(parse(html))) == "\n".join([
        "### Portfolio Summary", "", "- Members asked \\*why\\*", "- and \\[this\\]", "", "1. first;", "2. second.", "",
        "Then:", "",
        "1. one", "2. two", "   - two a", "", "### Heading inside", "", "\\# not a heading\\", "\\- not a list", "",
        "|  |  |", "|---|---|", "| a | b\\|c |"])


@pytest.mark.parametrize("text", ["No", "18:00", "1.10", "@home", "a: b", 'say "hi"', "back\\slash", "#hash",
                                  "tab\there", "- dash", "line one\nline two", "  leading\nspaces", "~", "null", "'"])
def test_the_emitter_quotes_every_text_so_yaml_reads_it_back_unchanged(text):
    written = "\n".join(emit.emit({"title": text, "list": [text], "nested": {"name": text}}))
    assert yamlio.parse(written) == {"title": text, "list": [text], "nested": {"name": text}}


def test_times_and_dates_as_portals_write_them():
    assert webservice.parse_time("18:30:00") == "18:30"
    assert [webservice.parse_time(t) for t in ("18:00", "6.00 pm", "6pm", "10:30 am", "12.15 pm", "12 am", "18", "x")] \
        == ["18:00", "18:00", "18:00", "10:30", "12:15", "00:00", None, None]
    assert webservice.parse_date("09/12/2020 00:00:00") == datetime.date(2020, 12, 9)
    assert webservice.parse_date("31/02/2023") is None


def test_an_executive_decision_page_gives_its_decision():
    html = ('<div id="modgov"><h1 class="mgMainTitleTxt">Agenda item</h1><h2 class="mgSubTitleTxt">Fees</h2>'
            "<p>To consider a report of the Director of Place.</p><h2>Decision:</h2>"
            "<p>That the fees in Appendix 1 be approved.</p></div>")
    page = pages.parse_item_page(html, "https://democracy.example.gov.uk/mgAi.aspx?ID=1")
    assert (page.report_of, page.decision, page.minutes) == ("Director of Place",
                                                            "That the fees in Appendix 1 be approved.", None)


def test_slugs_stay_short_enough_for_page_addresses():
    from site_gen.importer.moderngov import committee_slug, short_slug
    long = ("Joint Health Overview and Scrutiny Committee for the Review of Adult Social Care Services "
            "Across the Sub-Region")
    assert committee_slug("Children & Families Scrutiny Committee") == "children-families-scrutiny"
    assert len(committee_slug(long)) <= 60 and not committee_slug(long).endswith("-")
    assert short_slug(long, 30) == "joint-health-overview-and"


def test_contacts_in_both_layouts_of_the_portal():
    def contacts(html):
        return [(c.name, c.role, c.email, c.phone) for c in pages._contacts(to_markdown.blocks(parse(html)))]
    assert contacts("<p>Ann Lee, Head of Service, on 0161 000 0000 or email ann.lee@example.gov.uk</p>") == [
        ("Ann Lee", "Head of Service", "ann.lee@example.gov.uk", "0161 000 0000")]
    assert contacts("<p>Ann Lee, Head of Service</p><p>ann.lee@example.gov.uk (0161 000 0000)</p>") == [
        ("Ann Lee", "Head of Service", "ann.lee@example.gov.uk", "0161 000 0000")]


def test_what_check_would_reject_is_left_out_with_a_warning(tmp_path):
    recorded = tmp_path / "portal"
    shutil.copytree(RECORDED, recorded)
    page = recorded / "mgAi-7101.html"
    page.write_text(page.read_text().replace("(0161 474 4000)", "(0161 474 4000)</p><p>Ann O'Neil, Clerk, "
                                             "email ann.o'neil@example.gov.uk")
                    .replace("<p>(b)&nbsp;&nbsp; approve", "<p>(b)</p><p>(c)&nbsp;&nbsp; approve"))
    content = new_archive(tmp_path)
    with Portal(recorded, failing=FAILING) as portal:
        code, output = run_import(portal, content, "--committee", "102")
    assert code == 0, output
    assert "mgAi.aspx?ID=7101: the email of Ann O'Neil (`ann.o'neil@example.gov.uk` is not one)" in output
    item = front(meeting_file(content, "2021-02-10-cabinet"))["items"][1]
    assert item["contacts"][1] == {"name": "Ann O'Neil", "role": "Clerk"}
    assert item["recommendations"] == ["note the forecast position;", "approve the virements set out in Appendix A."]
    assert "(b)" not in item["summary"]
    assert pipeline.check(content).ok


class FakeOpener:
    """Answers from a list: an exception to raise or a body to return."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.headers = []

    def open(self, request, timeout=None):
        self.headers.append(dict(request.header_items()))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer

        class Answer:
            status = 200
            headers = email.message.Message()

            def read(self):
                return answer

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return False
        return Answer()


def test_the_client_waits_between_requests_and_backs_off_on_failure():
    now = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(round(seconds, 3))
        now[0] += seconds

    opener = FakeOpener([b"one", urllib.error.URLError("connection refused"),
                         urllib.error.HTTPError("u", 503, "Busy", None, None), b"two",
                         urllib.error.HTTPError("u", 404, "Not Found", None, None)])
    client = Client(delay=1.0, retries=3, backoff=2.0, opener=opener, sleep=sleep, clock=lambda: now[0])
    assert client.get("http://portal/a").body == b"one"
    assert client.get("http://portal/b").body == b"two"
    # a pause before each request after the first; back-off 2 s then 4 s before the retries
    assert slept == [1.0, 2.0, 4.0]
    with pytest.raises(FetchError) as failure:
        client.get("http://portal/c")  # a 404 is not retried
    assert "404" in failure.value.reason and client.requests == 5
    assert all(h["User-agent"] == USER_AGENT for h in opener.headers)
