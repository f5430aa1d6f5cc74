"""The clerks' editing screen as the build writes it (/admin/) and as Netlify serves it.

The screen itself is driven in Chromium by tests/browser/test_admin.py."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, SAMPLE_CONTENT, build_into
from test_netlify import (
    CONFIG,
    checkout,  # noqa: F401 (a fixture)
    policy,
    run_netlify_command,
    sent_headers,
    the_policy,
)

from site_gen import admin, pipeline

PUBLIC_POLICY = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; "
                 "connect-src 'self'; worker-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
                 "form-action 'self'; frame-ancestors 'none'")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_into(SAMPLE_CONTENT, tmp_path_factory.mktemp("admin") / "_site", with_search=False)


def test_the_build_copies_the_screen_and_its_licences_into_admin(site):
    files = {p.relative_to(site / "admin").as_posix() for p in (site / "admin").rglob("*") if p.is_file()}
    assert {"index.html", "config.yml", "council.js", "preview.css", "decap-cms.js", "js-yaml.min.js",
            "licences/decap-cms.txt", "licences/decap-cms-bundled-libraries.txt", "licences/js-yaml.txt"} <= files
    assert not [f for f in files if f.endswith(".map")]
    bundle = admin.NODE_MODULES / "decap-cms/dist"
    assert (site / "admin/decap-cms.js").read_bytes() == (bundle / "decap-cms.js").read_bytes()
    assert "MIT License" in (site / "admin/licences/decap-cms.txt").read_text(encoding="utf-8")
    # every chunk the bundle loads is there (it loads them from its own folder)
    chunks = set(re.findall(r'"(\d+)":"[0-9a-f]+"', (site / "admin/decap-cms.js").read_text(encoding="utf-8")[-20000:]))
    assert all(f"{chunk}.decap-cms.js" in files for chunk in chunks if (bundle / f"{chunk}.decap-cms.js").exists())
    # the page loads scripts of /admin/ only, relative to itself
    page = (site / "admin/index.html").read_text(encoding="utf-8")
    assert re.findall(r'<script src="([^"]+)"', page) == ["decap-cms.js", "js-yaml.min.js", "council.js"]
    assert "http" not in page


def test_the_configuration_follows_the_content_contract_and_site_yml(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    with (content / "site.yml").open("a", encoding="utf-8") as stream:
        stream.write('repository_url: "https://github.com/example-council/minutes"\nrepository_branch: published\n')
    out = build_into(content, tmp_path / "_site", with_search=False)
    config = yaml.safe_load((out / "admin/config.yml").read_text(encoding="utf-8"))
    assert config["backend"] == {**config["backend"], "name": "github", "repo": "example-council/minutes",
                                 "branch": "published"}
    assert config["publish_mode"] == "editorial_workflow"
    assert config["local_backend"] == {"url": f"http://127.0.0.1:{admin.PROXY_PORT}/api/v1"}
    assert config["site_url"] == "https://council-minutes.example.org"
    collections = {c["name"]: c for c in config["collections"]}
    meetings = collections["meetings"]
    assert (meetings["folder"], meetings["path"], meetings["slug"]) == (
        "content/meetings", "{{year_folder}}/{{slug}}", "{{fields.date}}-{{committee}}")
    assert meetings["format"] == "council-meeting" and meetings["media_folder"] == "{{filename}}"
    from site_gen.fields import ITEM, MEETING
    fields = {f["name"]: f for f in meetings["fields"]}
    # every field is a key of the contract, or the body and each item's minutes (the sections)
    assert set(fields) - {"body"} <= set(MEETING.keys)
    assert set(fields) >= {"committee", "date", "time", "venue", "status", "approved_on", "attendees", "items"}
    assert [o["value"] for o in fields["status"]["options"]] == [
        "agenda", "draft", "unconfirmed", "approved", "cancelled", "postponed"]
    assert fields["committee"]["widget"] == "relation" and fields["committee"]["collection"] == "committees"
    items = {f["name"]: f for f in fields["items"]["fields"]}
    assert set(items) - {"minutes"} == set(ITEM.keys)
    assert fields["items"]["min"] == 1 and items["number"]["value_type"] == "int"
    assert all(f.get("hint") for name, f in fields.items() if name not in ("attendees",)), "every field says what it is"
    assert {c["name"] for c in config["collections"]} == {"meetings", "committees", "issues", "portfolios",
                                                          "indicators", "settings"}
    # the start time is a time picker saving the contract's 24-hour HH:mm
    assert (fields["time"]["widget"], fields["time"]["date_format"], fields["time"]["time_format"]) == (
        "datetime", False, "HH:mm")
    # an item's issue is one of content/issues/, which the clerk can add to
    assert (items["issue"]["widget"], items["issue"]["collection"], items["issue"]["value_field"]) == (
        "relation", "issues", "{{slug}}")
    issues = collections["issues"]
    assert (issues["folder"], issues["create"], [f["name"] for f in issues["fields"]]) == (
        "content/issues", True, ["name", "description"])
    from site_gen.fields import INDICATOR, ISSUE
    assert set(ISSUE.keys) == {"name", "description"}
    # new indicators can be added (admin/council.js names their file by the code)
    indicators = collections["indicators"]
    assert indicators["create"] is True and indicators["identifier_field"] == "code"
    assert {f["name"] for f in indicators["fields"]} <= set(INDICATOR.keys)
    assert collections["settings"]["files"][0]["file"] == "content/site.yml"


def test_without_node_the_site_is_built_without_the_screen_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(admin, "NODE_MODULES", tmp_path / "no-node_modules")
    result = pipeline.build(SAMPLE_CONTENT, tmp_path / "_site", with_search=False, use_cache=False)
    assert result.ok
    assert not (tmp_path / "_site/admin").exists()
    assert (tmp_path / "_site/index.html").is_file()
    assert result.notices.count(admin.MISSING_NOTE) == 1 and "npm ci" in admin.MISSING_NOTE


def test_the_public_pages_keep_their_policy_and_admin_gets_its_own():
    """Resolved as Netlify resolves netlify.toml: each address gets exactly one policy."""
    assert the_policy("/meetings/2020/x/") == PUBLIC_POLICY
    assert the_policy("/") == PUBLIC_POLICY
    for path in ("/admin/", "/admin/config.yml", "/admin/decap-cms.js"):
        csp = policy(the_policy(path))
        assert csp["script-src"] == ["'self'", "'unsafe-eval'"]   # no inline script, no other origin
        assert csp["style-src"] == ["'self'", "'unsafe-inline'"]  # Decap's run-time styles
        assert csp["connect-src"] == ["'self'", "blob:", "https://api.github.com"]
        assert csp["img-src"] == ["'self'", "data:", "blob:", "https://avatars.githubusercontent.com"]
        assert csp["default-src"] == ["'self'"] and csp["object-src"] == ["'none'"]
        assert csp["frame-ancestors"] == ["'none'"] and csp["base-uri"] == ["'self'"]
        headers = sent_headers(path)
        assert headers["X-Robots-Tag"] == ["noindex"] and headers["X-Frame-Options"] == ["DENY"]


def test_the_preview_server_sends_the_screen_its_policy_and_reaches_decap_server():
    headers = admin.preview_headers(ROOT / "netlify.toml")
    csp = policy(headers["Content-Security-Policy"])
    assert csp["connect-src"] == ["'self'", "blob:", "https://api.github.com", f"http://127.0.0.1:{admin.PROXY_PORT}"]
    assert csp["script-src"] == ["'self'", "'unsafe-eval'"]


def test_netlify_installs_the_pinned_screen_and_the_build_copies_it(checkout):  # noqa: F811
    """Netlify runs npm's install with NPM_FLAGS before the build command (package.json is
    there); here the same, from npm's cache when it has the packages."""
    flags = CONFIG["build"]["environment"]["NPM_FLAGS"]
    assert "--ignore-scripts" in flags and "--omit=dev" in flags
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/decap-cms"]["version"] == "3.16.3"
    assert not lock["packages"]["node_modules/decap-cms"].get("dev")
    assert lock["packages"]["node_modules/decap-server"].get("dev")
    installed = subprocess.run(f"npm install --prefer-offline {flags}", shell=True, cwd=checkout,
                               capture_output=True, text=True, timeout=900)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    result = run_netlify_command(CONFIG["build"]["command"], checkout)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "editing screen" not in result.stderr
    site = checkout / CONFIG["build"]["publish"]
    assert (site / "admin/decap-cms.js").is_file() and (site / "admin/config.yml").is_file()
    assert not (checkout / "node_modules/decap-server").exists()  # a devDependency: not on Netlify


def git_repo(folder: Path, branch: str) -> Path:
    shutil.copytree(SAMPLE_CONTENT, folder / "content")
    subprocess.run(["git", "init", "-q", "-b", branch], cwd=folder, check=True)
    return folder / "content"


def test_serve_cms_needs_the_content_in_git(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    with pytest.raises(admin.ProxyProblem, match="is not in a git repository"):
        admin.start_proxy(content)
    result = subprocess.run([sys.executable, "build.py", "serve", "--cms", "--content", str(content),
                             "--out", str(tmp_path / "_site"), "--port", "0"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and "is not in a git repository" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_cms_works_on_the_published_branch_only(tmp_path):
    content = git_repo(tmp_path, "other")
    with pytest.raises(admin.ProxyProblem, match="run `git switch main` first"):
        admin.start_proxy(content)


def test_serve_cms_edits_the_content_folder_at_the_top_of_the_repository(tmp_path):
    content = git_repo(tmp_path / "repo", "main")
    nested = tmp_path / "repo" / "elsewhere"
    content.rename(nested)
    with pytest.raises(admin.ProxyProblem, match="the folder `content/` at the top of the repository"):
        admin.start_proxy(nested)
