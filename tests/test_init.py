"""`python build.py init`: a council's own, empty archive, and the placeholder base_url warning."""
from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from conftest import build_into, read_page, run_cli
from test_history import git_env

from site_gen import cli

ATOM = "{http://www.w3.org/2005/Atom}"
OPTIONS = ["--council", "Example Borough Council", "--title", "Example minutes archive",
           "--base-url", "https://minutes.example-council.gov.uk",
           "--repository-url", "https://github.com/example-council/minutes"]


def test_init_writes_a_minimal_valid_archive_without_meetings(tmp_path):
    result = run_cli("init", "--content", "content", *OPTIONS, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    content = tmp_path / "content"
    assert sorted(p.relative_to(content).as_posix() for p in content.rglob("*")) == [
        "committees", "committees/full-council.yml", "site.yml"]
    check = run_cli("check", "--strict", "--content", "content", cwd=tmp_path)
    assert check.returncode == 0, check.stdout
    assert "no problems found (0 meetings)" in check.stdout
    # in its own new repository, with one commit: the site has no meetings and no history of anyone else's
    env = git_env(tmp_path)
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "Start the archive"]):
        subprocess.run(
            ["git", *command],
            cwd=tmp_path,
            env={
                **env,
                "GIT_COMMITTER_DATE": "2024-05-01T09:00:00+00:00",
                "GIT_AUTHOR_DATE": "2024-05-01T09:00:00+00:00",
            },
            check=True,
        )
    site = build_into(content, tmp_path / "_site", with_search=False)
    home = read_page(site, "/")
    assert home.h1.get_text(strip=True) == "Example minutes archive"
    assert not list((site / "meetings").glob("*/*/index.html"))
    assert "Children" not in (site / "index.html").read_text(encoding="utf-8")  # nothing of the sample
    for feed in ("feed.xml", "changes/feed.xml", "committees/full-council/feed.xml"):
        root = ET.parse(site / feed).getroot()
        assert root.findall(f"{ATOM}entry") == []
        assert root.find(f"{ATOM}updated").text == "2024-05-01T09:00:00+00:00", feed  # never 1970
    text = (content / "site.yml").read_text(encoding="utf-8")
    assert 'repository_url: "https://github.com/example-council/minutes"' in text


def test_init_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "notes.txt").write_text("mine", encoding="utf-8")
    result = run_cli("init", *OPTIONS, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("error: content/ is not empty")
    assert [p.name for p in (tmp_path / "content").iterdir()] == ["notes.txt"]


def test_init_without_a_terminal_needs_the_options(tmp_path):
    result = run_cli("init", "--council", "Example Borough Council", cwd=tmp_path)
    assert result.returncode == 2
    assert "give --base-url" in result.stderr
    assert not (tmp_path / "content").exists()


def test_init_refuses_values_that_would_not_check(tmp_path):
    result = run_cli("init", "--council", "X", "--base-url", "ftp://x.gov.uk", cwd=tmp_path)
    assert result.returncode == 2
    assert "`base_url` must be a web address starting with https://" in result.stderr
    assert not (tmp_path / "content").exists()
    assert [p.name for p in tmp_path.iterdir()] == []  # no staging folder left behind


def test_init_asks_for_what_is_missing_at_a_terminal(tmp_path, monkeypatch, capsys):
    answers = iter(["Example Borough Council", "", "https://minutes.example-council.gov.uk", ""])
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    assert cli.main(["init", "--content", str(tmp_path / "content")]) == 0
    text = (tmp_path / "content" / "site.yml").read_text(encoding="utf-8")
    assert 'title: "Example Borough Council minutes"' in text  # the default offered
    assert 'base_url: "https://minutes.example-council.gov.uk"' in text
    assert "\nrepository_url" not in text


def test_init_in_a_repository_with_earlier_minutes_says_they_would_show_as_withdrawn(tmp_path):
    env = {**git_env(tmp_path), "GIT_CEILING_DIRECTORIES": str(tmp_path.parent)}
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "old.txt").write_text("the sample", encoding="utf-8")
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "The sample"],
                    ["rm", "-q", "-r", "content"]):
        subprocess.run(["git", *command], cwd=tmp_path, env=env, check=True)
    result = run_cli("init", *OPTIONS, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "note: this repository's history already has 1 commit of content/" in result.stdout


@pytest.mark.parametrize("base_url, warned", [("https://council-minutes.example.org", True),
                                              ("https://example.com", True),
                                              ("https://minutes.example-council.gov.uk", False)])
def test_strict_check_warns_about_a_placeholder_base_url(tmp_path, base_url, warned):
    assert run_cli("init", "--council", "X", "--base-url", base_url, cwd=tmp_path).returncode == 0
    strict = run_cli("check", "--strict", cwd=tmp_path)
    line = "content/site.yml:10: warning: `base_url` is a placeholder"
    assert (strict.returncode, any(out.startswith(line) for out in strict.stdout.splitlines())) == (
        (1, True) if warned else (0, False)), strict.stdout
    assert run_cli("check", cwd=tmp_path).returncode == 0  # not without --strict
    assert run_cli("--out", "_site", cwd=tmp_path).returncode == 0  # and the build builds
