"""The command line and the build as a whole: exit codes, atomic output, determinism."""
from __future__ import annotations

from conftest import FIXTURE_CONTENT, SAMPLE_CONTENT, run_cli


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_builds_are_byte_identical(tmp_path):
    # Pagefind lists filters in random hash-map order unless stabilised, so
    # three builds of a site with several filter values catch a regression
    builds = []
    for name in ("one", "two", "three"):
        result = run_cli("--content", str(FIXTURE_CONTENT), "--out", str(tmp_path / name))
        assert result.returncode == 0, result.stderr
        builds.append(snapshot(tmp_path / name))
    first = builds[0]
    assert any(path.startswith("pagefind/filter/") for path in first), "the search index is part of the output"
    for other in builds[1:]:
        assert other.keys() == first.keys()
        assert [p for p in first if first[p] != other[p]] == []


def test_rebuild_over_an_existing_site_replaces_it_whole(tmp_path):
    out = tmp_path / "_site"
    assert run_cli("--content", str(FIXTURE_CONTENT), "--out", str(out)).returncode == 0
    (out / "stale.html").write_text("left over")
    assert run_cli("--content", str(SAMPLE_CONTENT), "--out", str(out)).returncode == 0
    assert not (out / "stale.html").exists()
    assert (out / "meetings" / "2020" / "2020-12-09-children-families-scrutiny" / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".cache", "_site"]  # the cache, and no staging folder


def test_check_on_the_sample_archive_warns_only_about_codes():
    result = run_cli("check")
    assert result.returncode == 0, result.stdout
    warnings = [line for line in result.stdout.splitlines() if ": warning: " in line]
    assert len(warnings) == 6
    assert all("is mentioned but not defined" in w or "`CSFE.63` looks like a misspelt indicator code" in w
               for w in warnings)
    assert "did you mean CFSE.63? add it as an alias" in result.stdout


def test_strict_check_fails_on_warnings():
    result = run_cli("check", "--strict")
    assert result.returncode == 1


def test_wrong_usage_exits_2():
    assert run_cli("--no-such-flag").returncode == 2
    assert run_cli("check", "--content").returncode == 2
    assert run_cli("new", "--date", "2024-01-01").returncode == 2


def test_missing_content_folder_is_a_content_error(tmp_path):
    result = run_cli("check", "--content", str(tmp_path / "nowhere"))
    assert result.returncode == 1
    assert "the content folder does not exist" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_help_lists_commands():
    result = run_cli("--help")
    assert result.returncode == 0
    assert "check" in result.stdout and "serve" in result.stdout


def test_strict_for_limits_failing_warnings_to_the_named_files():
    clean = "content/meetings/2020/2020-12-09-children-families-scrutiny.md"
    warned = "content/meetings/2022/2022-09-07-children-families-scrutiny.md"
    assert run_cli("check", "--strict", "--strict-for", clean).returncode == 0
    assert run_cli("check", "--strict", "--strict-for", clean, warned).returncode == 1
    assert run_cli("check", "--strict", "--strict-for").returncode == 0
