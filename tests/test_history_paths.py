"""The history of the record along a clerk's real paths, from a temporary git repository: a pull
request merged with a merge commit, a squash merge, a rebase merge, direct pushes, minutes moved
to another date, minutes withdrawn, a hostile commit message; and what residents see of each on
the meeting pages, the tombstone, the moved address, /changes/, the feeds, calendars and sitemap.
"""
from __future__ import annotations

import datetime
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import icalendar
import pytest
from conftest import build_into, read_page, run_cli
from test_history import REPO_URL, Repo, git_env, meeting

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://minutes.test.example"
M1 = "meetings/2021/2021-01-05-scrutiny.md"
M2 = "meetings/2021/2021-01-19-scrutiny.md"  # merged in a pull request, later withdrawn
M3_OLD = "meetings/2021/2021-03-09-scrutiny.md"  # rebase-merged, later moved to the 10th
M3 = "meetings/2021/2021-03-10-scrutiny.md"
M1_URL = "/meetings/2021/2021-01-05-scrutiny/"
M2_URL = "/meetings/2021/2021-01-19-scrutiny/"
M3_OLD_URL = "/meetings/2021/2021-03-09-scrutiny/"
M3_URL = "/meetings/2021/2021-03-10-scrutiny/"
SITE = f"""title: Test minutes
organisation: Test Borough Council
base_url: {BASE}
language: en-GB
repository_url: {REPO_URL}
"""
HOSTILE = "Tidy\x1e the\x1f index\x01 \x1b[2J of 5 January\x7f"
ODD_NAME = "odd\x1e\x1f\n\tname :100644 D.md"
ODD_MEETING = "meetings/2021/2021-04-20-scrutiny\x1e.md"


class PathsRepo(Repo):
    def branch_commit(self, name: str, message: str, committed: str) -> None:
        self.commit(name, message, committed)

    def merge(self, name: str, branch: str, message: str, committed: str, squash: bool = False) -> None:
        env = {**self.env, "GIT_COMMITTER_DATE": committed, "GIT_AUTHOR_DATE": committed}
        if squash:
            subprocess.run(["git", "merge", "-q", "--squash", branch], cwd=self.root, env=env, check=True,
                           capture_output=True)
            subprocess.run(["git", "commit", "-q", "-m", message], cwd=self.root, env=env, check=True)
        else:
            subprocess.run(["git", "merge", "-q", "--no-ff", branch, "-m", message], cwd=self.root, env=env,
                           check=True)
        self.commits[name] = self.git("rev-parse", "HEAD").strip()

    def rebase_merge(self, branch: str, committed: str) -> list[str]:
        """GitHub's "Rebase and merge": the branch's commits made again on main, committed at merge time."""
        env = {**self.env, "GIT_COMMITTER_DATE": committed}
        picked = self.git("rev-list", "--reverse", f"main..{branch}").split()
        for commit in picked:
            subprocess.run(["git", "cherry-pick", commit], cwd=self.root, env=env, check=True,
                           capture_output=True)
        return self.git("rev-list", "--reverse", f"HEAD~{len(picked)}..HEAD").split()


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> PathsRepo:
    tmp_path = tmp_path_factory.mktemp("paths")
    repo = PathsRepo(tmp_path / "repo", git_env(tmp_path))
    repo.root.mkdir()
    repo.git("init", "-q", "-b", "main")
    repo.write("site.yml", SITE)
    repo.write("committees/scrutiny.yml", "name: Scrutiny Committee\n")
    repo.write("committees/cabinet.yml", "name: Cabinet\n")
    repo.write("indicators/PI.1.yml", "code: PI.1\ntitle: Performance indicator one\n")
    repo.write(M1, meeting("2021-01-05", "unconfirmed"))
    repo.commit("start", "Minutes of 5 January 2021", "2021-01-06T10:00:00+00:00")

    # a pull request: two commits on its branch in January, merged with a merge commit on 10 February
    repo.git("checkout", "-q", "-b", "january")
    repo.write(M2, meeting("2021-01-19", "unconfirmed", "A first go."))
    repo.commit("pr-1", "Add the minutes of 19 January", "2021-01-25T10:00:00+00:00")
    repo.write(M2, meeting("2021-01-19", "unconfirmed", "The report was noted."))
    repo.commit("pr-2", "fix typo", "2021-01-26T10:00:00+00:00")
    repo.git("checkout", "-q", "main")
    repo.write(M1, meeting("2021-01-05", "unconfirmed", "The report was noted by Councillor Smith."))
    repo.commit("push", "Correct a name in the minutes of 5 January", "2021-02-01T10:00:00+00:00")
    repo.merge("merge", "january", "Merge pull request #1 from clerk/january\n\nMinutes of 19 January 2021",
               "2021-02-10T15:00:00+00:00")

    # a squash merge: approval of the 5 January minutes, worked on in two commits
    repo.git("checkout", "-q", "-b", "approve")
    repo.write(M1, meeting("2021-01-05", "approved", "The report was noted by Councillor Smith.", "2021-02-02"))
    repo.commit("sq-1", "approve", "2021-02-20T10:00:00+00:00")
    repo.write(M1, meeting("2021-01-05", "approved", "The report was noted by Councillor Smith.", "2021-01-19"))
    repo.commit("sq-2", "wrong date", "2021-02-21T10:00:00+00:00")
    repo.git("checkout", "-q", "main")
    repo.merge("squash", "approve", "Approve the minutes of 5 January 2021 (#2)", "2021-03-01T09:00:00+00:00",
               squash=True)

    # a rebase merge: two commits made again on main when merged, on 15 March
    repo.git("checkout", "-q", "-b", "march")
    repo.write(M3_OLD, meeting("2021-03-09", "unconfirmed", "A long discussion."))
    repo.commit("rb-1", "Minutes of 9 March 2021", "2021-03-10T10:00:00+00:00")
    repo.write(M3_OLD, meeting("2021-03-09", "unconfirmed", "A long discussion, and a vote."))
    repo.commit("rb-2", "Add the vote to the minutes of 9 March", "2021-03-11T10:00:00+00:00")
    repo.git("checkout", "-q", "main")
    repo.commits["rebase-1"], repo.commits["rebase-2"] = repo.rebase_merge("march", "2021-03-15T12:00:00+00:00")

    # the meeting was on the 10th: the file is renamed (and its date corrected)
    repo.git("mv", f"content/{M3_OLD}", f"content/{M3}")
    repo.write(M3, meeting("2021-03-10", "unconfirmed", "A long discussion, and a vote."))
    repo.commit("move", "Correct the date of the meeting of 10 March", "2021-04-01T10:00:00+00:00")

    # a pull request amending published minutes in two commits, merged with a merge commit
    repo.git("checkout", "-q", "-b", "vote")
    repo.write(M3, meeting("2021-03-10", "unconfirmed", "A long discussion, and a vote (5 to 2)."))
    repo.commit("vote-1", "wip", "2021-04-05T10:00:00+00:00")
    repo.write(M3, meeting("2021-03-10", "unconfirmed", "A long discussion, and a vote (5 to 3)."))
    repo.commit("vote-2", "fix typo", "2021-04-06T10:00:00+00:00")
    repo.git("checkout", "-q", "main")
    repo.merge("merge-vote", "vote", "Merge pull request #4 from clerk/vote\n\nAdd the vote count to the minutes "
               "of 10 March\n\nAs asked by Councillor Smith.", "2021-04-10T16:00:00+00:00")

    # withdrawn: the minutes of 19 January were another committee's
    repo.git("rm", "-q", f"content/{M2}")
    repo.commit("withdraw", "Withdraw the minutes of 19 January: they were another committee's",
                "2021-04-15T10:00:00+00:00")

    # file names git must not mistake for separators, committed and then removed
    for name in (ODD_NAME, ODD_MEETING):
        (repo.root / "content" / name).write_text("odd\n", encoding="utf-8")
    repo.commit("odd", "Odd names", "2021-04-20T10:00:00+00:00")
    for name in (ODD_NAME, ODD_MEETING):
        (repo.root / "content" / name).unlink()
    repo.commit("odd-gone", "Remove the odd names", "2021-04-21T10:00:00+00:00")

    # a commit whose message holds control characters, directly on main, after approval
    # (its item now belongs to an issue and mentions an indicator: their feeds are dated by the history too)
    repo.write(M1, meeting("2021-01-05", "approved", "The report was noted by Councillor Smyth (PI.1).", "2021-03-10")
               .replace("    title: Performance report\n", "    title: Performance report\n    issue: performance\n"))
    repo.commit("hostile", HOSTILE, "2021-05-01T10:00:00+00:00")

    # the latest change to the archive touches no meeting
    repo.write("committees/cabinet.yml", "name: Cabinet\ndescription: The executive.\n")
    repo.commit("cabinet", "Describe the cabinet", "2021-06-01T10:00:00+00:00")
    return repo


@pytest.fixture(scope="module")
def site(repo, tmp_path_factory) -> Path:
    return build_into(repo.root / "content", tmp_path_factory.mktemp("paths-site") / "_site", with_search=False)


def history_of(page) -> list[tuple[str, str, str]]:
    section = page.find("section", class_="history")
    return [(li.find("time").get_text(strip=True), li.find(class_="changes-list__kind").get_text(strip=True),
             li.find(class_="changes-list__message").get_text(strip=True))
            for li in section.find_all("li", class_="changes-list__item")]


def feed(site: Path, path: str) -> dict[str, dict]:
    root = ET.parse(site / path).getroot()
    entries = {}
    for entry in root.findall(f"{ATOM}entry"):
        published = entry.find(f"{ATOM}published")
        entries[entry.find(f"{ATOM}title").text] = {
            "id": entry.find(f"{ATOM}id").text, "updated": entry.find(f"{ATOM}updated").text,
            "published": published.text if published is not None else None}
    return {"updated": root.find(f"{ATOM}updated").text, "entries": entries,
            "order": [e.find(f"{ATOM}title").text for e in root.findall(f"{ATOM}entry")]}


def test_a_merged_pull_request_is_one_change_dated_by_its_merge(site, repo):
    """The branch's own commits ("wip", "fix typo") are never shown: the merge is one change,
    dated when it was merged and described by the pull request's title."""
    changes = history_of(read_page(site, M2_URL))
    assert changes[-1] == ("10 February 2021", "First published (unconfirmed minutes)", "“Minutes of 19 January 2021”")
    assert len(changes) == 2  # first published, withdrawn
    changes = history_of(read_page(site, M3_URL))
    assert changes[0] == ("10 April 2021", "Corrected before approval",
                          "“Add the vote count to the minutes of 10 March”")
    for url in (M2_URL, M3_URL, "/changes/"):
        text = read_page(site, url).get_text()
        assert "fix typo" not in text and "wip" not in text and "25 January" not in text, url


def test_a_squash_merge_and_direct_pushes_are_one_change_each(site, repo):
    changes = history_of(read_page(site, M1_URL))
    assert changes == [
        ("1 May 2021", "Amended after approval", "“Tidy the index [2J of 5 January”"),
        ("1 March 2021", "Approved as a correct record", "“Approve the minutes of 5 January 2021 (#2)”"),
        ("1 February 2021", "Corrected before approval", "“Correct a name in the minutes of 5 January”"),
        ("6 January 2021", "First published (unconfirmed minutes)", "“Minutes of 5 January 2021”"),
    ]


def test_a_rebase_merge_keeps_each_commit_dated_by_the_merge_and_a_move_is_shown(site, repo):
    page = read_page(site, M3_URL)
    changes = history_of(page)
    assert [(date, kind) for date, kind, _ in changes][1:] == [
        ("1 April 2021", "Corrected before approval"),
        ("15 March 2021", "Corrected before approval"),
        ("15 March 2021", "First published (unconfirmed minutes)")]
    moved = page.find("section", class_="history").find(class_="changes-list__moved")
    assert moved is not None and M3_OLD_URL in moved.get_text()


def test_control_characters_in_a_commit_message_never_reach_a_page_or_feed(site):
    for path in (f"{M1_URL.lstrip('/')}index.html", "changes/index.html", "changes/feed.xml", "feed.xml"):
        text = (site / path).read_text(encoding="utf-8")
        assert not [ch for ch in text if ord(ch) < 32 and ch not in "\n\t" or 0x7f <= ord(ch) < 0xa0], path
    ET.parse(site / "changes" / "feed.xml")  # well-formed


def test_withdrawn_minutes_keep_a_tombstone_at_their_address(site, repo):
    page = read_page(site, M2_URL)
    assert page.h1.get_text(strip=True) == "Tuesday 19 January 2021"
    notice = page.find(class_="notice").get_text(" ", strip=True)
    assert "These minutes were withdrawn on 15 April 2021." in notice
    assert "Withdraw the minutes of 19 January: they were another committee's" in notice
    assert (
        page.find("a", href="/committees/scrutiny/").get_text(strip=True) == "Other meetings of the Scrutiny Committee"
    )
    assert history_of(page)[0][:2] == ("15 April 2021", "Withdrawn")
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert not page.find("main").has_attr("data-pagefind-body"), "left out of search"


def test_withdrawn_minutes_are_left_out_of_listings_calendars_and_sitemap(site):
    for url in ("/", "/meetings/2021/", "/committees/scrutiny/", "/meetings/"):
        assert not read_page(site, url).find("a", href=M2_URL), url
    for path in ("meetings.ics", "committees/scrutiny/meetings.ics"):
        calendar = icalendar.Calendar.from_ical((site / path).read_bytes())
        assert "2021-01-19-scrutiny@minutes.test.example" not in [str(e["UID"]) for e in calendar.walk("VEVENT")]
    locations = [loc.text for loc in ET.parse(site / "sitemap.xml").getroot().iter(f"{SITEMAP}loc")]
    assert BASE + M1_URL in locations
    assert BASE + M2_URL not in locations and BASE + M3_OLD_URL not in locations
    meetings = (site / "data" / "meetings.json").read_text(encoding="utf-8")
    assert "2021-01-19-scrutiny" not in meetings


def test_withdrawn_minutes_are_in_changes_and_the_feeds(site, repo):
    rows = read_page(site, "/changes/").find("table", class_="changes").tbody.find_all("tr")
    first = rows[0]
    assert first.th.a["href"] == f"{M1_URL}#change-{repo.commits['hostile'][:12]}"
    withdrawn = [row for row in rows if row.find_all("td")[1].get_text(strip=True) == "Withdrawn"]
    assert [row.th.a["href"] for row in withdrawn] == [f"{M2_URL}#change-{repo.commits['withdraw'][:12]}"]
    changes = feed(site, "changes/feed.xml")
    assert (
        changes["entries"]["Scrutiny Committee, 19 January 2021: Withdrawn"]["updated"] == "2021-04-15T10:00:00+00:00"
    )
    for path in ("feed.xml", "committees/scrutiny/feed.xml"):
        entry = feed(site, path)["entries"]["Scrutiny Committee, 19 January 2021: Withdrawn"]
        assert entry == {"id": BASE + M2_URL, "updated": "2021-04-15T10:00:00+00:00",
                         "published": "2021-02-10T15:00:00+00:00"}, path


def test_moved_minutes_keep_their_old_address(site):
    page = read_page(site, M3_OLD_URL)
    assert page.find("link", rel="canonical")["href"] == BASE + M3_URL
    assert page.find("main").find("a")["href"] == M3_URL
    assert page.find("meta", attrs={"http-equiv": "refresh"})["content"] == f"0; url={M3_URL}"
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert page.find("script") is None
    rules = [line.split() for line in (site / "_redirects").read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    assert rules == [[M3_OLD_URL, M3_URL, "301!"], [M3_OLD_URL + "*", M3_URL + ":splat", "301!"]]
    assert "send you on from their old address" in read_page(site, "/404.html").main.get_text()


def test_feeds_are_dated_by_the_history(site):
    """updated: the latest public change; published: the first publication; the most recently
    changed first, so an amended or approved meeting moves up."""
    main = feed(site, "feed.xml")
    assert main["order"] == ["Scrutiny Committee, 5 January 2021", "Scrutiny Committee, 19 January 2021: Withdrawn",
                             "Scrutiny Committee, 10 March 2021"]
    assert main["entries"]["Scrutiny Committee, 5 January 2021"] == {
        "id": BASE + M1_URL, "updated": "2021-05-01T10:00:00+00:00", "published": "2021-01-06T10:00:00+00:00"}
    assert main["entries"]["Scrutiny Committee, 10 March 2021"]["updated"] == "2021-04-10T16:00:00+00:00"
    assert main["updated"] == "2021-05-01T10:00:00+00:00"
    assert feed(site, "committees/scrutiny/feed.xml")["updated"] == "2021-05-01T10:00:00+00:00"
    for path in ("issues/performance/feed.xml", "indicators/pi-1/feed.xml"):
        [entry] = feed(site, path)["entries"].values()
        assert (entry["updated"], entry["published"]) == ("2021-05-01T10:00:00+00:00", "2021-01-06T10:00:00+00:00")
    # a feed without entries: the archive's latest change, never 1970
    cabinet = feed(site, "committees/cabinet/feed.xml")
    assert cabinet["entries"] == {} and cabinet["updated"] == "2021-06-01T10:00:00+00:00"


def test_calendars_carry_the_history(site):
    calendar = icalendar.Calendar.from_ical((site / "meetings.ics").read_bytes())
    event = {str(e["UID"]): e for e in calendar.walk("VEVENT")}["2021-01-05-scrutiny@minutes.test.example"]
    utc = datetime.timezone.utc
    assert event.decoded("DTSTAMP") == datetime.datetime(2021, 5, 1, 10, tzinfo=utc)
    assert event.decoded("LAST-MODIFIED") == datetime.datetime(2021, 5, 1, 10, tzinfo=utc)
    assert event.decoded("CREATED") == datetime.datetime(2021, 1, 6, 10, tzinfo=utc)
    assert event.decoded("SEQUENCE") == 3  # three public changes since first published


def test_sitemap_lastmod_is_the_latest_change(site):
    dates = {url.find(f"{SITEMAP}loc").text: url.find(f"{SITEMAP}lastmod")
             for url in ET.parse(site / "sitemap.xml").getroot().findall(f"{SITEMAP}url")}
    assert dates[BASE + M1_URL].text == "2021-05-01"
    assert dates[BASE + M3_URL].text == "2021-04-10"
    assert dates[BASE + "/"].text == "2021-05-01"


def test_odd_file_names_in_the_history_break_nothing(repo):
    from site_gen import history
    found = history.read_history(repo.root / "content")
    assert found.available and found.skipped == ()
    assert sorted(found.meetings) == [M1, M3] and sorted(found.withdrawn) == [M2]


def test_two_builds_are_byte_identical(repo, tmp_path):
    first = build_into(repo.root / "content", tmp_path / "one", with_search=False)
    second = build_into(repo.root / "content", tmp_path / "two", with_search=False)
    assert site_files(first) == site_files(second)


def test_a_preview_of_another_branch_says_so(repo, tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", f"file://{repo.root}", str(clone)], env=repo.env, check=True)
    subprocess.run(["git", "checkout", "-q", "-b", "pr-3"], cwd=clone, env=repo.env, check=True)
    result = run_cli("--content", str(clone / "content"), "--out", str(tmp_path / "_site"), "--no-cache", env=repo.env)
    assert result.returncode == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    assert notes == ["note: the branch built is pr-3, not main: the history shown is that branch's own, commit by "
                     "commit (once merged, main shows one change, dated by the merge)."]


def test_a_commit_git_cannot_read_is_skipped_with_one_note(repo, tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", f"file://{repo.root}", str(clone)], env=repo.env, check=True)
    (clone / "content" / M1).write_text(meeting("2021-01-05", "approved", "Changed again.", "2021-03-10"),
                                        encoding="utf-8")
    subprocess.run(["git", "commit", "-qam", "A commit with a broken date"], cwd=clone, env=repo.env, check=True)
    raw = subprocess.run(["git", "cat-file", "commit", "HEAD"], cwd=clone, env=repo.env, check=True,
                         capture_output=True).stdout
    lines = [b"committer garbage" if line.startswith(b"committer ") else line for line in raw.split(b"\n")]
    broken = (
        subprocess.run(
            ["git", "hash-object", "-t", "commit", "-w", "--literally", "--stdin"],
            cwd=clone,
            env=repo.env,
            input=b"\n".join(lines),
            check=True,
            capture_output=True,
        )
        .stdout.decode()
        .strip()
    )
    subprocess.run(["git", "update-ref", "HEAD", broken], cwd=clone, env=repo.env, check=True)
    out = tmp_path / "_site"
    result = run_cli("--content", str(clone / "content"), "--out", str(out), "--no-cache", env=repo.env)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    notes = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    assert notes == [f"note: the history leaves out 1 commit git could not read: {broken[:7]} (its date `%cI` is not "
                     "a date)."]
    assert history_of(read_page(out, M1_URL))[0][0] == "1 May 2021"  # the rest of the history is there


@pytest.mark.parametrize("command", [[], ["check"]], ids=["build", "check"])
def test_require_history_fails_in_one_line_without_the_whole_history(repo, tmp_path, command):
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(shallow)], env=repo.env, check=True
    )
    tarball = tmp_path / "tarball"
    subprocess.run(["git", "archive", "-o", str(tmp_path / "a.tar"), "HEAD"], cwd=repo.root, env=repo.env, check=True)
    tarball.mkdir()
    subprocess.run(["tar", "-xf", str(tmp_path / "a.tar"), "-C", str(tarball)], check=True)
    env = {**repo.env, "GIT_CEILING_DIRECTORIES": str(tmp_path)}
    out = tmp_path / "_site"
    output = (lambda folder: [] if command else ["--out", str(folder)])  # noqa: E731
    assert run_cli("--content", str(tarball / "content"), "--out", str(out), env=env).returncode == 0
    previous = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    for folder, reason in ((shallow, "the repository is a shallow clone"),
                           (tarball, "the content folder is not in a git repository")):
        result = run_cli(*command, "--require-history", "--content", str(folder / "content"), *output(out), env=env)
        assert result.returncode == 1
        assert result.stdout == ""
        assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith(f"error: --require-history: {reason}")
        assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == previous  # the previous site is untouched
    # a local build without history still builds, with one note
    plain = run_cli(*command, "--content", str(tarball / "content"), *output(tmp_path / "b"), env=env)
    assert plain.returncode == 0, plain.stderr
    full = tmp_path / "full"
    subprocess.run(["git", "clone", "-q", f"file://{repo.root}", str(full)], env=repo.env, check=True)
    whole = run_cli(*command, "--require-history", "--content", str(full / "content"), *output(tmp_path / "c"), env=env)
    assert whole.returncode == 0, whole.stderr


def site_files(root: Path) -> dict[str, bytes]:
    """Every file of a built site, by its path in the site."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
