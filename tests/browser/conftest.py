"""Browser tests: the built site served on 127.0.0.1 and driven by Debian's chromium.

Tools (installed by scripts/test.sh; never `playwright install`):
- chromium at /usr/bin/chromium, driven by Playwright from PyPI;
- axe-core and vnu-jar from npm (package-lock.json), vnu run with the system Java.
A missing tool fails the tests with a hint: nothing here is skipped.
"""
from __future__ import annotations

import functools
import http.server
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from conftest import build_into

from .browser_helpers import CHROMIUM, CHROMIUM_ARGS, CSP_LISTENER, ROOT, require, site_headers

if TYPE_CHECKING:
    from playwright.sync_api import Page

BROWSER_CONTENT = ROOT / "tests" / "fixtures" / "browser_site" / "content"


# -- a tiny static server, like the host: index.html for folders, 404.html for the rest --

class SiteHandler(http.server.SimpleHTTPRequestHandler):
    headers_to_send: dict[str, str] = {}

    def end_headers(self):
        for name, value in self.headers_to_send.items():
            self.send_header(name, value)
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.exists():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format, *args):  # keep the test output quiet
        pass


SiteHandler.extensions_map = {**SiteHandler.extensions_map, ".wasm": "application/wasm",
                              ".pagefind": "application/octet-stream", ".pf_meta": "application/octet-stream",
                              ".pf_index": "application/octet-stream", ".pf_filter": "application/octet-stream",
                              ".pf_fragment": "application/octet-stream", ".js": "text/javascript"}


class Server:
    """Serves a built site; with_site_headers: the published headers, Content-Security-Policy first of all."""

    def __init__(self, site: Path, with_site_headers: bool):
        headers = site_headers() if with_site_headers else {}
        handler = functools.partial(type("Handler", (SiteHandler,), {"headers_to_send": headers}),
                                    directory=str(site))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.site = site
        self.csp = next((v for k, v in headers.items() if k.lower() == "content-security-policy"), None)
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return self.origin + path

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="session")
def browser_site(tmp_path_factory) -> Path:
    """tests/fixtures/browser_site: two committees and more than 50 decisions."""
    return build_into(BROWSER_CONTENT, tmp_path_factory.mktemp("browser") / "_site")


@pytest.fixture(scope="session")
def browser_site_sharded(tmp_path_factory) -> Path:
    """The same archive with its search index cut into one shard per year, merged by the browser."""
    return build_into(BROWSER_CONTENT, tmp_path_factory.mktemp("browser-sharded") / "_site", search_shard_pages=1)


def _serve(site: Path, with_site_headers: bool):
    server = Server(site, with_site_headers)
    try:
        yield server
    finally:
        server.close()


def _server_fixture(site_fixture: str, with_site_headers: bool, doc: str):
    @pytest.fixture(scope="session")
    def served(request):
        yield from _serve(request.getfixturevalue(site_fixture), with_site_headers)
    served.__doc__ = doc
    return served


sample_server = _server_fixture(
    "sample_site", False, "The sample archive, without a CSP header (so axe-core can be injected)."
)
sample_server_csp = _server_fixture(
    "sample_site", True, "The sample archive with netlify.toml's headers, CSP included."
)
browser_server = _server_fixture("browser_site", False, "tests/fixtures/browser_site, without a CSP header.")
browser_server_csp = _server_fixture("browser_site", True, "tests/fixtures/browser_site with netlify.toml's headers.")
sharded_server_csp = _server_fixture("browser_site_sharded", True, "browser_site_sharded with netlify.toml's headers.")


# -- the browser --

@pytest.fixture(scope="session")
def browser():
    require(CHROMIUM, "install Debian's chromium (scripts/test.sh does: apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Tab:
    """A page in its own browser context, with everything that went wrong in it."""
    page: Page
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return ([f"CSP violation: {v}" for v in self.csp_violations]
                + [f"console error: {e}" for e in self.console_errors]
                + [f"script error: {e}" for e in self.page_errors]
                + [f"request failed: {r}" for r in self.failed_requests])


@pytest.fixture
def open_tab(browser):
    """open_tab(url, width=1280, javascript=True) -> Tab, its page already loaded."""
    contexts = []

    def open_tab(url: str, width: int = 1280, height: int = 900, javascript: bool = True) -> Tab:
        context = browser.new_context(viewport={"width": width, "height": height}, java_script_enabled=javascript,
                                      service_workers="block", locale="en-GB")
        contexts.append(context)
        tab = Tab(context.new_page())
        context.expose_binding("__reportCspViolation", lambda source, text: tab.csp_violations.append(text))
        context.add_init_script(CSP_LISTENER)
        tab.page.on("console", lambda message: tab.console_errors.append(message.text)
                    if message.type == "error" else None)
        tab.page.on("pageerror", lambda error: tab.page_errors.append(str(error)))
        # a request cut short by leaving the page (following a search result) is no failure
        tab.page.on("requestfailed", lambda request: tab.failed_requests.append(f"{request.url} ({request.failure})")
                    if request.failure != "net::ERR_ABORTED" else None)
        tab.page.goto(url, wait_until="load")
        return tab

    yield open_tab
    for context in contexts:
        context.close()

