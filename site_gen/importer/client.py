"""A polite HTTP client for a council's portal: one request at a time, a pause between
requests, a User-Agent that says who is asking, and retries with back-off.

Councils' portals are small servers shared with their own staff; an import of fifteen
years of meetings must not look like an attack, so nothing here runs in parallel.
"""
from __future__ import annotations

import email.message
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

USER_AGENT = ("council-minutes-archive-import/1 (a council bringing its own archive into a static minutes site; "
              "one request at a time)")
RETRY_STATUSES = {429, 500, 502, 503, 504}


class FetchError(Exception):
    """A page that could not be read after every retry; `url` names it."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"{url}: {reason}")
        self.url, self.reason = url, reason


@dataclass
class Response:
    url: str
    status: int  # 200, or 304 when the page has not changed since the validators given
    body: bytes
    charset: str | None = None
    last_modified: str | None = None
    etag: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def text(self) -> str:
        for charset in (self.charset, "utf-8", "cp1252"):
            if not charset:
                continue
            try:
                return self.body.decode(charset)
            except (LookupError, UnicodeDecodeError):
                continue
        return self.body.decode("utf-8", errors="replace")


class Client:
    def __init__(self, delay: float = 1.0, retries: int = 3, backoff: float = 2.0, timeout: float = 30.0,
                 user_agent: str = USER_AGENT, opener=None, sleep=time.sleep, clock=time.monotonic):
        self.delay = delay
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self.user_agent = user_agent
        self.opener = opener or urllib.request.build_opener()
        self.sleep = sleep
        self.clock = clock
        self.requests = 0  # how many requests were sent, retries included
        self._last: float | None = None

    def _wait_turn(self) -> None:
        if self._last is not None and self.delay > 0:
            pause = self.delay - (self.clock() - self._last)
            if pause > 0:
                self.sleep(pause)

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Response:
        """The page at `url`; raises FetchError once every retry has failed."""
        headers = {"User-Agent": self.user_agent, "Accept-Encoding": "identity"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        reason = "no answer"
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self.backoff * (2 ** (attempt - 1)))
            self._wait_turn()
            self.requests += 1
            try:
                with self.opener.open(urllib.request.Request(url, headers=headers), timeout=self.timeout) as answer:
                    body = answer.read()
                    info = answer.headers
                    return Response(url, answer.status, body, _charset(info), info.get("Last-Modified"),
                                    info.get("ETag"))
            except urllib.error.HTTPError as exc:
                if exc.code == 304:
                    return Response(url, 304, b"", None, last_modified, etag)
                reason = f"the server answered {exc.code} {exc.reason}"
                if exc.code not in RETRY_STATUSES:
                    break
                retry_after = exc.headers.get("Retry-After", "") if exc.headers else ""
                if retry_after.isdigit():
                    self.sleep(min(int(retry_after), 60))
            except (urllib.error.URLError, OSError) as exc:
                why = getattr(exc, "reason", exc)
                reason = f"could not connect ({why})"
            finally:
                self._last = self.clock()
        raise FetchError(url, reason)


def _charset(headers) -> str | None:
    if isinstance(headers, email.message.Message):
        return headers.get_content_charset()
    return None
