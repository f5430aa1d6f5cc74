"""What the build trusts and refuses on the build machine (docs/security-build.md).

The output folder is never one the build did not make; the cache is data, authenticated
before it is read, and can run nothing; a file of the previous site is kept only when
provably unchanged; a failure of the disk or of Pagefind leaves the previous site as it
was, with one plain sentence; a build killed at any moment leaves a complete site and
nothing that the next build does not remove; the same content gives the same bytes on
any file system.
"""
from __future__ import annotations

import ast
import errno
import os
import pickle
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FIXTURE_CONTENT, ROOT, run_cli

from site_gen import cache as cache_module
from site_gen import cli, pipeline, search, writer
from site_gen.cache import BuildCache, code_signature
from site_gen.render import TEMPLATES

MEETING = Path("meetings") / "2020" / "2020-02-12-scrutiny.md"


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (dot-files and .git included), by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def copy_content(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    return content


def build(content: Path, out: Path, **options) -> pipeline.Result:
    result = pipeline.build(content, out, **options)
    assert result.ok, [p.format() for p in result.report.errors] + [result.failure]
    return result


def edit_meeting(content: Path, text: str = "A sentence added.") -> None:
    path = content / MEETING
    path.write_text(path.read_text(encoding="utf-8").replace("\n## ", f"\n{text}\n\n## ", 1), encoding="utf-8")


def leftovers(folder: Path, out_name: str) -> list[str]:
    names = [p.name for p in folder.iterdir()
             if p.name.startswith((f".{out_name}.staging-", f".{out_name}.previous-", ".search-shard-"))]
    cache = folder / ".cache"
    if cache.is_dir():
        names += [f".cache/{p.name}" for p in cache.iterdir() if p.name.startswith(".tmp-")]
    return sorted(names)


# -- the output folder -------------------------------------------------------------------

@pytest.fixture
def repository(tmp_path) -> Path:
    """A git repository holding a content folder, and a folder of someone's papers beside it."""
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURE_CONTENT, repo / "content")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "letter.txt").write_text("Dear Sir,\n", encoding="utf-8")
    return repo


@pytest.mark.parametrize("out, said", [
    (".", "holds the content folder"),
    ("content", "is the content folder"),
    ("content/meetings", "is inside the content folder"),
    ("content/new-site", "is inside the content folder"),
    ("..", "holds the content folder"),
    ("../papers", "is not empty and was not made by this build"),
    (".git/site", "inside a .git folder"),
])
@pytest.mark.parametrize("command", ["build", "serve"])
def test_an_output_folder_the_build_did_not_make_is_refused(repository, out, said, command):
    before = tree(repository.parent)
    options = ["--port", "0"] if command == "serve" else []
    result = run_cli(command, "--content", "content", "--out", out, *options, cwd=repository)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: --out {out} ") and said in lines[0], result.stderr
    assert tree(repository.parent) == before, "nothing was deleted or written"


def test_the_generators_own_folder_is_refused_wherever_the_content_is(tmp_path):
    content = copy_content(tmp_path)
    assert "is the folder of build.py" in writer.output_problem(ROOT, content)
    assert writer.output_problem(tmp_path / "_site", content) is None
    # content outside the folder that holds build.py's (a clone in /tmp has its tests' folders there
    # too, and then the content folder is what --out would delete first, and said first)
    elsewhere = next(folder for folder in (tmp_path, Path("/dev/shm"), Path("/var/tmp"), Path.home())
                     if folder.is_dir() and not folder.resolve().is_relative_to(ROOT.parent.resolve()))
    assert "holds the folder of build.py" in writer.output_problem(ROOT.parent, elsewhere / "content")


def test_a_site_built_before_the_marker_is_still_replaced(tmp_path):
    content = copy_content(tmp_path)
    out = tmp_path / "_site"
    build(content, out)
    (out / writer.MARKER).unlink()
    assert writer.output_problem(out, content) is None
    (out / "sitemap.xml").unlink()
    assert "was not made by this build" in writer.output_problem(out, content)


def test_an_empty_folder_or_a_previous_site_is_replaced(tmp_path):
    content = copy_content(tmp_path)
    out = tmp_path / "_site"
    out.mkdir()
    first = run_cli("--content", str(content), "--out", str(out))
    assert first.returncode == 0, first.stderr
    marker = out / writer.MARKER
    assert marker.read_bytes() == writer.MARKER_TEXT
    (out / "stray.html").write_text("left by hand", encoding="utf-8")
    again = run_cli("--content", str(content), "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert not (out / "stray.html").exists(), "the site is replaced whole"
    # the marker is no page: not in the sitemap, not searched
    assert writer.MARKER not in (out / "sitemap.xml").read_text(encoding="utf-8")
    assert search.pages_of(search.layout({2020: 1}), [writer.MARKER]) == {s: [] for s in search.layout({2020: 1})}


# -- the cache --------------------------------------------------------------------------

class _Payload:
    def __init__(self, flag: Path):
        self.flag = flag

    def __reduce__(self):
        return os.system, (f"touch {self.flag}",)


def test_a_crafted_pickle_in_the_cache_runs_nothing(tmp_path):
    """A cache file holding a pickle that runs a command, with the header and checksum the
    pickle cache had, under both its old and its new names: nothing is unpickled."""
    content = copy_content(tmp_path)
    out = tmp_path / "_site"
    assert run_cli("--content", str(content), "--out", str(out)).returncode == 0
    flag = tmp_path / "PWNED"
    payload = pickle.dumps(_Payload(flag))
    import hashlib

    checksum = hashlib.blake2b(payload, digest_size=20).hexdigest().encode("ascii")
    signature = code_signature().encode("ascii")
    pair = cache_module.digest(str(content.resolve()), str(out.resolve()))[:16]
    for name, magic in ((f"build-{pair}.pickle", b"site_gen-cache\n"), (f"build-{pair}.json", cache_module.MAGIC),
                        (f"build-{pair}.cache", cache_module.MAGIC)):
        (tmp_path / ".cache" / name).write_bytes(magic + signature + checksum + payload)
    edit_meeting(content)
    result = run_cli("--content", str(content), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert not flag.exists(), "the cache ran a command"


def test_the_code_has_no_pickle():
    for path in sorted((ROOT / "site_gen").rglob("*.py")):  # the page kinds and the importer too
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not {n.split(".")[0] for n in names} & {"pickle", "marshal", "shelve", "dill", "cloudpickle"}, path


def _rewrite_cache(path: Path, change, key: bytes, content: Path, out: Path) -> None:
    """The cache file read (with this machine's key), its renders changed, and written again
    authenticated with `key`."""
    cache = BuildCache.for_build(path.parent, content, out)
    assert cache.ignored is None
    state = cache.previous
    for stage in cache_module.MEMO_STAGES:  # every value read before the file is replaced
        setattr(state, stage, dict(getattr(state, stage).items()))
    change(state)
    with open(path, "wb") as stream:
        cache_module.write_state(stream, state, cache.signature, key)


def test_a_cache_made_elsewhere_cannot_put_html_on_the_site(tmp_path):
    """A cache file is trusted only when its keyed hash was made with this machine's key: one
    forged elsewhere (a pull request, another CI job) cannot publish what it holds."""
    content = copy_content(tmp_path)
    out = tmp_path / "_site"
    cache_dir = tmp_path / "cache"
    build(content, out, cache_dir=cache_dir)
    [cache_file] = cache_dir.glob("*.cache")

    def forge(state):
        for markup in state.markup.values():
            for item in markup.items.values():
                if item.minutes:
                    item.minutes += "<script>FORGED()</script>"

    def published() -> bool:
        return any(b"FORGED()" in data for data in tree(out).values())

    # without the previous site every page is made again, from the cached Markdown renders
    _rewrite_cache(cache_file, forge, b"k" * 32, content, out)  # a key that is not this machine's
    shutil.rmtree(out)
    result = build(content, out, cache_dir=cache_dir)
    assert "checksum does not match" in result.cache_notice
    assert not published()

    # the same forgery with this machine's key is believed: the key is what protects the site
    _rewrite_cache(cache_file, forge, cache_module.cache_key(), content, out)
    shutil.rmtree(out)
    build(content, out, cache_dir=cache_dir)
    assert published()


def test_nothing_is_decoded_before_the_checksum_is_right(tmp_path, monkeypatch):
    content = copy_content(tmp_path)
    out = tmp_path / "_site"
    cache_dir = tmp_path / "cache"
    build(content, out, cache_dir=cache_dir)
    [cache_file] = cache_dir.glob("*.cache")
    data = bytearray(cache_file.read_bytes())
    data[-10] ^= 0x01
    cache_file.write_bytes(bytes(data))

    def decoded(*args, **kwargs):
        raise AssertionError("a cache was decoded before its checksum was checked")

    monkeypatch.setattr(cache_module.orjson, "loads", decoded)
    cache = BuildCache.for_build(cache_dir, content, out)
    assert "checksum does not match" in cache.ignored
    assert cache.previous.meetings == {}


def test_the_cache_gives_back_exactly_what_was_saved(tmp_path):
    content = copy_content(tmp_path)
    out = tmp_path / "_site"
    memory = BuildCache.for_build(tmp_path / "cache", content, out)
    build(content, out, cache=memory)  # the state stays in memory as `previous`
    assert memory.previous.meetings and memory.previous.renders and memory.previous.outputs
    memory.save(memory.previous)
    again = BuildCache.for_build(tmp_path / "cache", content, out)
    assert again.ignored is None
    assert again.previous == memory.previous


def test_reading_the_cache_decodes_its_index_and_only_the_values_asked_for(tmp_path, monkeypatch):
    """The file is authenticated whole, but its values are decoded one at a time when the build asks:
    an unchanged archive is not decoded whole on every build."""
    content = copy_content(tmp_path)
    out = tmp_path / "_site"
    cache_dir = tmp_path / "cache"
    build(content, out, cache_dir=cache_dir)
    decoded: list[int] = []
    loads = cache_module.orjson.loads
    monkeypatch.setattr(cache_module.orjson, "loads", lambda data: decoded.append(len(data)) or loads(data))
    cache = BuildCache.for_build(cache_dir, content, out)
    assert cache.ignored is None and len(decoded) == 1  # the index
    assert len(cache.previous.markup) == len(cache.previous.meetings) > 1
    some = next(iter(cache.previous.markup))
    assert cache.previous.markup[some].items and len(decoded) == 2


# -- files kept from the previous site ---------------------------------------------------

def test_a_page_edited_in_place_with_its_time_restored_is_made_again(tmp_path):
    content = copy_content(tmp_path)
    out = tmp_path / "_site"
    build(content, out)
    page = out / "meetings" / "2019" / "2019-11-05-cabinet" / "index.html"
    original = page.read_bytes()
    stat = page.stat()
    with open(page, "r+b") as stream:  # the same inode, the same size
        stream.write(original.replace(b"<", b"[", 1)[:200])
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (page.stat().st_size, page.stat().st_mtime_ns, page.stat().st_ino) == (
        stat.st_size, stat.st_mtime_ns, stat.st_ino)
    build(content, out)
    assert page.read_bytes() == original



def test_the_spare_site_in_the_cache_folder_is_trusted_for_nothing(tmp_path):
    """The site a build replaces is kept in the cache folder as the next build's staging folder.
    A page edited in place there (which edits the published one: they are one file), a file no
    build made, and a symbolic link where a folder belongs never reach the next site, and what
    the link points at is left alone."""
    content = copy_content(tmp_path)
    out = tmp_path / "_site"
    build(content, out)
    edit_meeting(content)
    build(content, out)  # the first site, replaced, is now the spare
    [spare] = (tmp_path / ".cache").glob("*.site")
    page = spare / "meetings" / "2019" / "2019-11-05-cabinet" / "index.html"
    original = (out / "meetings" / "2019" / "2019-11-05-cabinet" / "index.html").read_bytes()
    assert page.read_bytes() == original
    stat = page.stat()
    with open(page, "r+b") as stream:  # the same inode, size and modification time
        stream.write(original.replace(b"<", b"[", 1)[:200])
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    (spare / "forged.html").write_text("<p>not made by any build</p>")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "index.html").write_text("someone else's")
    shutil.rmtree(spare / "committees")
    (spare / "committees").symlink_to(outside, target_is_directory=True)

    edit_meeting(content, "Another sentence.")
    build(content, out)
    cold = tmp_path / "cold" / "_site"
    build(content, cold, use_cache=False)
    assert tree(out) == tree(cold)
    assert (out / "meetings" / "2019" / "2019-11-05-cabinet" / "index.html").read_bytes() == original
    assert [p.name for p in outside.iterdir()] == ["index.html"]
    assert (outside / "index.html").read_text() == "someone else's"


def test_the_helper_reports_each_file_it_left_in_the_staging_folder_as_it_is_there(tmp_path):
    """The writer records a kept file from what the linking helper says it left in the staging
    folder, without looking at it again: the helper must name exactly those files, with their
    stat as they are after linking (which changed their change time)."""
    from site_gen import linktree

    site, target = tmp_path / "site", tmp_path / "target"
    (site / "a").mkdir(parents=True)
    target.mkdir()
    for name in ("kept.html", "a/linked.html", "changed.html", "gone.html"):
        (site / name).write_text(name)
    os.link(site / "kept.html", target / "kept.html")  # the spare's link, left as it is
    (target / "stray.html").write_text("no build made it")

    def fields(path: Path) -> list[str]:
        found = os.lstat(path)
        return [str(found.st_size), str(found.st_mtime_ns), str(found.st_ctime_ns), str(found.st_ino)]

    records = []
    for name in ("kept.html", "a/linked.html", "changed.html", "gone.html"):
        records += [name, *fields(site / name)]
    (site / "changed.html").write_text("edited since it was recorded")
    (site / "gone.html").unlink()
    time.sleep(0.01)  # so that linking gives a change time of its own
    placed = writer.placed_files("\0".join(linktree.sync(str(site), str(target), records)).encode())

    assert sorted(placed) == ["a/linked.html", "kept.html"]
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()) == sorted(placed)
    for name, found in placed.items():
        assert [str(value) for value in found] == fields(target / name)
    assert placed["a/linked.html"].st_ctime_ns != int(records[records.index("a/linked.html") + 3])


# -- the swap, and builds killed on the way ----------------------------------------------

def test_the_output_folder_exists_at_every_step_of_the_swap(tmp_path, monkeypatch):
    content = copy_content(tmp_path)
    out = tmp_path / "_site"
    build(content, out)
    rename = os.rename

    def checked_rename(source, target, *args, **kwargs):
        assert out.is_dir(), "there was no output folder for a moment"
        return rename(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "rename", checked_rename)
    edit_meeting(content)
    build(content, out)
    assert (out / "index.html").is_file()


def test_a_build_killed_at_any_moment_leaves_a_complete_site(tmp_path):
    """Builds alternate between two versions of the site (with and without drafts) and are
    killed with SIGKILL at random moments: the output folder always holds one of the two
    whole, and the next build removes whatever the killed ones left beside it."""
    content = copy_content(tmp_path)
    versions = []
    for drafts in (False, True):
        reference = tmp_path / f"reference-{drafts}" / "_site"
        build(content, reference, include_drafts=drafts, use_cache=False)
        versions.append(tree(reference))
    assert versions[0] != versions[1]
    work = tmp_path / "work"
    out = work / "_site"
    command = [sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out", str(out)]
    assert subprocess.run(command, capture_output=True).returncode == 0
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    killed_late = 0
    for attempt in range(14):
        process = subprocess.Popen(command + (["--drafts"] if attempt % 2 == 0 else []),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 1.2))
        process.kill()
        process.wait()
        killed_late += process.returncode == 0
        assert tree(out) in versions, f"an incomplete site after a kill (seed {seed}, attempt {attempt})"
    assert killed_late < 14, "every build finished before it was killed: the test tested nothing"
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert tree(out) == versions[0]
    assert leftovers(work, "_site") == [], f"seed {seed}"


def test_a_running_builds_folders_are_left_alone(tmp_path):
    content = copy_content(tmp_path)
    out = tmp_path / "_site"
    build(content, out)
    dead = tmp_path / "._site.staging-dead"
    (dead / "meetings").mkdir(parents=True)
    live = tmp_path / "._site.staging-live"
    live.mkdir()
    (tmp_path / ".cache" / ".tmp-dead").write_bytes(b"half a cache")
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, os, sys, time\n"
        f"fd = os.open({str(live)!r}, os.O_RDONLY); fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "print('locked', flush=True); time.sleep(120)")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        edit_meeting(content)
        build(content, out)
        assert not dead.exists() and not (tmp_path / ".cache" / ".tmp-dead").exists()
        assert live.is_dir(), "the folder of a build still running was removed"
    finally:
        holder.kill()
        holder.wait()
    build(content, out)
    assert not live.exists()


# -- Pagefind and the disk --------------------------------------------------------------

@pytest.mark.parametrize("broken", ["pagefind-worker.js", "pagefind-entry.json", "wasm.en-gb.pagefind", "fragment"])
def test_an_incomplete_search_index_is_never_published(tmp_path, monkeypatch, broken):
    content = copy_content(tmp_path)
    out = tmp_path / "_site"
    build(content, out)
    before = tree(out)
    run = search.run_pagefind

    def truncating(site_dir, pages, bundle, view):
        peak = run(site_dir, pages, bundle, view)
        target = bundle / broken
        target = next(iter(sorted(target.iterdir()))) if target.is_dir() else target
        target.write_bytes(b"")
        return peak

    monkeypatch.setattr(search, "run_pagefind", truncating)
    edit_meeting(content)
    result = pipeline.build(content, out)
    assert not result.ok
    assert result.failure.startswith("Pagefind's search index is incomplete ("), result.failure
    assert tree(out) == before, "the previous site was left exactly as it was"


def test_a_page_failing_after_the_search_began_waits_for_pagefind_and_keeps_the_site(tmp_path, monkeypatch):
    """The search index is made while the pages after the searched ones are (the decisions page
    among them): when one of those fails, Pagefind is waited for before the unfinished site is
    deleted (never left writing into a folder being removed), and the published site stays."""
    content = copy_content(tmp_path)
    out = tmp_path / "_site"
    build(content, out)
    before = tree(out)
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    (templates / "decisions.html").write_text('{% extends "base.html" %}{% block content %}{% if %}{% endblock %}',
                                              encoding="utf-8")
    run = search.run_pagefind
    finished: list[bool] = []

    def slow(site_dir, pages, bundle, view):
        time.sleep(1)  # still indexing when the decisions page fails
        peak = run(site_dir, pages, bundle, view)
        finished.append(site_dir.is_dir())
        return peak

    monkeypatch.setattr(search, "run_pagefind", slow)
    edit_meeting(content)
    result = pipeline.build(content, out, templates=templates)
    assert not result.ok
    assert [p.path for p in result.report.errors] == ["templates/decisions.html"]
    assert finished and all(finished), "the unfinished site was deleted while Pagefind wrote into it"
    assert tree(out) == before
    assert leftovers(tmp_path, "_site") == []

def test_pagefind_failing_without_a_word_is_said_plainly(tmp_path, monkeypatch):
    content = copy_content(tmp_path)
    out = tmp_path / "_site"
    build(content, out)
    before = tree(out)
    silent = tmp_path / "pagefind"
    silent.write_text("#!/bin/sh\nexit 3\n", encoding="utf-8")
    silent.chmod(0o755)
    monkeypatch.setattr(search, "pagefind_executable", lambda: str(silent))
    edit_meeting(content)
    result = pipeline.build(content, out)
    assert result.failure == "Pagefind stopped without writing the search index and without saying why"
    assert tree(out) == before


@pytest.mark.parametrize("code, said", [
    (errno.ENOSPC, "the disk is full while writing the site into "),
    (errno.EBUSY, "a file or folder is in use by another program while writing the site into "),
    (errno.ENAMETOOLONG, "a file name is too long for this disk while writing the site into "),
    (errno.EACCES, "permission was refused while writing the site into "),
    (errno.EROFS, "the disk is read-only while writing the site into "),
])
def test_a_failing_disk_is_one_plain_sentence(tmp_path, monkeypatch, capsys, code, said):
    content = copy_content(tmp_path)
    out = tmp_path / "_site"
    build(content, out)
    before = tree(out)
    calls = []
    real_open = open

    def failing_open(path, mode="r", *args, **kwargs):
        if "w" in mode and str(path).startswith(str(tmp_path)):
            calls.append(path)
            if len(calls) == 3:
                raise OSError(code, os.strerror(code), str(path))
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(writer, "open", failing_open, raising=False)
    edit_meeting(content)
    status = cli.main(["--content", str(content), "--out", str(out), "--no-cache"])
    printed = capsys.readouterr().err.splitlines()
    assert status == 1
    assert printed[-2].startswith(f"error: {said}{out}/"), printed
    assert printed[-1] == f"Nothing was written: {out}/ is unchanged."
    assert "Errno" not in "\n".join(printed) and "Traceback" not in "\n".join(printed)
    assert tree(out) == before


def test_a_full_disk_never_publishes_a_broken_site(tmp_path):
    """On a small real disk (tmpfs), rebuilds with less and less room: each either gives the
    whole new site or fails saying the disk is full, with the previous site untouched."""
    disk = tmp_path / "disk"
    disk.mkdir()
    # room for the whole site, the editing screen's 7 MB of files included, and a little more
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(disk)], capture_output=True,
                             text=True)
    assert mounted.returncode == 0, f"this test mounts a small tmpfs (as root, as CI runs): {mounted.stderr}"
    try:
        content = copy_content(tmp_path)
        out = disk / "_site"
        build(content, out)
        filler = disk / "filler"
        outcomes = set()
        # down to no room at all: a rebuild into the previous site's spare needs only the room
        # its changed files take beyond what they took before, so each edit makes a page larger
        for room_kb in range(1600, -1, -100):
            edit_meeting(content, f"Sentence for {room_kb} about the depot. " * 300)
            filler.unlink(missing_ok=True)
            free = shutil.disk_usage(disk).free
            with open(filler, "wb") as stream:
                stream.write(b"\0" * max(0, free - room_kb * 1024))
            before = tree(out)
            result = pipeline.build(content, out)
            if result.ok:
                outcomes.add("built")
                cold = tmp_path / f"cold-{room_kb}" / "_site"
                filler.unlink()
                build(content, cold, use_cache=False)
                assert tree(out) == tree(cold)
                shutil.rmtree(cold.parent)
            else:
                outcomes.add("full")
                assert result.failure.startswith("the disk is full while writing "), result.failure
                assert tree(out) == before
        assert "full" in outcomes, "the disk never filled: the test tested nothing"
        filler.unlink(missing_ok=True)
        build(content, out)
        assert leftovers(disk, "_site") == []
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)


# -- the same bytes on any file system ---------------------------------------------------

def test_the_same_content_gives_the_same_bytes_on_another_file_system(tmp_path):
    """The disk of the temporary folder (ext4 here) and tmpfs list a folder's files in
    different orders; Pagefind is given the pages in a fixed order, so the index is the same."""
    content = copy_content(tmp_path)
    here = build(content, tmp_path / "disk" / "_site", use_cache=False)
    assert here.ok
    memory = Path("/dev/shm") / f"site-gen-test-{os.getpid()}-{random.randrange(1 << 30)}"
    try:
        build(content, memory / "_site", use_cache=False)
        first, second = tree(tmp_path / "disk" / "_site"), tree(memory / "_site")
        assert sorted(first) == sorted(second)
        assert [path for path in first if first[path] != second[path]] == []
    finally:
        shutil.rmtree(memory, ignore_errors=True)


def test_a_cache_that_is_a_link_or_a_device_is_not_read(tmp_path):
    content = copy_content(tmp_path)
    out = tmp_path / "_site"
    cache_dir = tmp_path / "cache"
    build(content, out, cache_dir=cache_dir)
    [cache_file] = cache_dir.glob("*.cache")
    real = tmp_path / "real-cache"
    cache_file.rename(real)
    cache_file.symlink_to(real)
    assert "could not read it" in BuildCache.for_build(cache_dir, content, out).ignored
    cache_file.unlink()
    cache_file.symlink_to("/dev/zero")
    assert "could not read it" in BuildCache.for_build(cache_dir, content, out).ignored
