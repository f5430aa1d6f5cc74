"""The history of the record, read from git: a temporary repository with known commits.

Dates are fixed through GIT_AUTHOR_DATE / GIT_COMMITTER_DATE, the identity
through the environment, so the commits (and their ids) are the same each run.
"""
from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import build_into, read_page, run_cli

from site_gen import history, urls
from site_gen.models import MeetingHistory

REPO_URL = "https://github.com/test-council/minutes"
A = "meetings/2021/2021-01-05-scrutiny.md"
B = "meetings/2021/2021-02-02-scrutiny.md"
C_OLD = "meetings/2020/2021-03-09-scrutiny.md"
C = "meetings/2021/2021-03-09-scrutiny.md"
A_URL = "/meetings/2021/2021-01-05-scrutiny/"
B_URL = "/meetings/2021/2021-02-02-scrutiny/"
C_URL = "/meetings/2021/2021-03-09-scrutiny/"
ATOM = "{http://www.w3.org/2005/Atom}"

SITE = f"""title: Test minutes
organisation: Test Borough Council
base_url: https://minutes.test.example
language: en-GB
repository_url: {REPO_URL}
licence: Open Government Licence v3.0
"""


def meeting(date: str, status: str, minutes: str = "The report was noted.", approved_on: str | None = None) -> str:
    approval = f"approved_on: {approved_on}\n" if approved_on else ""
    return (f"---\ncommittee: scrutiny\ndate: {date}\nstatus: {status}\n{approval}items:\n"
            f"  - number: 1\n    title: Performance report\n---\n## 1. Performance report\n\n{minutes}\n")


def git_env(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_NAME="Clerk", GIT_AUTHOR_EMAIL="clerk@test.example", GIT_COMMITTER_NAME="Clerk",
               GIT_COMMITTER_EMAIL="clerk@test.example", GIT_CONFIG_NOSYSTEM="1", HOME=str(tmp_path),
               GIT_CEILING_DIRECTORIES=str(tmp_path))
    return env


class Repo:
    def __init__(self, root: Path, env: dict):
        self.root, self.env = root, env
        self.commits: dict[str, str] = {}  # name -> commit id

    def git(self, *args: str) -> str:
        return subprocess.run(["git", *args], cwd=self.root, env=self.env, check=True, capture_output=True,
                              text=True).stdout

    def write(self, path: str, text: str) -> None:
        target = self.root / "content" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def commit(self, name: str, message: str, committed: str, authored: str | None = None) -> None:
        self.git("add", "-A")
        env = {**self.env, "GIT_COMMITTER_DATE": committed, "GIT_AUTHOR_DATE": authored or committed}
        subprocess.run(["git", "commit", "-q", "-m", message], cwd=self.root, env=env, check=True)
        self.commits[name] = self.git("rev-parse", "HEAD").strip()


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Repo:
    """publish (after a draft), correct, approve, amend after approval, publish in the wrong folder, move."""
    tmp_path = tmp_path_factory.mktemp("history")
    repo = Repo(tmp_path / "repo", git_env(tmp_path))
    repo.root.mkdir()
    repo.git("init", "-q", "-b", "main")
    (repo.root / "README.md").write_text("The minutes.\n", encoding="utf-8")
    repo.write("site.yml", SITE)
    repo.write("committees/scrutiny.yml", "name: Scrutiny Committee\n")
    repo.write(A, meeting("2021-01-05", "draft"))
    repo.commit("draft", "Draft minutes of 5 January 2021", "2021-01-06T10:00:00+00:00")
    repo.write(A, meeting("2021-01-05", "unconfirmed"))
    # written on the 7th, merged on the 12th: the committer date is the one shown
    repo.commit("publish", "Minutes of 5 January 2021 (unconfirmed)", "2021-01-12T09:00:00+00:00",
                authored="2021-01-07T09:00:00+00:00")
    repo.write(A, meeting("2021-01-05", "unconfirmed", "The report was noted by Councillor Smith."))
    repo.commit("correct", "Correct a name in item 1", "2021-01-20T11:00:00+00:00")
    repo.write(A, meeting("2021-01-05", "approved", "The report was noted by Councillor Smith.", "2021-02-02"))
    repo.write(B, meeting("2021-02-02", "unconfirmed"))
    repo.commit("approve", "Minutes of 2 February 2021; approve those of 5 January", "2021-02-03T12:00:00+00:00")
    repo.write(A, meeting("2021-01-05", "approved", "The report was noted by Councillor Smyth.", "2021-02-02"))
    repo.commit("amend", "Correct item 1 of 5 January 2021, as agreed on 2 March 2021", "2021-03-02T16:00:00+00:00")
    repo.write(C_OLD, meeting("2021-03-09", "unconfirmed", "A long discussion."))
    repo.commit("wrong-folder", "Minutes of 9 March 2021 (unconfirmed)", "2021-03-10T08:00:00+00:00")
    repo.git("mv", f"content/{C_OLD}", f"content/{C}")
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST)
    repo.commit("rename", "Move the minutes of 9 March 2021 to the 2021 folder", "2021-06-30T23:30:00+00:00")
    repo.write("committees/scrutiny.yml", "name: Scrutiny Committee\ndescription: Not a meeting.\n")
    repo.commit("committee", "Describe the committee", "2021-07-01T10:00:00+00:00")
    # an uncommitted change is not history
    repo.write(B, meeting("2021-02-02", "unconfirmed", "Edited but not committed."))
    return repo


@pytest.fixture(scope="module")
def site(repo, tmp_path_factory) -> Path:
    return build_into(repo.root / "content", tmp_path_factory.mktemp("history-site") / "_site", with_search=False)


def changes_on(page) -> list[dict]:
    section = page.find("section", class_="history")
    return [{
        "id": li["id"],
        "date": li.find("time").get_text(strip=True),
        "kind": li.find(class_="changes-list__kind").get_text(strip=True),
        "message": li.find(class_="changes-list__message").get_text(strip=True),
        "commit": li.find(class_="changes-list__commit").a["href"],
        "flagged": li.find(class_="tag--amended") is not None,
    } for li in section.find_all("li", class_="changes-list__item")]


def summary(page) -> dict[str, str]:
    section = page.find("section", class_="history")
    return {
        row.dt.get_text(strip=True): row.dd.get_text(" ", strip=True)
        for row in section.find_all(class_="summary-list__row")
    }


def test_read_history_follows_the_commits(repo):
    found = history.read_history(repo.root / "content")
    assert found.available and found.notice is None and found.prefix == "content/"
    assert sorted(found.meetings) == [A, B, C]  # C under its name now; committees are not meetings
    kinds = [(c.kind, c.commit) for c in found.meetings[A].changes]
    assert kinds == [("amended-after-approval", repo.commits["amend"]), ("approved", repo.commits["approve"]),
                     ("amended", repo.commits["correct"]), ("published", repo.commits["publish"]),
                     ("draft", repo.commits["draft"])]
    assert [(c.kind, c.path) for c in found.meetings[C].changes] == [("renamed", C), ("published", C_OLD)]
    assert found.meetings[A].approved_in.commit == repo.commits["approve"]


def test_meeting_page_shows_its_history_newest_first(site, repo):
    page = read_page(site, A_URL)
    changes = changes_on(page)
    commit = lambda name: f"{REPO_URL}/commit/{repo.commits[name]}"  # noqa: E731
    assert changes == [
        {"id": f"change-{repo.commits['amend'][:12]}", "date": "2 March 2021", "kind": "Amended after approval",
         "message": "“Correct item 1 of 5 January 2021, as agreed on 2 March 2021”", "commit": commit("amend"),
         "flagged": True},
        {"id": f"change-{repo.commits['approve'][:12]}", "date": "3 February 2021",
         "kind": "Approved as a correct record", "message": "“Minutes of 2 February 2021; approve those of 5 January”",
         "commit": commit("approve"), "flagged": False},
        {"id": f"change-{repo.commits['correct'][:12]}", "date": "20 January 2021", "kind": "Corrected before approval",
         "message": "“Correct a name in item 1”", "commit": commit("correct"), "flagged": False},
        {"id": f"change-{repo.commits['publish'][:12]}", "date": "12 January 2021",
         "kind": "First published (unconfirmed minutes)", "message": "“Minutes of 5 January 2021 (unconfirmed)”",
         "commit": commit("publish"), "flagged": False},
    ]  # the draft commit was never public: not listed
    assert summary(page) == {
        "First published": "12 January 2021",
        "Last changed": "2 March 2021",
        "Changed after approval": "Amended after approval 1 change after the minutes were approved",
    }
    section = page.find("section", class_="history")
    assert section.h2.get_text(strip=True) == "History of these minutes" and section.h2["id"] == "history"
    assert section.has_attr("data-pagefind-ignore")


def test_amended_after_approval_is_flagged_at_the_top(site):
    status = read_page(site, A_URL).find(class_="status")
    assert status.find(class_="tag--amended").get_text(strip=True) == "Amended after approval"
    assert status.find("a")["href"] == "#history"
    for url in (B_URL, C_URL):
        page = read_page(site, url)
        assert page.find(class_="status").find(class_="tag--amended") is None
        assert "Changed after approval" not in summary(page)


def test_a_rename_is_followed_and_not_an_amendment(site, repo):
    changes = changes_on(read_page(site, C_URL))
    assert [(c["date"], c["kind"]) for c in changes] == [
        ("1 July 2021", "File renamed (the minutes did not change)"),  # 00:30 BST
        ("10 March 2021", "First published (unconfirmed minutes)")]


def test_uncommitted_changes_are_not_history(site, repo):
    changes = changes_on(read_page(site, B_URL))
    assert [c["commit"] for c in changes] == [f"{REPO_URL}/commit/{repo.commits['approve']}"]
    assert "Edited but not committed." in read_page(site, B_URL).main.get_text()  # the page itself is the working tree


def test_suggest_a_correction_edits_the_file_in_the_repository(site):
    for url, path in ((A_URL, A), (B_URL, B), (C_URL, C)):
        link = read_page(site, url).find("p", class_="history__suggest").a
        assert link.get_text(strip=True) == "Suggest a correction to these minutes"
        assert link["href"] == f"{REPO_URL}/edit/main/content/{path}"


def test_changes_page_lists_the_newest_changes_across_the_archive(site, repo):
    page = read_page(site, "/changes/")
    assert page.h1.get_text(strip=True) == "Changes to the record"
    assert [a.get_text(strip=True) for a in page.find("nav", class_="breadcrumbs").find_all("a")] == ["Home"]
    rows = page.find("table", class_="changes").tbody.find_all("tr")
    seen = [(row.th.a["href"], row.find_all("td")[1].get_text(strip=True)) for row in rows]
    change = lambda url, name: f"{url}#change-{repo.commits[name][:12]}"  # noqa: E731
    assert seen == [  # newest commit first; within a commit, by meeting date
        (change(C_URL, "rename"), "File renamed (the minutes did not change)"),
        (change(C_URL, "wrong-folder"), "First published (unconfirmed minutes)"),
        (change(A_URL, "amend"), "Amended after approval"),
        (change(A_URL, "approve"), "Approved as a correct record"),
        (change(B_URL, "approve"), "First published (unconfirmed minutes)"),
        (change(A_URL, "correct"), "Corrected before approval"),
        (change(A_URL, "publish"), "First published (unconfirmed minutes)"),
    ]
    assert rows[2].find(class_="tag--amended") is not None
    assert [row.find(class_="tag--amended") is not None for row in rows].count(True) == 1
    assert page.find("a", href="/changes/feed.xml") is not None
    assert read_page(site, "/").find("footer").find("a", href="/changes/") is not None


def test_changes_feed_entries_come_from_the_commits(site, repo):
    feed = ET.parse(site / "changes" / "feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 7
    first = entries[0]
    assert first.find(f"{ATOM}id").text == f"https://minutes.test.example{C_URL}#change-{repo.commits['rename'][:12]}"
    assert first.find(f"{ATOM}updated").text == "2021-06-30T23:30:00+00:00"
    assert feed.find(f"{ATOM}updated").text == "2021-06-30T23:30:00+00:00"
    assert entries[2].find(f"{ATOM}title").text == "Scrutiny Committee, 5 January 2021: Amended after approval"
    assert f"{REPO_URL}/commit/{repo.commits['amend']}" in entries[2].find(f"{ATOM}content").text


def test_two_builds_of_the_history_are_byte_identical(repo, tmp_path):
    first = build_into(repo.root / "content", tmp_path / "one")
    second = build_into(repo.root / "content", tmp_path / "two")
    assert site_files(first) == site_files(second)


def test_a_shallow_clone_builds_without_history_and_says_why(repo, tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)], env=repo.env, check=True)
    result = run_cli("--content", str(clone / "content"), "--out", str(tmp_path / "_site"), env=repo.env)
    assert result.returncode == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and "shallow clone" in notes[0]
    page = read_page(tmp_path / "_site", A_URL)
    assert "not available" in page.find("section", class_="history").get_text()
    # the edit link still knows where the file is in the repository
    assert page.find("p", class_="history__suggest").a["href"] == f"{REPO_URL}/edit/main/content/{A}"


def test_content_outside_git_builds_with_one_notice_and_passes_strict_check(repo, tmp_path):
    content = tmp_path / "tarball" / "content"
    shutil.copytree(repo.root / "content", content)
    env = {**repo.env, "GIT_CEILING_DIRECTORIES": str(tmp_path)}
    result = run_cli("--content", "content", "--out", "_site", cwd=content.parent, env=env)
    assert result.returncode == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    assert notes == ["note: the pages show no history of the minutes: the content folder is not in a git repository."]
    page = read_page(content.parent / "_site", "/changes/")
    assert "not available" in page.main.get_text()
    assert read_page(content.parent / "_site", A_URL).find(class_="status").find(class_="tag--amended") is None
    check = run_cli("check", "--strict", "--content", "content", cwd=content.parent, env=env)
    assert check.returncode == 0, check.stdout


def test_without_repository_url_there_are_no_forge_links(repo, tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", f"file://{repo.root}", str(clone)], env=repo.env, check=True)
    (clone / "content" / "site.yml").write_text(SITE.replace(f"repository_url: {REPO_URL}\n", ""), encoding="utf-8")
    site = build_into(clone / "content", tmp_path / "_site", with_search=False)
    page = read_page(site, A_URL)
    section = page.find("section", class_="history")
    assert section.find("p", class_="history__suggest") is None
    assert not [a for a in section.find_all("a") if a["href"].startswith("https://")]
    assert [code.get_text() for code in section.find_all("code")][0] == repo.commits["amend"][:7]


def test_forge_urls():
    assert urls.forge_commit("https://github.com/a/b", "abc") == "https://github.com/a/b/commit/abc"
    assert urls.forge_edit("https://github.com/a/b", "main", "content/x.md") == "https://github.com/a/b/edit/main/content/x.md"
    assert urls.forge_commit("https://gitlab.example.gov.uk/a/b", "abc") == "https://gitlab.example.gov.uk/a/b/-/commit/abc"
    assert (urls.forge_edit("https://gitlab.com/g/sub/b", "live", "my content/x.md")
            == "https://gitlab.com/g/sub/b/-/edit/live/my%20content/x.md")


def test_status_of_reads_only_the_front_matter():
    assert history.status_of("---\nstatus: approved\n---\nstatus: draft\n") == "approved"
    assert history.status_of("---\ncommittee: x\n---\nstatus: draft\n") == "unconfirmed"
    assert history.status_of('---\nstatus: "draft"  # not yet\n---\n') == "draft"


def test_classify_names_each_change_from_the_status_of_each_version():
    """Oldest first in the log's terms: versions are newest first, as follow() gives them."""
    when = datetime.datetime(2021, 1, 1, tzinfo=datetime.timezone.utc)
    commits = [history.Commit(f"{n:040x}", (), when, [], f"commit {n}") for n in range(5)]  # 0 = newest
    statuses = {"d": "draft", "a": "approved", "a2": "approved", "u": "unconfirmed"}
    V = history.Version  # noqa: N806
    # a draft, published straight as approved, moved, then amended
    versions = [V(0, "p", "a2", True), V(1, "p", "a", False, "o"), V(2, "o", "a", True), V(3, "o", "d", True)]
    kinds = [(c.kind, c.moved_from) for c in history.classify(versions, commits, statuses)]
    assert kinds == [("amended-after-approval", None), ("renamed", "o"), ("published", None), ("draft", None)]
    # then deleted: withdrawn
    withdrawn = history.classify([V(0, "p", "a2", True, deleted=True)] + versions, commits, statuses)
    assert withdrawn[0].kind == "withdrawn" and withdrawn[0].status == "approved"
    # only ever a draft: nothing published, and its deletion is no withdrawal
    only_draft = history.classify([V(0, "p", "d", True)], commits, statuses)
    assert [c.kind for c in history.classify([V(0, "p", "d", True, deleted=True), V(1, "p", "d", True)],
                                             commits, statuses)] == ["draft", "draft"]
    found = MeetingHistory("p", only_draft)
    assert found.first_published is None and found.published_changes == ()


def site_files(root: Path) -> dict[str, bytes]:
    """Every file of a built site, by its path in the site."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_meeting_pages_history_inputs_leave_out_the_place_in_the_log():
    """Every new commit shifts each change's `order`; a meeting page's inputs leave it out (no page
    shows it), so a commit to one meeting does not rewrite the others' pages, but keep every field
    the page shows (each change's other fields, and whether there is a history and a draft)."""
    import dataclasses

    from site_gen.changes import HistoryPages, change_key
    from site_gen.models import Change, History, Meeting, MeetingHistory, Source

    meeting = Meeting("cabinet", datetime.date(2024, 1, 2), (), Source("content/meetings/2024/2024-01-02-cabinet.md"),
                      status="approved")

    def key(order: int, subject: str = "Minutes of the meeting", status: str = "approved") -> tuple:
        change = Change("a" * 40, datetime.datetime(2024, 1, 2, 10, tzinfo=datetime.timezone.utc), subject,
                        "meetings/2024/2024-01-02-cabinet.md", "published", "approved", order)
        history = History(True, {"meetings/2024/2024-01-02-cabinet.md": MeetingHistory(change.path, (change,))})
        return HistoryPages(None, history).meeting_key(dataclasses.replace(meeting, status=status))

    assert key(0) == key(7)
    assert key(0) != key(0, "Minutes corrected")
    assert key(0) != key(0, status="draft")  # a draft's page shows its draft-stage changes too
    change = Change("a" * 40, datetime.datetime(2024, 1, 2), "s", "p", "published", "approved", 3)
    assert len(change_key(change)) == len(dataclasses.fields(Change)) - 1  # all but `order`
