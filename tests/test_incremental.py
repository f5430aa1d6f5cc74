"""The incremental build gives exactly the output of a cold build.

A site is built once with its cache, then changed step by step (meetings edited,
added, deleted and renamed; indicators, documents and templates changed); after
each step the incremental rebuild must be byte-identical to a cold build of the
same content, search index included. A damaged or stale cache is never trusted.
"""
from __future__ import annotations

import gc
import json
import os
import shutil
import sys
import weakref
from pathlib import Path

import pytest
from conftest import FIXTURE_CONTENT, ROOT, read_page, run_cli

from site_gen import pipeline
from site_gen.cache import BuildCache
from site_gen.loading import load_archive
from site_gen.problems import Report
from site_gen.render import TEMPLATES

sys.path.insert(0, str(ROOT / "bench"))
from generate import write_archive  # noqa: E402


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_same_tree(built: Path, expected: Path) -> None:
    got, want = tree(built), tree(expected)
    assert sorted(got) == sorted(want), (f"only in the incremental build: {sorted(set(got) - set(want))[:10]}; "
                                         f"only in the cold build: {sorted(set(want) - set(got))[:10]}")
    differing = [path for path in want if got[path] != want[path]]
    assert not differing, f"files that differ from a cold build: {differing[:10]}"


class Workspace:
    """Content, templates and a site with its cache, rebuilt incrementally and compared with cold builds."""

    def __init__(self, tmp: Path, content: Path, in_memory: bool = False):
        self.tmp = tmp
        self.content = tmp / "content"
        shutil.copytree(content, self.content)
        self.templates = tmp / "templates"
        shutil.copytree(TEMPLATES, self.templates)
        self.site = tmp / "site" / "_site"
        self.cache = tmp / "cache"
        self.cold_builds = 0
        self.options: dict = {}
        # the preview server keeps the cache in memory between builds instead of on disk
        self.memory = BuildCache.for_build(self.cache, self.content, self.site, self.templates) if in_memory else None
        self.last = self.build()

    # one search shard per year: so that a shard indexed again, or not, is seen in the output
    SHARDS = {"search_shard_pages": 1}

    def build(self) -> pipeline.Result:
        result = pipeline.build(self.content, self.site, templates=self.templates, cache_dir=self.cache,
                                cache=self.memory, **self.SHARDS, **self.options)
        assert result.ok, [p.format() for p in result.report.errors] + [result.failure]
        return result

    def rebuild_and_compare(self) -> pipeline.Result:
        self.last = self.build()
        self.cold_builds += 1
        cold = self.tmp / f"cold-{self.cold_builds}" / "_site"
        result = pipeline.build(self.content, cold, templates=self.templates, use_cache=False, **self.SHARDS,
                                **self.options)
        assert result.ok
        assert_same_tree(self.site, cold)
        shutil.rmtree(cold.parent)
        return self.last

    def meeting(self, name: str) -> Path:
        return self.content / "meetings" / name[:4] / f"{name}.md"

    def edit(self, path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} is not in {path}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


def rename_then_delete(ws: Workspace, meeting: Path, old_date: str, new_date: str, approver: Path,
                       unapprove: tuple[str, str]) -> None:
    """A meeting moved to another date (and so another file, maybe another year's folder), then
    deleted; each step compared with a cold build. The meeting `approver` approves is named by
    its date, so approved_on follows it, and `unapprove` (old, new text) undoes it at the end."""
    renamed = ws.content / "meetings" / new_date[:4] / f"{new_date}{meeting.name[10:]}"
    renamed.parent.mkdir(exist_ok=True)
    meeting.rename(renamed)
    ws.edit(renamed, f"date: {old_date}", f"date: {new_date}")
    # approved_on must name a meeting of the committee: it follows the approving meeting
    ws.edit(approver, f"approved_on: {old_date}", f"approved_on: {new_date}")
    ws.rebuild_and_compare()
    renamed.unlink()
    ws.edit(approver, *unapprove)
    ws.rebuild_and_compare()


@pytest.fixture
def fixture_workspace(tmp_path) -> Workspace:
    return Workspace(tmp_path, FIXTURE_CONTENT)


def test_nothing_changed_writes_nothing(fixture_workspace):
    result = fixture_workspace.rebuild_and_compare()
    assert result.files_written == 0 and result.files_kept > 50


@pytest.mark.parametrize("in_memory", [False, True], ids=["cache on disk", "cache in memory (serve)"])
def test_each_kind_of_change_gives_the_cold_build(tmp_path, in_memory):
    ws = Workspace(tmp_path, FIXTURE_CONTENT, in_memory)
    files = ws.last.files_kept + ws.last.files_written

    # the minutes of one meeting edited, mentioning an indicator by its alias
    ws.edit(ws.meeting("2020-02-12-scrutiny"), "\n## ", "\nThe committee noted PIE.1 again.\n\n## ")
    result = ws.rebuild_and_compare()
    assert 0 < result.files_written < files / 2, "an edit rewrites the pages it touches, not the site"

    # a meeting added (in a year that had no published meeting), then approved minutes pointing at it
    added = ws.meeting("2021-03-03-scrutiny")
    shutil.copy(ws.meeting("2020-02-12-scrutiny"), added)
    ws.edit(added, "date: 2020-02-12", "date: 2021-03-03")
    ws.rebuild_and_compare()
    ws.edit(ws.meeting("2020-02-12-scrutiny"), "status: unconfirmed", "status: approved\napproved_on: 2021-03-03")
    ws.rebuild_and_compare()

    # a meeting renamed (its date changed, into another year), then one deleted
    rename_then_delete(ws, added, "2021-03-03", "2022-04-06", ws.meeting("2020-02-12-scrutiny"),
                       ("\napproved_on: 2022-04-06", ""))

    # an indicator's values changed, then an alias added (which changes how every text is linked)
    indicator = ws.content / "indicators" / "PI.1.yml"
    ws.edit(indicator, "actual: 110", "actual: 95")
    ws.rebuild_and_compare()
    ws.edit(indicator, "aliases: [PI1, PIE.1]", "aliases: [PI1, PIE.1, HTA.1]")
    ws.rebuild_and_compare()
    (ws.content / "indicators" / "PI.2.yml").unlink()
    ws.edit(ws.meeting("2021-01-20-cabinet"), "mentioning PI.2", "mentioning PI.1")
    ws.rebuild_and_compare()

    # minutes approved at another committee's meeting, which then goes back to draft:
    # the approved minutes' page changes though their own file does not
    ws.edit(ws.meeting("2019-11-05-cabinet"), "status: approved", "status: approved\napproved_on: 2020-01-15")
    ws.rebuild_and_compare()
    ws.edit(ws.meeting("2020-01-15-scrutiny"), "status: approved", "status: draft")
    ws.rebuild_and_compare()
    ws.edit(ws.meeting("2020-01-15-scrutiny"), "status: draft", "status: approved")

    # a meeting's document replaced, and a committee renamed
    document = ws.content / "meetings" / "2020" / "2020-01-15-scrutiny" / "report.pdf"
    document.write_bytes(document.read_bytes() + b"\n% amended\n")
    ws.rebuild_and_compare()
    committee = ws.content / "committees" / "scrutiny.yml"
    text = committee.read_text(encoding="utf-8")
    committee.write_text(text.replace("name: ", "name: Renamed ", 1), encoding="utf-8")
    ws.rebuild_and_compare()

    # templates changed
    ws.edit(ws.templates / "meeting.html", "</h1>", " (minutes)</h1>")
    ws.rebuild_and_compare()
    ws.edit(ws.templates / "partials" / "footer.html", "</footer>", "<p>Changed footer.</p></footer>")
    ws.rebuild_and_compare()

    # drafts published, then not
    ws.options = {"include_drafts": True}
    ws.rebuild_and_compare()
    ws.options = {}
    ws.rebuild_and_compare()


@pytest.fixture
def in_parallel(monkeypatch):
    """Forked workers load meetings, render Markdown, meetings and indicator pages in these small builds too."""
    from site_gen import pool
    from site_gen.pages import indicators
    monkeypatch.setattr(pool, "PARALLEL_THRESHOLD", 10)
    monkeypatch.setattr(indicators, "PARALLEL_MENTIONS", 10)


def test_workers_make_the_same_site(tmp_path, monkeypatch):
    source = tmp_path / "generated"
    write_archive(source, 60)
    sequential = pipeline.build(source, tmp_path / "one" / "_site", use_cache=False, with_search=False)
    from site_gen import pool
    from site_gen.pages import indicators
    monkeypatch.setattr(pool, "PARALLEL_THRESHOLD", 10)
    monkeypatch.setattr(indicators, "PARALLEL_MENTIONS", 10)
    parallel = pipeline.build(source, tmp_path / "two" / "_site", use_cache=False, with_search=False)
    assert sequential.ok and parallel.ok and parallel.files_written == sequential.files_written
    # the warnings of meetings loaded by workers are those of one process, in the same order
    assert sequential.report.warnings
    assert [p.format() for p in parallel.report.sorted()] == [p.format() for p in sequential.report.sorted()]
    assert_same_tree(tmp_path / "two" / "_site", tmp_path / "one" / "_site")


def test_a_generated_archive_with_pages_of_many_meetings(tmp_path, in_parallel):
    """Decisions pages, issues and indicator mentions spread across meetings; rendered by workers."""
    source = tmp_path / "generated"
    write_archive(source, 60)
    ws = Workspace(tmp_path / "ws", source)
    meetings = sorted((ws.content / "meetings").rglob("*.md"))
    ws.edit(meetings[5], "status: approved", "status: unconfirmed")
    ws.edit(meetings[7], "decision: That the report be noted.", "decision: That the report be deferred.")
    ws.rebuild_and_compare()
    meetings[10].unlink()  # every later decision moves up the register's pages
    ws.rebuild_and_compare()
    # an item retitled: its mentions on indicator pages and its line on the portfolio page change
    ws.edit(meetings[12], "title: Report 3 on", "title: Retitled report 3 on")
    ws.rebuild_and_compare()
    ws.edit(ws.content / "indicators" / "PI.3.yml", "title: Indicator number 3", "title: Indicator three")
    ws.rebuild_and_compare()


def test_the_site_feed_and_calendar_are_made_again_only_when_a_meeting_they_list_changes(tmp_path, monkeypatch):
    """The site's feed lists the 50 most recently changed meetings, its calendar those from two
    years before the newest: an edit to an older meeting keeps both (not made again), an edit to
    the newest makes both again, each time as a cold build would."""
    source = tmp_path / "generated"
    write_archive(source, 60)
    first = sorted((source / "meetings").rglob("*.md"))[0]  # 1990-01-10: one of the ten the feed leaves out
    old = source / "meetings" / "1985" / first.name.replace("1990-01-10", "1985-02-20")  # and before the calendar
    old.parent.mkdir()
    text = first.read_text(encoding="utf-8").replace("date: 1990-01-10", "date: 1985-02-20").replace(
        "status: approved", "status: unconfirmed")
    old.write_text("\n".join(line for line in text.splitlines() if "approved_on" not in line) + "\n", encoding="utf-8")
    ws = Workspace(tmp_path / "ws", source)
    from site_gen import feeds, ical
    made: list[str] = []
    site_feed, site_calendar = feeds.site_feed, ical.Calendars.site_calendar
    monkeypatch.setattr(feeds, "site_feed", lambda *args: made.append("feed") or site_feed(*args))
    monkeypatch.setattr(ical.Calendars, "site_calendar",
                        lambda self, *args: made.append("calendar") or site_calendar(self, *args))
    meetings = sorted((ws.content / "meetings").rglob("*.md"))
    ws.edit(meetings[0], "\n## ", "\nA sentence added.\n\n## ")
    ws.build()
    assert made == [], "neither lists the meeting: both kept"
    ws.rebuild_and_compare()
    ws.edit(meetings[-1], "title: Apologies", "title: Apologies for absence")  # shown by both
    made.clear()
    ws.build()
    assert sorted(made) == ["calendar", "feed"]
    ws.rebuild_and_compare()


def test_a_damaged_cache_is_ignored(fixture_workspace):
    ws = fixture_workspace
    [cache_file] = ws.cache.glob("*.cache")
    data = bytearray(cache_file.read_bytes())
    data[-100] ^= 0xFF
    cache_file.write_bytes(bytes(data))
    ws.edit(ws.meeting("2020-02-12-scrutiny"), "\n## ", "\nA sentence added.\n\n## ")
    result = ws.rebuild_and_compare()
    assert result.cache_notice == "it is damaged or was not written on this machine (its checksum does not match)"
    assert result.files_kept == 0, "nothing is trusted from a damaged cache"

    cache_file.write_bytes(b"not a cache")
    assert ws.rebuild_and_compare().cache_notice == "it is not a cache file"
    cache_file.write_bytes(cache_file.read_bytes()[:5])
    assert ws.rebuild_and_compare().cache_notice == "it is not a cache file"


def test_a_site_changed_by_hand_is_not_trusted(fixture_workspace):
    ws = fixture_workspace
    page = ws.site / "meetings" / "2019" / "2019-11-05-cabinet" / "index.html"
    original = page.read_bytes()
    page.write_bytes(original.replace(b"<", b"[", 1))  # same size, different bytes
    result = ws.rebuild_and_compare()
    assert page.read_bytes() == original
    assert result.files_written >= 1

    # the bulk download's members are copied from the previous one as they are there (not inflated):
    # a byte changed in one, in place, makes it untrusted, and so made again
    bulk = ws.site / "data" / "open-data.zip"
    with open(bulk, "r+b") as stream:
        stream.seek(len(original_bulk := bulk.read_bytes()) // 3)
        stream.write(bytes([original_bulk[len(original_bulk) // 3] ^ 0xFF]))
    ws.edit(ws.meeting("2020-02-12-scrutiny"), "\n## ", "\nA correction.\n\n## ")  # the zip is made again
    ws.rebuild_and_compare()

    # the same for the search index: its shard is made again
    entry = ws.site / "pagefind" / "pagefind-entry.json"
    entry.write_bytes(entry.read_bytes().replace(b"{", b"[", 1))
    assert ws.rebuild_and_compare().search_index[0] >= 1

    # a different folder for the output: nothing to link from, everything written
    ws.site = ws.tmp / "elsewhere" / "_site"
    result = ws.rebuild_and_compare()
    assert result.files_kept == 0


def test_the_cache_is_beside_the_output_and_the_cli_can_skip_it(tmp_path):
    out = tmp_path / "_site"
    first = run_cli("--content", str(FIXTURE_CONTENT), "--out", str(out))
    assert first.returncode == 0, first.stderr
    assert [p.suffix for p in (tmp_path / ".cache").iterdir()] == [".cache"]
    again = run_cli("--content", str(FIXTURE_CONTENT), "--out", str(out))
    assert "0 files written" in again.stdout
    shutil.rmtree(tmp_path / ".cache")
    uncached = run_cli("--content", str(FIXTURE_CONTENT), "--out", str(out), "--no-cache")
    assert uncached.returncode == 0 and "0 unchanged" in uncached.stdout
    assert not (tmp_path / ".cache").exists(), "--no-cache neither reads nor writes the cache"


@pytest.mark.parametrize("in_memory", [False, True], ids=["cache on disk", "cache in memory (serve)"])
def test_new_commits_change_exactly_what_a_cold_build_changes(tmp_path, monkeypatch, in_memory):
    """The history section of a meeting page comes from git: commits are inputs too. The preview
    server reads git's log at every build, but works out the history again only after a commit."""
    from test_history import Repo, git_env

    from site_gen import history
    ws = Workspace(tmp_path, FIXTURE_CONTENT, in_memory)
    parsed: list[bytes] = []
    parse_log = history.parse_log
    monkeypatch.setattr(history, "parse_log", lambda log: parsed.append(log) or parse_log(log))
    repo = Repo(ws.tmp, git_env(ws.tmp))
    repo.git("init", "-q", "-b", "main")
    (ws.tmp / ".gitignore").write_text("site/\ncache/\ncold-*/\n", encoding="utf-8")
    repo.commit("first", "Publish the archive", "2024-01-10T10:00:00+00:00")
    ws.rebuild_and_compare()

    untouched = ws.site / "meetings" / "2019" / "2019-11-05-cabinet" / "index.html"
    inode = untouched.stat().st_ino
    ws.edit(ws.meeting("2020-02-12-scrutiny"), "\n## ", "\nA correction.\n\n## ")
    repo.commit("amend", "Correct the minutes of 12 February", "2024-02-01T10:00:00+00:00")
    result = ws.rebuild_and_compare()
    assert result.files_written < (result.files_written + result.files_kept) / 2
    # a commit that did not touch a meeting leaves its page as it was (not even written again)
    assert untouched.stat().st_ino == inode

    ws.edit(ws.content / "site.yml", "\n", "\nrepository_url: https://github.com/example/minutes\n")
    repo.commit("forge", "Link the forge", "2024-03-01T10:00:00+00:00")
    ws.rebuild_and_compare()

    parsed.clear()
    ws.edit(ws.meeting("2020-02-12-scrutiny"), "A correction.", "A correction, not committed.")
    ws.build()
    assert len(parsed) == (0 if in_memory else 1), "the same log: the history is kept (in memory only)"
    ws.rebuild_and_compare()
    repo.commit("again", "Commit the correction", "2024-03-02T10:00:00+00:00")
    parsed.clear()
    ws.build()
    assert len(parsed) == 1
    ws.rebuild_and_compare()


def test_a_site_restored_by_copying_is_reused_after_checking_its_bytes(fixture_workspace):
    """A CI cache restores _site/ as new files (new inodes): their hashes are checked instead."""
    ws = fixture_workspace
    copy = ws.tmp / "restored"
    shutil.copytree(ws.site, copy)
    shutil.rmtree(ws.site)
    copy.rename(ws.site)
    result = ws.rebuild_and_compare()
    assert result.files_written == 0 and result.files_kept > 50
    assert result.search_index[0] == 0, "no search shard is indexed again"


def test_check_reports_the_same_problems_from_its_cache(tmp_path):
    """`check` keeps what loading and rendering each meeting gave (the pre-commit hook runs it
    on every commit): the second run replays every warning and error exactly."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    meeting = content / "meetings" / "2020" / "2020-02-12-scrutiny.md"
    meeting.write_text(meeting.read_text(encoding="utf-8").replace("\n## ", "\nSee PIE.9 and PI.99.\n\n## ", 1),
                       encoding="utf-8")
    first = run_cli("check", "--content", str(content))
    assert [p.suffix for p in (tmp_path / ".cache").iterdir()] == [".cache"]
    again = run_cli("check", "--content", str(content))
    uncached = run_cli("check", "--content", str(content), "--no-cache")
    assert "warning" in first.stdout
    assert first.stdout == again.stdout == uncached.stdout
    assert first.returncode == again.returncode == uncached.returncode

    (content / "committees" / "scrutiny.yml").unlink()  # now every scrutiny meeting is in error
    broken = run_cli("check", "--content", str(content))
    assert broken.returncode == 1
    assert broken.stdout == run_cli("check", "--content", str(content), "--no-cache").stdout


def test_indicator_files_are_loaded_again_only_when_they_or_the_portfolios_change(tmp_path, monkeypatch):
    """An indicator file is kept as the last build loaded it (the cache's "indicators" stage) while
    its bytes and the portfolios it may name are the same; what loading it reported is replayed."""
    from site_gen import safefiles
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    indicator = content / "indicators" / "PI.1.yml"
    indicator.write_text(indicator.read_text(encoding="utf-8").replace("unit: households", "unit: households\nsize: 3"),
                         encoding="utf-8")  # a problem of its own, replayed from the cache
    age(content)  # else it is read again anyway: written just before the build looked
    first = run_cli("check", "--content", str(content))
    assert "PI.1.yml" in first.stdout
    read: list[str] = []
    real = safefiles.read_limited
    monkeypatch.setattr(safefiles, "read_limited",
                        lambda path, *args, **kwargs: read.append(Path(path).name) or real(path, *args, **kwargs))

    def loaded(cache: BuildCache | None) -> list[str]:
        report = Report()
        archive = load_archive(content, report, cache)
        assert archive is not None and "PI.1" in archive.indicators
        return [problem.format() for problem in report.sorted()]

    problems = loaded(BuildCache.for_build(tmp_path / ".cache", content))  # the cache `check` saved
    assert not [name for name in read if name.startswith("PI.")], "unchanged indicator files are not read"
    assert any("PI.1.yml" in line for line in problems) and problems == loaded(None)

    # the portfolio loses the priority PI.1 names: its error comes from loading it again
    portfolio = content / "portfolios" / "housing.yml"
    portfolio.write_text(portfolio.read_text(encoding="utf-8").split("  - number: 2")[0].replace(
        "number: 1", "number: 3"), encoding="utf-8")
    again = run_cli("check", "--content", str(content))
    uncached = run_cli("check", "--content", str(content), "--no-cache")
    assert "portfolio `housing` has no priority 1" in again.stdout
    assert again.stdout == uncached.stdout and again.returncode == uncached.returncode == 1


def test_a_withdrawal_a_move_and_a_merge_give_the_cold_build(fixture_workspace):
    """Tombstones, the pages at moved minutes' old addresses, _redirects, and the dates of feeds,
    calendars and the sitemap all come from commits: each kind of commit, rebuilt incrementally,
    gives exactly the cold build."""
    from test_history import Repo, git_env

    ws = fixture_workspace
    repo = Repo(ws.tmp, git_env(ws.tmp))
    repo.git("init", "-q", "-b", "main")
    (ws.tmp / ".gitignore").write_text("site/\ncache/\ncold-*/\n", encoding="utf-8")
    repo.commit("first", "Publish the archive", "2024-01-10T10:00:00+00:00")
    ws.rebuild_and_compare()

    # withdrawn: the file deleted and committed
    withdrawn = ws.meeting("2020-02-12-scrutiny")
    repo.git("rm", "-q", str(withdrawn.relative_to(ws.tmp)))
    # the minutes it approved no longer name it (approved_on must name a meeting of the archive)
    approved = ws.meeting("2020-01-15-scrutiny")
    ws.edit(approved, "approved_on: 2020-02-12\n", "")
    repo.git("add", str(approved.relative_to(ws.tmp)))
    repo.commit("withdraw", "Withdraw the minutes of 12 February 2020", "2024-02-01T10:00:00+00:00")
    ws.rebuild_and_compare()
    assert (ws.site / "meetings" / "2020" / "2020-02-12-scrutiny" / "index.html").is_file()

    # moved: renamed to another date, and committed
    old = ws.meeting("2019-11-05-cabinet")
    new = ws.meeting("2019-11-06-cabinet")
    repo.git("mv", str(old.relative_to(ws.tmp)), str(new.relative_to(ws.tmp)))
    ws.edit(new, "date: 2019-11-05", "date: 2019-11-06")
    repo.commit("move", "Correct the date of the cabinet meeting of 6 November 2019", "2024-03-01T10:00:00+00:00")
    ws.rebuild_and_compare()
    assert (ws.site / "_redirects").is_file()

    # a pull request merged with a merge commit: two commits on its branch, one change on main
    repo.git("checkout", "-q", "-b", "correction")
    ws.edit(new, "\n## ", "\nA first go.\n\n## ")
    repo.commit("branch-1", "wip", "2024-03-05T10:00:00+00:00")
    ws.edit(new, "A first go.", "A correction, as agreed.")
    repo.commit("branch-2", "fix typo", "2024-03-06T10:00:00+00:00")
    repo.git("checkout", "-q", "main")
    env = {**repo.env, "GIT_COMMITTER_DATE": "2024-03-10T10:00:00+00:00",
           "GIT_AUTHOR_DATE": "2024-03-10T10:00:00+00:00"}
    import subprocess
    subprocess.run(["git", "merge", "-q", "--no-ff", "correction", "-m", "Merge pull request #7 from a/correction\n\n"
                    "Correct the cabinet minutes of 6 November 2019"], cwd=ws.tmp, env=env, check=True)
    ws.rebuild_and_compare()
    page = (ws.site / "meetings" / "2019" / "2019-11-06-cabinet" / "index.html").read_text(encoding="utf-8")
    assert "Correct the cabinet minutes of 6 November 2019" in page and "fix typo" not in page

    # the withdrawn minutes restored: the tombstone gives way to the page again
    repo.git("checkout", repo.commits["first"], "--", str(withdrawn.relative_to(ws.tmp)),
             str(approved.relative_to(ws.tmp)))
    repo.commit("restore", "Restore the minutes of 12 February 2020", "2024-04-01T10:00:00+00:00")
    ws.rebuild_and_compare()


# -- meeting files not read again when their record says they are the same ----------------

def age(folder: Path, seconds: int = 3600) -> None:
    """Every file of `folder` last changed `seconds` ago: outside the moment around a build in which
    a file is always read again (a change within the same tick of the file system's clock)."""
    import os
    import time
    when = time.time_ns() - seconds * 1_000_000_000
    for path in folder.rglob("*"):
        os.utime(path, ns=(when, when), follow_symlinks=False)


def meeting_files_read(monkeypatch) -> list[str]:
    """The meeting files loading reads from now on, by name."""
    from site_gen import safefiles
    read: list[str] = []
    real = safefiles.read_limited

    def counting(path, *args, **kwargs):
        if Path(path).suffix == ".md" and Path(path).parent.parent.name == "meetings":
            read.append(Path(path).name)
        return real(path, *args, **kwargs)
    monkeypatch.setattr(safefiles, "read_limited", counting)
    return read


@pytest.mark.parametrize("in_memory", [False, True], ids=["cache on disk", "cache in memory (serve)"])
def test_meeting_files_whose_record_matches_are_not_read_again(tmp_path, monkeypatch, in_memory):
    import os
    aged = tmp_path / "aged"
    shutil.copytree(FIXTURE_CONTENT, aged)
    age(aged)
    ws = Workspace(tmp_path / "ws", aged, in_memory)
    age(ws.content)  # copytree kept the times, but the copy's change times are new: a build sees them
    ws.build()
    read = meeting_files_read(monkeypatch)
    assert ws.rebuild_and_compare().files_written == 0
    meetings = len(list((ws.content / "meetings").rglob("*.md")))
    assert read.count("2020-02-12-scrutiny.md") == 1 and len(read) == meetings, "only the cold build's reads"

    # an edit is read (its size and times differ) and gives the cold build
    read.clear()
    scrutiny = ws.meeting("2020-02-12-scrutiny")
    ws.edit(scrutiny, "\n## ", "\nA sentence added.\n\n## ")
    ws.rebuild_and_compare()
    assert read.count("2020-02-12-scrutiny.md") == 2 and len(read) == meetings + 1

    # the same size and modification time put back, the bytes different: its change time differs
    age(ws.content)
    ws.build()
    read.clear()
    before = scrutiny.stat()
    ws.edit(scrutiny, "A sentence added.", "A sentence ADDED.")
    os.utime(scrutiny, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert scrutiny.stat().st_size == before.st_size
    result = ws.rebuild_and_compare()
    assert read.count("2020-02-12-scrutiny.md") == 2 and result.files_written > 0

    # only its times changed: read again, nothing written
    age(ws.content)
    ws.build()
    read.clear()
    os.utime(scrutiny, ns=(before.st_atime_ns, before.st_mtime_ns - 10_000_000_000))
    result = ws.rebuild_and_compare()
    assert read.count("2020-02-12-scrutiny.md") == 2 and result.files_written == 0

    # renamed (another address) and deleted: each gives the cold build
    rename_then_delete(ws, scrutiny, "2020-02-12", "2020-02-13", ws.meeting("2020-01-15-scrutiny"),
                       ("status: approved\napproved_on: 2020-02-13", "status: unconfirmed"))


def test_a_file_changed_as_the_last_build_looked_is_read_again(tmp_path, monkeypatch):
    """A file written within a moment of the last build's look at it could have been written again
    after, in the same tick of a coarse clock (the same times): it is never taken from its record."""
    aged = tmp_path / "aged"
    shutil.copytree(FIXTURE_CONTENT, aged)
    ws = Workspace(tmp_path / "ws", aged)
    age(ws.content)
    fresh = ws.meeting("2020-02-12-scrutiny")
    fresh.write_bytes(fresh.read_bytes())  # its times are now
    ws.build()
    read = meeting_files_read(monkeypatch)
    ws.build()
    assert read == ["2020-02-12-scrutiny.md"]


# -- the cache file: appended to after each build, written anew when mostly unused ---------

def test_a_save_appends_what_the_build_computed_and_a_damaged_value_is_computed_again(fixture_workspace):
    from site_gen import cache as cache_module

    ws = fixture_workspace
    [cache_file] = ws.cache.glob("*.cache")
    first = cache_file.read_bytes()
    ws.edit(ws.meeting("2020-02-12-scrutiny"), "\n## ", "\nA sentence added.\n\n## ")
    ws.rebuild_and_compare()
    [same_file] = ws.cache.glob("*.cache")
    second = same_file.read_bytes()
    # the values of the first build are where they were; the edited meeting's and a new index follow
    head = cache_module.HEAD
    assert second[head:len(first)] == first[head:]
    assert len(first) < len(second) < 2 * len(first)

    # every value of the last build, damaged: each is computed again, never used
    reread = BuildCache.for_build(ws.cache, ws.content, ws.site, ws.templates)
    assert reread.ignored is None
    places = [place for stage in cache_module.MEMO_STAGES
              for place in getattr(reread.previous, stage).entries.values()]
    data = bytearray(second)
    for offset, length, _ in places:
        data[head + offset + length // 2] ^= 0x01
    same_file.write_bytes(bytes(data))
    reread = BuildCache.for_build(ws.cache, ws.content, ws.site, ws.templates)
    assert reread.ignored is None and reread.previous.meetings  # the index is intact
    assert all(reread.previous.meetings.get(key) is None for key in reread.previous.meetings)
    ws.edit(ws.meeting("2020-02-12-scrutiny"), "A sentence added.", "A sentence changed.")
    ws.rebuild_and_compare()


def test_a_save_cut_short_leaves_the_last_state_and_a_mostly_unused_file_is_written_anew(fixture_workspace):
    ws = fixture_workspace
    [cache_file] = ws.cache.glob("*.cache")
    with open(cache_file, "ab") as stream:  # part of a value the head does not point at
        stream.write(b'{"half of a value"')
    saved = cache_file.stat().st_size
    assert BuildCache.for_build(ws.cache, ws.content, ws.site, ws.templates).ignored is None
    assert ws.rebuild_and_compare().files_written == 0

    grown = cache_file.stat().st_size
    assert grown > saved  # appended to
    with open(cache_file, "ab") as stream:  # as after many builds: most of the file unused
        stream.write(b"\0" * (2 * grown))
    ws.edit(ws.meeting("2020-02-12-scrutiny"), "\n## ", "\nA sentence added.\n\n## ")
    ws.rebuild_and_compare()
    [written_anew] = ws.cache.glob("*.cache")
    assert written_anew.stat().st_size < grown
    assert ws.rebuild_and_compare().files_written == 0


def test_an_indicator_page_is_made_again_only_when_what_it_shows_of_a_mention_changes(fixture_workspace,
                                                                                     monkeypatch):
    """An indicator's page, data and feed show each mention's meeting, item and sentence: editing
    another part of a meeting that mentions it does not make them again; editing the sentence
    does, as a cold build would."""
    from site_gen import render
    ws = fixture_workspace
    made: list[str] = []  # by the incremental builds, not the cold ones they are compared with
    render_page = render.SiteRenderer.render_page
    monkeypatch.setattr(render.SiteRenderer, "render_page", lambda self, page: (
        Path(self.writer.out) == ws.site and made.append(page.url)) or render_page(self, page))
    meeting = ws.meeting("2020-02-12-scrutiny")
    ws.edit(meeting, "the update be noted;", "the update be noted with thanks;")  # not a mention of PI.1
    ws.rebuild_and_compare()
    assert "/meetings/2020/2020-02-12-scrutiny/" in made
    assert "/indicators/pi-1/" not in made, "nothing it shows changed"
    ws.edit(meeting, "Councillors asked about PI.1 again.", "Councillors asked about PI.1 once more.")
    ws.rebuild_and_compare()
    assert "/indicators/pi-1/" in made
    quotes = read_page(ws.site, "/indicators/pi-1/").find_all("blockquote")
    assert "Councillors asked about PI.1 once more." in [quote.get_text(" ", strip=True) for quote in quotes]


def test_the_bulk_files_are_put_together_only_when_an_entry_of_theirs_changes(fixture_workspace, monkeypatch):
    """meetings.json, decisions.json and issues.json are kept, not put together, when the meetings'
    entries in them are the same (an edit to the minutes' text), and made when one changes; the
    entries kept in the cache are read only to put them together."""
    from site_gen import cache as cache_module
    from site_gen.opendata import OpenData
    from site_gen.renders import MeetingRows
    ws = fixture_workspace
    assembled: list[str] = []
    for name in ("meetings_index", "decisions", "issues"):
        real = getattr(OpenData, name)
        monkeypatch.setattr(OpenData, name, lambda self, rows, real=real, name=name:
                            assembled.append(name) or real(self, rows))
    read: list[object] = []
    decoded = cache_module._StoredValues._decoded
    monkeypatch.setattr(cache_module._StoredValues, "_decoded", lambda self, key, data: read.append(
        (value := decoded(self, key, data), isinstance(self, cache_module.LazyStage))) or value)

    def entries_read() -> int:
        """The entries read back from the last build's cache file."""
        return sum(isinstance(value, MeetingRows) for value, previous in read if previous)

    meeting = ws.meeting("2020-02-12-scrutiny")
    ws.edit(meeting, "\n## ", "\nA sentence of the minutes added.\n\n## ")
    ws.build()
    assert assembled == []
    assert entries_read() == 0  # their hashes are enough to know
    ws.rebuild_and_compare()  # (nothing more changed; a cold build puts them together)
    assembled.clear()
    read.clear()
    ws.edit(meeting, "be approved as a correct record.", "be approved as a correct record, as amended.")
    meetings = len(ws.build().linked.meetings)
    assert sorted(assembled) == ["decisions", "issues", "meetings_index"]
    assert entries_read() == meetings - 1  # all but the edited meeting's, made anew
    ws.rebuild_and_compare()
    decisions = json.loads((ws.site / "data" / "decisions.json").read_text(encoding="utf-8"))["decisions"]
    assert any(d["decision"].endswith("as a correct record, as amended.") for d in decisions)


def test_what_a_build_linked_is_freed_with_its_result_not_left_to_the_cycle_collector(tmp_path):
    """The preview server builds again and again in one process, with the cycle collector paused
    while it builds: the linked archive, its indexes and the pages' helpers must go as soon as
    the build's result does, rather than wait for a collection that looks through millions of
    objects (a third of a second of every rebuild, when the renderer's helpers held them)."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    out = tmp_path / "_site"
    cache = BuildCache.for_build(tmp_path / "cache", content, out)
    assert pipeline.build(content, out, with_search=False, cache=cache).ok
    meeting = next((content / "meetings").glob("*/*.md"))
    meeting.write_text(meeting.read_text(encoding="utf-8") + "\nA paragraph added.\n", encoding="utf-8")
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        result = pipeline.build(content, out, with_search=False, cache=cache)
        assert result.ok and result.files_written
        linked = weakref.ref(result.linked)
        archive = weakref.ref(result.linked.archive)
        del result
        assert linked() is None, "a cycle still holds the linked archive"
        assert archive() is None, "a cycle still holds the archive"
    finally:
        if was_enabled:
            gc.enable()


def test_the_index_pages_are_made_again_only_when_what_they_list_changes(fixture_workspace, monkeypatch):
    """The home page, the search page and the indexes of meetings, committees, portfolios,
    indicators and issues say what they are made from: a sentence edited in a meeting makes none
    of them again; a new meeting makes again those that list it, as a cold build would."""
    from site_gen import render
    ws = fixture_workspace
    made: list[str] = []
    render_page = render.SiteRenderer.render_page
    monkeypatch.setattr(render.SiteRenderer, "render_page", lambda self, page: (
        Path(self.writer.out) == ws.site and made.append(page.url)) or render_page(self, page))
    indexes = {"/", "/search/", "/accessibility/", "/404.html", "/meetings/", "/committees/", "/portfolios/",
               "/indicators/", "/issues/"}
    ws.edit(ws.meeting("2020-02-12-scrutiny"), "the update be noted;", "the update be noted with thanks;")
    ws.rebuild_and_compare()
    assert "/meetings/2020/2020-02-12-scrutiny/" in made
    assert not indexes & set(made), f"made again with nothing they show changed: {sorted(indexes & set(made))}"
    made.clear()
    ws.meeting("2020-03-11-scrutiny").write_text(
        "---\ncommittee: scrutiny\ndate: 2020-03-11\nstatus: unconfirmed\nitems:\n  - number: 1\n"
        "    title: Apologies\n---\n## 1. Apologies\n\nThere were none.\n", encoding="utf-8")
    ws.rebuild_and_compare()
    assert {"/", "/meetings/", "/committees/"} <= set(made), "the pages that list the new meeting"
    assert not {"/accessibility/", "/404.html", "/portfolios/"} & set(made)


def test_the_preview_makes_the_next_builds_spare_while_the_clerk_edits(tmp_path):
    """The preview server's first build into a new folder leaves no spare site for the next
    build to start from: it has the helper link the new site into one in the background (else
    the clerk's first change waits while the whole site is linked), then records the files'
    change times again, which linking changed, so the next build keeps every file."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    out = tmp_path / "_site"
    cache = BuildCache.for_build(tmp_path / "cache", content, out)
    assert pipeline.build(content, out, with_search=False, cache=cache).ok
    assert cache.settle is not None
    cache.settle()
    spare = cache.path.with_suffix(".site")
    records = cache.previous.outputs
    assert records and all(os.stat(spare / key).st_ino == os.stat(out / key).st_ino for key in records), \
        "every file of the site linked into the spare"
    for key, record in records.items():
        found = os.stat(out / key)
        assert (found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino) == (
            record.size, record.mtime_ns, record.ctime_ns, record.inode), f"{key} recorded before it was linked"
    result = pipeline.build(content, out, with_search=False, cache=cache)
    assert result.ok and result.files_written == 0 and result.files_kept == len(records)
