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
    """Netlify's reading of a `for` pattern (its headers parser, @netlify/headers-parser's
    for_regexp): each part of the pattern between slashes in turn, `:name` one segment, a
    standalone `*` the rest of the address including nothing at all (so `/data/*` matches
    /data, /data/x and /datapackage.json), `*` inside a part anything; an optional slash at
    the end; letters in any case."""
    def part(text: str) -> str:
        if text.startswith(":"):
            return "([^/]+)"
        if text == "*":
            return "?(.*)"
        return "(.*)".join(re.escape(piece) for piece in text.split("*"))
    regex = "^/" + "/".join(part(p) for p in (s.rstrip() for s in pattern.split("/")) if p) + "/?$"
    return re.search(regex, path, re.IGNORECASE) is not None


def sent_headers(path: str) -> dict[str, list[str]]:
    """What Netlify may send for an address: every matching rule's value of each header, in
    the file's order. Its documents do not say whether two rules' values for one header are
    both sent or the later one kept; a header with one value here is the same either way."""
    sent: dict[str, list[str]] = {}
    for rule in CONFIG.get("headers", []):
        if netlify_matches(rule["for"], path):
            for name, value in rule["values"].items():
                sent.setdefault(name, []).append(" ".join(value.split()))
    return sent


def the_policy(path: str) -> str:
    """The one Content-Security-Policy an address gets (the test fails if it gets none or two)."""
    policies = sent_headers(path).get("Content-Security-Policy", [])
    assert len(policies) == 1, f"{path} gets {len(policies)} Content-Security-Policy headers: {policies}"
    return policies[0]


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

    # every file and page of the built site gets exactly one policy: the public one, /admin/'s
    # own, or, for a meeting's document, the public one and the sandbox
    public, screen = the_policy("/"), headers_for("/admin/*")["Content-Security-Policy"]
    pages = [path.removesuffix("index.html") for path in files if path.endswith("/index.html")]
    assert len(pages) > 20
    for path in files + pages:
        if path.rsplit("/", 1)[-1].startswith((".", "_")):
            continue  # the build's marker file and Netlify's own _headers/_redirects: not pages
        sent = sent_headers(path).get("Content-Security-Policy", [])
        if path.startswith("/admin/"):
            assert sent == [screen], path
        elif re.fullmatch(r"/meetings/\d{4}/[^/]+/[^/]+", path):
            assert sent == [public, "sandbox"], path
        else:
            assert sent == [public], f"{path} gets {sent}: add its top-level folder or file to netlify.toml"


@pytest.mark.parametrize("context", ["deploy-preview", "branch-deploy"])
def test_previews_are_built_noindex(checkout, context):
    command = CONFIG["context"][context]["command"]
    result = run_netlify_command(command, checkout)
    assert result.returncode == 0, result.stdout + result.stderr
    headers = (checkout / "_site" / "_headers").read_text(encoding="utf-8")
    assert re.search(r"^/\*\n\s+X-Robots-Tag: noindex$", headers, re.MULTILINE)
    assert "--drafts" not in command  # previews are public: drafts stay out


def test_netlify_patterns_are_read_as_netlify_reads_them():
    assert netlify_matches("/*", "/") and netlify_matches("/*", "/admin/config.yml")
    assert netlify_matches("/", "/") and not netlify_matches("/", "/index.html")
    assert netlify_matches("/data/*", "/data") and netlify_matches("/data/*", "/data/schemas/x.json")
    assert netlify_matches("/data/*", "/datapackage.json") and netlify_matches("/meetings/*", "/meetings.ics")
    assert netlify_matches("/admin/*", "/ADMIN/") and not netlify_matches("/admin/*", "/meetings/admin/")
    assert netlify_matches("/meetings/:year/:meeting/:file", "/meetings/2020/m/report.pdf")
    assert not netlify_matches("/meetings/:year/:meeting/:file", "/meetings/2020/m/")
    assert netlify_matches("/feed.xml", "/feed.xml/") and not netlify_matches("/feed.xml", "/feedxxml")


def test_every_public_address_gets_the_public_policy_once_and_admin_only_its_own():
    public = the_policy("/")
    for path in ("/index.html", "/404.html", "/feed.xml", "/robots.txt", "/sitemap.xml", "/datapackage.json",
                 "/meetings.ics", "/meetings/2020/", "/meetings/2020/2020-12-09-x/", "/committees/x/feed.xml",
                 "/indicators/cfse-29/", "/issues/x/", "/portfolios/x/", "/decisions/page/2/", "/search/",
                 "/changes/feed.xml", "/data/", "/assets/site.css", "/pagefind/pagefind.js",
                 "/pagefind-archive/2019/pagefind.js", "/accessibility/", "/meetings/2099/not-there/"):
        assert the_policy(path) == public, path
    for path in ("/admin/", "/admin/index.html", "/admin/config.yml", "/admin/decap-cms.js", "/admin/licences/x.txt"):
        assert the_policy(path) == headers_for("/admin/*")["Content-Security-Policy"], path
        assert sent_headers(path)["X-Frame-Options"] == ["DENY"]  # every address's own headers, once
    assert the_policy("/admin/") != public


def test_headers_for_every_page():
    headers = {name: values[0] for name, values in sent_headers("/").items()}
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
