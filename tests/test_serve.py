"""`python build.py serve`: a change appears in the served page within seconds; a broken
file leaves the last good page served, with the problem shown on it and in the terminal."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import FIXTURE_CONTENT, ROOT

MEETING = "meetings/2020/2020-02-12-scrutiny.md"
MEETING_URL = "/meetings/2020/2020-02-12-scrutiny/"
DRAFT_URL = "/meetings/2021/2021-01-20-cabinet/"
STARTUP_TIMEOUT = 120  # the first build indexes the site with Pagefind
CHANGE_TIMEOUT = 20     # generous for a slow CI machine; what was measured is printed


@dataclass
class Served:
    process: subprocess.Popen
    url: str
    content: Path
    out: Path
    log: Path

    def get(self, path: str) -> tuple[int, dict, str]:
        try:
            with urllib.request.urlopen(self.url.rstrip("/") + path, timeout=10) as response:
                return response.status, dict(response.headers), response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode("utf-8")

    def state(self) -> dict:
        return json.loads(self.get("/__serve/state")[2])

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def wait_for(condition, timeout: float, what: str, served: Served | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    log = served.output() if served else ""
    raise AssertionError(f"timed out after {timeout}s waiting for {what}\n--- serve printed:\n{log}")


def start(tmp_path: Path, *options: str) -> Served:
    content = tmp_path / "content"
    if not content.exists():
        shutil.copytree(FIXTURE_CONTENT, content)
    out = tmp_path / "_site"
    log = tmp_path / "serve.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("GITHUB_ACTIONS", None)
    with open(log, "w", encoding="utf-8") as handle:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "build.py"), "serve", "--content", str(content), "--out", str(out),
             "--port", "0", *options],
            cwd=tmp_path, stdout=handle, stderr=subprocess.STDOUT, env=env)
    served = Served(process, "", content, out, log)

    def url():
        if process.poll() is not None:
            raise AssertionError(f"serve exited with {process.returncode}:\n{served.output()}")
        match = re.search(r"Serving the preview at (http://127\.0\.0\.1:\d+/)", served.output())
        return match and match.group(1)

    served.url = wait_for(url, STARTUP_TIMEOUT, "the server to start", served)
    return served


def stop(served: Served) -> int:
    if served.process.poll() is None:
        served.process.send_signal(signal.SIGINT)
        try:
            return served.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            served.process.kill()
            served.process.wait(timeout=10)
    return served.process.returncode


@pytest.fixture
def served(tmp_path):
    server = start(tmp_path)
    yield server
    stop(server)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_serve_rebuilds_on_change_and_keeps_the_last_good_site_when_a_file_breaks(served, capsys):
    status, headers, page = served.get(MEETING_URL)
    assert status == 200 and "Councillors asked about" in page
    # live reload is an external script (the site's CSP allows no inline script) served by serve only
    assert '<script src="/__serve/reload.js" defer></script>' in page
    # the reload script and the problem report's stylesheet are the files in site_gen/serve_files/
    for name, kind in (("reload.js", "text/javascript"), ("serve.css", "text/css")):
        status, headers, body = served.get(f"/__serve/{name}")
        assert status == 200 and headers["Content-Type"].startswith(kind)
        assert body == (ROOT / "site_gen" / "serve_files" / name).read_text(encoding="utf-8")
    assert not (served.out / "__serve").exists(), "nothing of the preview is written into the site"
    assert "Content-Security-Policy" in headers  # the published site's headers, from netlify.toml
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    first = served.state()
    assert first["ok"]

    # 1. a change to a content file appears in the served page within a few seconds
    meeting = served.content / MEETING
    changed_at = time.monotonic()
    edit(meeting, "Councillors asked about PI.1 again.", "Councillors questioned PI.1 again.")
    wait_for(lambda: "Councillors questioned" in served.get(MEETING_URL)[2], CHANGE_TIMEOUT,
             "the change to be served", served)
    seconds = time.monotonic() - changed_at
    with capsys.disabled():
        print(f"\n[serve] a content change was served {seconds:.2f}s after the file was saved")
    assert seconds < 10
    # open pages see the new build number, and reload
    wait_for(lambda: served.state()["build"] > first["build"], 5, "the new build number", served)
    assert "Changed: content/" + MEETING in served.output()
    good_page = (served.out / MEETING_URL.strip("/") / "index.html").read_bytes()

    # 2. a broken file: the last good page is still served, with the error shown on it
    edit(meeting, "committee: scrutiny", 'committee: "<script>alert(1)</script>"')
    state = wait_for(lambda: (s := served.state()) and not s["ok"] and s, CHANGE_TIMEOUT, "the failed build", served)
    message = f"content/{MEETING}:2: `committee` must be a plain lower-case slug"
    assert any(error.startswith(message) for error in state["errors"])
    status, _, page = served.get(MEETING_URL)
    assert status == 200
    page = BeautifulSoup(page, "html5lib")
    assert "Councillors questioned" in page.get_text()  # the last good build
    box = page.find(id="serve-problems")
    assert box is not None and "The site could not be rebuilt" in box.get_text()
    assert f"content/{MEETING}:2" in [code.get_text() for code in box.find_all("code")]
    # the clerk's text is shown escaped, as text: never as an element
    assert "<script>alert(1)</script>" in box.get_text()
    assert not [tag for tag in page.find_all("script") if "alert" in (tag.string or "")]
    assert BeautifulSoup(served.get("/")[2], "html5lib").find(id="serve-problems")  # on every page
    problems_page = BeautifulSoup(served.get("/__serve/problems")[2], "html5lib")
    assert message in problems_page.get_text()
    # ... and in the terminal, FILE:LINE as `check` prints it
    wait_for(lambda: "The site was NOT rebuilt" in served.output(), 5, "the terminal report", served)
    assert message in served.output()
    # nothing of the failed build, nor of the preview, reaches the output folder
    assert (served.out / MEETING_URL.strip("/") / "index.html").read_bytes() == good_page
    assert not [p for p in served.out.rglob("*") if p.is_file() and b"__serve" in p.read_bytes()]

    # 3. fixed: rebuilt, and the report is gone
    edit(meeting, 'committee: "<script>alert(1)</script>"', "committee: scrutiny")
    wait_for(lambda: served.state()["ok"], CHANGE_TIMEOUT, "the fixed build", served)
    status, _, page = served.get(MEETING_URL)
    assert status == 200 and "serve-problems" not in page

    assert stop(served) == 0
    assert "Stopped." in served.output()
    assert "Traceback" not in served.output()


def test_serve_previews_drafts_marked_draft(served):
    assert "Draft meetings are included" in served.output()
    status, _, page = served.get(DRAFT_URL)
    assert status == 200 and "Secret draft item" in page
    assert 'class="notice notice--draft"' in page
    year = served.get("/meetings/2021/")[2]
    assert DRAFT_URL in year and "tag--draft" in year


def test_serve_paths(served):
    status, _, page = served.get("/no/such/page/")
    assert status == 404 and "Page not found" in page
    assert served.get("/%2e%2e/%2e%2e/etc/passwd")[0] == 404
    assert served.get("/meetings/../../../etc/passwd")[0] == 404
    status, headers, _ = served.get("/feed.xml")
    assert status == 200 and "xml" in headers["Content-Type"]
    # a folder without its slash redirects, as on Netlify
    request = urllib.request.Request(served.url + "meetings/2020", method="HEAD")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(request, timeout=10)
    assert redirect.value.code == 301 and redirect.value.headers["Location"] == "/meetings/2020/"


def test_serve_without_drafts_and_with_a_broken_first_build(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    edit(content / MEETING, "committee: scrutiny", "committee: scrutinee")
    served = start(tmp_path, "--no-drafts")
    try:
        assert "Draft meetings are left out" in served.output()
        assert f"content/{MEETING}:2: unknown committee `scrutinee`" in served.output()
        # nothing was ever built: every page is the problem report
        status, _, page = served.get("/")
        assert status == 500 and "unknown committee `scrutinee`" in page and "no good build" in page
        edit(content / MEETING, "committee: scrutinee", "committee: scrutiny")
        wait_for(lambda: served.state()["ok"], CHANGE_TIMEOUT, "the fixed build", served)
        assert served.get(MEETING_URL)[0] == 200
        assert served.get(DRAFT_URL)[0] == 404
    finally:
        stop(served)


def test_serve_reports_a_port_in_use(served, tmp_path):
    port = served.url.rsplit(":", 1)[1].strip("/")
    other = subprocess.run([sys.executable, str(ROOT / "build.py"), "serve", "--content", str(served.content),
                            "--out", str(tmp_path / "other"), "--port", port],
                           capture_output=True, text=True, timeout=60)
    assert other.returncode == 1
    assert f"port {port} is already in use" in other.stderr and "Traceback" not in other.stderr


def test_open_pages_reload_by_themselves_under_the_sites_csp(served):
    """In a real browser, with the published site's CSP: the page reloads after a change and after a break."""
    import playwright.sync_api as playwright_api  # a missing tool fails: scripts/test.sh installs it
    chromium = Path("/usr/bin/chromium")
    assert chromium.exists(), "Debian's chromium is not installed: run scripts/test.sh, which installs it"
    meeting = served.content / MEETING

    def in_the_browser():
        with playwright_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(chromium), headless=True,
                                                 args=["--no-sandbox", "--disable-gpu"])
            try:
                page = browser.new_page()
                problems = []
                page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
                page.on("pageerror", lambda error: problems.append(str(error)))
                page.goto(served.url.rstrip("/") + MEETING_URL)

                def shown(text: str):
                    try:
                        return text in page.content()
                    except Exception:  # the page is reloading
                        return False

                edit(meeting, "Councillors asked about", "Councillors enquired about")
                wait_for(lambda: shown("Councillors enquired about"), CHANGE_TIMEOUT, "the page to reload", served)
                edit(meeting, "committee: scrutiny", "committee: scrutinee")
                wait_for(lambda: shown('id="serve-problems"'), CHANGE_TIMEOUT, "the problems on the page", served)
                assert shown("Councillors enquired about")  # the last good page, under the report
                edit(meeting, "committee: scrutinee", "committee: scrutiny")
                wait_for(lambda: not shown('id="serve-problems"'), CHANGE_TIMEOUT, "the report to go", served)
                assert problems == []  # no CSP violation, no script error
            finally:
                browser.close()

    # in a thread of its own: the browser tests may hold Playwright's event loop in this one
    failures = []

    def run():
        try:
            in_the_browser()
        except BaseException as exc:  # noqa: BLE001 - re-raised below, in the test's thread
            failures.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive(), "the browser check did not finish"
    if failures:
        raise failures[0]


def test_serve_answers_only_its_own_host(served):
    """A page of another site whose name is made to point at 127.0.0.1 (DNS rebinding) sends
    its own name as Host: the preview, drafts included, is not given to it."""
    import http.client

    port = int(served.url.rstrip("/").rsplit(":", 1)[1])

    def fetch(host: str | None) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.putrequest("GET", DRAFT_URL, skip_host=True)
            if host is not None:
                connection.putheader("Host", host)
            connection.endheaders()
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    for own in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}", f"[::1]:{port}"):
        status, page = fetch(own)
        assert status == 200 and "Secret draft item" in page, own
    for foreign in ("evil.example", f"evil.example:{port}", f"127.0.0.1.evil.example:{port}", "127.0.0.1",
                    f"localhost:{port + 1}", "", None):
        status, page = fetch(foreign)
        assert status == 421 and "Secret draft item" not in page, foreign
    assert fetch("evil.example")[0] == 421 and served.state()["ok"]  # the preview's own pages still answer
