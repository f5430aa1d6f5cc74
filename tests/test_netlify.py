"""netlify.toml: the repository deploys as committed.

Runs the build commands netlify.toml gives, as Netlify would, on a clean copy of
the repository (the files git would commit: no _site/, no caches), and checks
the headers it sets."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import ROOT

CONFIG = tomllib.loads((ROOT / "netlify.toml").read_text(encoding="utf-8"))
IMMUTABLE = "public, max-age=31536000, immutable"


def headers_for(pattern: str) -> dict[str, str]:
    for rule in CONFIG.get("headers", []):
        if rule.get("for") == pattern:
            return {name: " ".join(value.split()) for name, value in rule["values"].items()}
    raise AssertionError(f"netlify.toml has no [[headers]] for = {pattern!r}")


def netlify_matches(pattern: str, path: str) -> bool:
    """Netlify's path patterns: `*` matches anything, `:name` one path segment."""
    regex = "".join(".*" if part == "*" else "[^/]+" if part.startswith(":") else re.escape(part)
                    for part in re.split(r"(\*|:[A-Za-z_]+)", pattern))
    return re.fullmatch(regex, path) is not None


def policy(value: str) -> dict[str, list[str]]:
    directives = {}
    for directive in value.split(";"):
        name, *sources = directive.split()
        directives[name] = sources
    return directives


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    """What a fresh clone would hold: the tracked files and the new ones not ignored."""
    assert (ROOT / ".git").exists(), "run the tests in a git checkout: they copy what a clone would hold"
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    target = tmp_path_factory.mktemp("netlify") / "repo"
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():  # a file deleted but not yet committed is listed and absent
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    assert not (target / "_site").exists()
    # Netlify clones the repository with its history (the build requires it): one commit here
    env = {**os.environ, "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@test.example",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@test.example", "GIT_CONFIG_NOSYSTEM": "1"}
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "The repository as committed"]):
        subprocess.run(["git", *command], cwd=target, env=env, check=True, capture_output=True)
    return target


def run_netlify_command(command: str, checkout: Path) -> subprocess.CompletedProcess:
    # Netlify runs the command with its Python first on PATH: here, the test's own
    # (its requirements are installed already, so pip finds them without the network)
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
           "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(["bash", "-c", command], cwd=checkout, capture_output=True, text=True, env=env,
                          timeout=900)


def test_the_build_settings():
    build = CONFIG["build"]
    assert build["publish"] == "_site"
    assert "python build.py --require-history" in build["command"] and "requirements.txt" in build["command"]
    for context in ("deploy-preview", "branch-deploy"):
        assert "python build.py --require-history" in CONFIG["context"][context]["command"]
    assert re.fullmatch(r"3\.1[1-9]", CONFIG["build"]["environment"]["PYTHON_VERSION"])  # tomllib needs 3.11


def test_the_production_build_command_builds_the_sample_archive_from_a_clean_checkout(checkout):
    result = run_netlify_command(CONFIG["build"]["command"], checkout)
    assert result.returncode == 0, result.stdout + result.stderr
    site = checkout / CONFIG["build"]["publish"]
    for path in ("index.html", "404.html", "feed.xml", "search/index.html", "pagefind/pagefind.js",
                 "meetings/2020/2020-12-09-children-families-scrutiny/index.html"):
        assert (site / path).is_file(), f"{path} was not built"
    assert not (site / "_headers").exists()  # production is for search engines
    assert not (site / "_redirects").exists()  # no minutes have moved in the sample's one commit

    # the pages that netlify.toml caches for a year are the hashed ones, and only those
    cached = [rule["for"] for rule in CONFIG["headers"]
              if "immutable" in rule["values"].get("Cache-Control", "")]
    assert cached
    files = ["/" + p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()]
    for path in files:
        if any(netlify_matches(pattern, path) for pattern in cached):
            assert re.search(r"_[0-9a-f]{7,}\.pf_[a-z]+$", path), f"{path} is cached for a year but not hashed"
    fingerprinted = [p for p in files if re.search(r"/(fragment|index|filter)/[^/]+_[0-9a-f]{7,}\.pf_", p)]
    assert fingerprinted and all(any(netlify_matches(c, p) for c in cached) for p in fingerprinted)
    for unhashed in ("/pagefind/pagefind.js", "/pagefind/pagefind-entry.json", "/pagefind/pagefind-ui.js"):
        assert unhashed in files and not any(netlify_matches(c, unhashed) for c in cached)


@pytest.mark.parametrize("context", ["deploy-preview", "branch-deploy"])
def test_previews_are_built_noindex(checkout, context):
    command = CONFIG["context"][context]["command"]
    result = run_netlify_command(command, checkout)
    assert result.returncode == 0, result.stdout + result.stderr
    headers = (checkout / "_site" / "_headers").read_text(encoding="utf-8")
    assert re.search(r"^/\*\n\s+X-Robots-Tag: noindex$", headers, re.MULTILINE)
    assert "--drafts" not in command  # previews are public: drafts stay out


def test_headers_for_every_page():
    headers = headers_for("/*")
    csp = policy(headers["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'", "'wasm-unsafe-eval'"]  # Pagefind's WebAssembly
    assert csp["worker-src"] == ["'self'"]                          # Pagefind's worker
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    for name, sources in csp.items():
        assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources, name
        assert not [s for s in sources if s.startswith(("http", "*", "'nonce-", "'sha"))], name
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"]
    assert headers["Permissions-Policy"]


def test_pagefind_fingerprinted_files_are_cached_long():
    for folder in ("fragment", "index", "filter"):
        assert headers_for(f"/pagefind/{folder}/*")["Cache-Control"] == IMMUTABLE
    assert "Cache-Control" not in headers_for("/*")


def test_noindex_option_writes_only_the_headers_file(tmp_path):
    from conftest import FIXTURE_CONTENT, build_into
    plain = build_into(FIXTURE_CONTENT, tmp_path / "plain", with_search=False)
    noindex = build_into(FIXTURE_CONTENT, tmp_path / "noindex", with_search=False, noindex=True)
    plain_files = {p.relative_to(plain) for p in plain.rglob("*") if p.is_file()}
    noindex_files = {p.relative_to(noindex) for p in noindex.rglob("*") if p.is_file()}
    assert noindex_files - plain_files == {Path("_headers")}
    for name in plain_files:
        assert (plain / name).read_bytes() == (noindex / name).read_bytes()
