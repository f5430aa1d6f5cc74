"""`python build.py serve`: build, serve on 127.0.0.1, rebuild on change.

- Builds the content into the output folder (draft meetings included and
  marked "Draft", unless --no-drafts), then serves that folder on 127.0.0.1.
- Watches content/, templates/ and assets/ (watchfiles) and rebuilds on every
  change; open pages reload by themselves.
- A build that fails changes nothing in the output folder (the writer swaps a
  finished folder in, or nothing): the last good site keeps being served, the
  problems are printed in the terminal and shown at the top of every page.

The reload script, its stylesheet and the problems page are served by this
server only, under /__serve/; nothing of the preview is ever written into the
output folder. Pages are sent with the headers netlify.toml sets for the
published site (its Content-Security-Policy among them), so the preview
behaves as the real site; the injected tags are external files for that reason.
"""
from __future__ import annotations

import contextlib
import errno
import html
import json
import mimetypes
import os
import re
import signal
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from . import admin, pipeline
from .cache import BuildCache
from .problems import Problem, Report
from .render import ASSETS, TEMPLATES, CompiledTemplates

ROOT = Path(__file__).resolve().parent.parent
NETLIFY_TOML = ROOT / "netlify.toml"
PREFIX = "/__serve/"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".yml": "text/yaml; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
    ".svg": "image/svg+xml",
    ".wasm": "application/wasm",
    ".pdf": "application/pdf",
    ".pagefind": "application/octet-stream",
    ".pf_meta": "application/octet-stream",
    ".pf_index": "application/octet-stream",
    ".pf_fragment": "application/octet-stream",
    ".pf_filter": "application/octet-stream",
}

# The reload script and the problem report's stylesheet: files of the preview server, never of the site.
SERVE_FILES = Path(__file__).resolve().parent / "serve_files"
DEV_FILES = {name: (kind, (SERVE_FILES / name).read_bytes())
             for name, kind in (("reload.js", "text/javascript; charset=utf-8"),
                                ("serve.css", "text/css; charset=utf-8"))}


@dataclass
class State:
    build: int = 0                     # every build attempt, good or not: pages reload when it changes
    good_builds: int = 0
    good_at: str | None = None         # the time of the last good build
    problems: list[Problem] = field(default_factory=list)  # of the last build, when it failed
    failure: str | None = None         # a failure that is not the content's (Pagefind, the disk)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def failed(self) -> bool:
        return bool(self.problems) or self.failure is not None


class Preview:
    def __init__(self, content: Path, out: Path, include_drafts: bool, stream=None,
                 cache_dir: Path | None = None, use_cache: bool = True):
        self.content = content
        # kept in memory from one rebuild to the next, and saved when the preview stops
        self.cache = (BuildCache.for_build(cache_dir or pipeline.default_cache_dir(out), content, out)
                      if use_cache else None)  # --no-cache: every rebuild from scratch
        self.out = out
        self.include_drafts = include_drafts
        self.state = State()
        self.stream = stream or sys.stdout
        self.stop = threading.Event()
        self.headers = site_headers()
        self.admin_headers = admin.preview_headers(NETLIFY_TOML)  # /admin/: the editing screen's own policy
        self.said: set[str] = set()
        self.compiled = CompiledTemplates()  # each template compiled once while its source is the same

    def say(self, text: str = "") -> None:
        print(text, file=self.stream, flush=True)

    # -- building ---------------------------------------------------------------

    def rebuild(self) -> bool:
        from .console import BUILD_WARNINGS, print_problems

        started = time.perf_counter()
        try:
            result = pipeline.build(self.content, self.out, include_drafts=self.include_drafts, cache=self.cache,
                                    use_cache=self.cache is not None, compiled=self.compiled)
        except OSError as exc:  # the disk, not the content
            from .writer import plain_os_error
            result = pipeline.Result(Report(), failure=plain_os_error(exc, "building the preview"))
        except Exception as exc:  # never let the preview die with a traceback
            result = pipeline.Result(Report(), failure=f"{type(exc).__name__}: {exc}")
        seconds = time.perf_counter() - started
        # as a build prints them: every error, and the first warnings with a count of the rest
        # (tens of thousands in a large archive, printed at every save)
        print_problems(result.report, self.stream, limit=BUILD_WARNINGS,
                       more="`python build.py check` lists them all")
        for notice in result.notices:  # e.g. no history: said once, not at every rebuild
            if notice not in self.said:
                self.said.add(notice)
                self.say(notice)
        with self.state.lock:
            self.state.build += 1
            if result.ok:
                self.state.good_builds += 1
                self.state.good_at = time.strftime("%H:%M:%S")
                self.state.problems = []
                self.state.failure = None
            else:
                self.state.problems = result.report.sorted() if result.report.errors else []
                self.state.failure = result.failure
        if result.ok:
            meetings = len(result.linked.meetings) if result.linked else 0
            self.say(f"[{time.strftime('%H:%M:%S')}] Built {meetings} meeting{'' if meetings == 1 else 's'} "
                     f"in {seconds:.1f}s; open pages reload by themselves.")
        else:
            if result.failure:
                self.say(f"error: {result.failure}")
            if self.state.good_at:
                kept = f"still serving the last good build (from {self.state.good_at})"
            elif (self.out / "index.html").is_file():
                kept = f"still serving what was already in {self.out}/"
            else:
                kept = "there is no site to serve yet, only this report"
            self.say(f"[{time.strftime('%H:%M:%S')}] The site was NOT rebuilt: {kept}. "
                     f"Fix the problem above and save the file: the preview rebuilds by itself.")
        return result.ok

    def watched(self) -> list[Path]:
        return [p for p in (self.content, TEMPLATES, ASSETS) if p.is_dir()]

    def watch(self) -> None:
        import watchfiles

        out = self.out.resolve()
        ignore = (*watchfiles.DefaultFilter.ignore_entity_patterns,
                  rf"^\.{re.escape(out.name)}\.(staging|previous)-")
        watch_filter = watchfiles.DefaultFilter(ignore_entity_patterns=ignore, ignore_paths=[out])
        try:
            for changes in watchfiles.watch(*self.watched(), watch_filter=watch_filter, stop_event=self.stop,
                                            debounce=800, step=50, raise_interrupt=False):
                if self.stop.is_set():
                    return
                paths = {Path(path) for _, path in changes}
                names = sorted({self.shown(p) for p in paths if p.exists()} or {self.shown(p) for p in paths})
                self.say(f"[{time.strftime('%H:%M:%S')}] Changed: {', '.join(names[:5])}"
                         + (f" and {len(names) - 5} more" if len(names) > 5 else "") + "; rebuilding...")
                self.rebuild()
        except Exception as exc:  # e.g. too many files to watch: say so, keep serving
            self.say(f"error: stopped watching for changes ({type(exc).__name__}: {exc}); "
                     f"restart `python build.py serve` to rebuild")

    def shown(self, path: Path) -> str:
        for root in (self.content, TEMPLATES, ASSETS):
            try:
                return f"{root.name}/{path.resolve().relative_to(root.resolve()).as_posix()}"
            except ValueError:
                continue
        return str(path)

    # -- what the server sends ----------------------------------------------------

    def lookup(self, url_path: str) -> tuple[int, Path | None, str | None]:
        """(status, file, redirect) for a URL path of the site."""
        parts = [p for p in url_path.split("/") if p]
        if any(p in (".", "..") or "\\" in p or "\0" in p for p in parts):
            return HTTPStatus.NOT_FOUND, self.out / "404.html", None
        # the writer swaps the new site in with two renames; wait out that instant
        for _ in range(40):
            if self.out.is_dir():
                break
            time.sleep(0.025)
        target = self.out.joinpath(*parts)
        if target.is_dir():
            if not url_path.endswith("/"):
                return HTTPStatus.MOVED_PERMANENTLY, None, url_path + "/"
            target = target / "index.html"
        if target.is_file():
            return HTTPStatus.OK, target, None
        return HTTPStatus.NOT_FOUND, self.out / "404.html", None

    def decorate(self, page: bytes) -> bytes:
        """Add the reload script, and the problems of a failed build, to an HTML page."""
        text = page.decode("utf-8", errors="replace")
        with self.state.lock:
            build = self.state.build
            banner = self.banner() if self.state.failed else ""
        head = (f'<meta name="serve-build" content="{build}">'
                f'<link rel="stylesheet" href="{PREFIX}serve.css">'
                f'<script src="{PREFIX}reload.js" defer></script>')
        text, found = re.subn(r"</head\s*>", lambda m: head + m.group(0), text, count=1, flags=re.IGNORECASE)
        if not found:
            text = head + text
        if banner:
            text, found = re.subn(r"<body\b[^>]*>", lambda m: m.group(0) + banner, text, count=1, flags=re.IGNORECASE)
            if not found:
                text = banner + text
        return text.encode("utf-8")

    def banner(self) -> str:
        """The problems of the last build, as HTML (every content value escaped). Hold the lock."""
        state = self.state
        errors = [p for p in state.problems if p.severity == "error"]
        count = len(errors) + (1 if state.failure else 0)
        if state.good_at:
            kept = f"This preview still shows the last good build, from {html.escape(state.good_at)}."
        else:
            kept = "There is no good build to show yet."
        items = []
        if state.failure:
            items.append(f"<li><code>{html.escape(state.failure)}</code></li>")
        for problem in sorted(state.problems, key=lambda p: (p.severity != "error", p.sort_key())):
            label = '<span class="serve-problems__warning">warning:</span> ' if problem.severity != "error" else ""
            hint = (f'<span class="serve-problems__hint">hint: {html.escape(problem.hint)}</span>'
                    if problem.hint else "")
            items.append(f"<li><code>{html.escape(problem.path)}:{problem.line}</code>: {label}"
                         f"{html.escape(problem.message)}{hint}</li>")
        return (f'<div class="serve-problems" id="serve-problems" role="alert">'
                f"<h2>The site could not be rebuilt: {count} problem{'' if count == 1 else 's'}</h2>"
                f"<p>{kept} Fix the file named below and save it: this page reloads by itself. "
                f"The same report is in the terminal where <code>python build.py serve</code> runs.</p>"
                f"<ol>{''.join(items)}</ol></div>")

    def problems_page(self) -> bytes:
        with self.state.lock:
            body = self.banner() if self.state.failed else "<p>The last build had no problems.</p>"
        return (f'<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>Preview: problems in the content</title></head>"
                f'<body><main class="serve-page">{body}</main></body></html>').encode("utf-8")

    def state_json(self) -> bytes:
        with self.state.lock:
            state = self.state
            data = {"build": state.build, "ok": not state.failed, "good_at": state.good_at,
                    "errors": [p.format() for p in state.problems if p.severity == "error"]
                              + ([state.failure] if state.failure else [])}
        return json.dumps(data).encode("utf-8")


def site_headers() -> dict[str, str]:
    """The headers netlify.toml gives the published pages: those of every address (for = "/*")
    and the public Content-Security-Policy, which it gives path by path (the home page's, "/")."""
    try:
        import tomllib
        config = tomllib.loads(NETLIFY_TOML.read_text(encoding="utf-8"))
    except (ImportError, OSError, ValueError):
        return {}
    headers: dict[str, str] = {}
    for rule in config.get("headers", []):
        if rule.get("for") in ("/*", "/"):
            for name, value in rule.get("values", {}).items():
                if isinstance(value, str) and name.lower() != "cache-control":
                    headers[name] = " ".join(value.split())
    return headers


def display(path: Path) -> str:
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else Path(relative).as_posix()


def content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


LOCAL_NAMES = ("127.0.0.1", "localhost", "[::1]")


def own_host(host: str | None, port: int) -> bool:
    """Whether a request's Host header names this server: 127.0.0.1, localhost or [::1], on
    its port. Anything else is a request meant for another site (DNS rebinding)."""
    if not host:
        return False
    host = host.strip().lower()
    return host in {f"{name}:{port}" for name in LOCAL_NAMES} or (port == 80 and host in LOCAL_NAMES)


def _read(file: Path | None) -> bytes | None:
    """The file's bytes; None when there is none (a rebuild may have just swapped the folder)."""
    try:
        return file.read_bytes() if file else None
    except OSError:
        return None


def make_handler(preview: Preview):
    class Handler(BaseHTTPRequestHandler):
        server_version = "MinutesPreview"
        sys_version = ""

        def do_GET(self) -> None:
            self.respond(send_body=True)

        def do_HEAD(self) -> None:
            self.respond(send_body=False)

        def respond(self, send_body: bool) -> None:
            address = self.server.server_address
            if not own_host(self.headers.get("Host"), address[1] if isinstance(address, tuple) else 0):
                # a page of another site whose name now points at 127.0.0.1 (DNS rebinding)
                # must not read the preview, drafts included
                self.send(HTTPStatus.MISDIRECTED_REQUEST, "text/plain; charset=utf-8",
                          b"This preview answers only http://127.0.0.1:PORT/ and http://localhost:PORT/\n",
                          send_body)
                return
            path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path) or "/"
            if path.startswith(PREFIX):
                self.send_dev_file(path[len(PREFIX):], send_body)
                return
            status, file, redirect = preview.lookup(path)
            if redirect:
                self.send_response(status)
                self.send_header("Location", urllib.parse.quote(redirect))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            data = _read(file)
            if file is None or data is None:  # not even a 404 page: nothing was ever built
                status = HTTPStatus.INTERNAL_SERVER_ERROR if preview.state.failed else HTTPStatus.NOT_FOUND
                self.send(status, "text/html; charset=utf-8", preview.decorate(preview.problems_page()), send_body)
                return
            kind = content_type(file)
            if admin.is_admin(path):  # the editing screen: never reloaded under the clerk's hands
                self.send(status, kind, data, send_body, preview.admin_headers)
                return
            if kind.startswith("text/html"):
                data = preview.decorate(data)
            self.send(status, kind, data, send_body)

        def send_dev_file(self, name: str, send_body: bool) -> None:
            if name in DEV_FILES:
                self.send(HTTPStatus.OK, *DEV_FILES[name], send_body)
            elif name == "state":
                self.send(HTTPStatus.OK, "application/json", preview.state_json(), send_body)
            elif name in ("problems", "problems/"):
                self.send(HTTPStatus.OK, "text/html; charset=utf-8", preview.decorate(preview.problems_page()),
                          send_body)
            else:
                self.send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"Not found\n", send_body)

        def send(self, status: int, kind: str, data: bytes, send_body: bool,
                 headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            for name, value in (preview.headers if headers is None else headers).items():
                self.send_header(name, value)
            self.end_headers()
            if send_body:
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the browser went away
                    self.wfile.write(data)

        def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's name
            pass  # a clerk needs the build's messages, not every request

    return Handler


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def run(args) -> int:
    content, out = Path(args.content), Path(args.out)
    if not content.is_dir():
        print(f"error: there is no content folder `{args.content}`: run this from the repository's top folder, "
              f"or give the folder with --content", file=sys.stderr)
        return 2
    from .writer import output_problem

    if problem := output_problem(out, content):
        print(f"error: {problem}", file=sys.stderr)
        return 2
    preview = Preview(content, out, include_drafts=args.drafts, cache_dir=args.cache, use_cache=args.use_cache)
    try:
        server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(preview))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            print(f"error: port {args.port} is already in use (is the preview already running in another window?)\n"
                  f"    stop that one, or choose another port: python build.py serve --port {args.port + 1}",
                  file=sys.stderr)
        else:
            print(f"error: cannot serve on 127.0.0.1:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    server.daemon_threads = True
    proxy = None
    if getattr(args, "cms", False):
        try:
            proxy = admin.start_proxy(content)
        except admin.ProxyProblem as exc:
            server.server_close()
            print(f"error: {exc}", file=sys.stderr)
            return 1
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops the preview as Ctrl+C does
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    drafts = ("Draft meetings are included, marked \"Draft\" (the published site leaves them out; "
              "use --no-drafts to preview exactly what will be published)." if args.drafts
              else "Draft meetings are left out, as on the published site.")
    preview.say(f"Building {content}/ into {out}/ ... {drafts}")
    preview.rebuild()
    watcher = threading.Thread(target=preview.watch, name="watch", daemon=True)
    watcher.start()
    preview.say(f"Serving the preview at {url}")
    if proxy is not None:
        preview.say(f"The editing screen is at {url}admin/ : it saves into this repository "
                    f"(each meeting on a branch of its own until you publish it).")
    watched = ", ".join(display(p) + "/" for p in preview.watched())
    preview.say(f"Watching {watched} for changes. Press Ctrl+C to stop.")
    try:
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        preview.say("Stopped.")
    finally:
        preview.stop.set()
        server.server_close()
        if proxy is not None:
            admin.stop_proxy(proxy)
        if preview.cache is not None:
            if preview.cache.settle is not None:  # the files' change times, once its helpers are done
                preview.cache.settle()
            preview.cache.save(preview.cache.previous)  # what the last good build knew, for the next one
    return 0
