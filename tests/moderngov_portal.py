"""A ModernGov portal replayed from recorded responses (fixtures/moderngov/portal), on 127.0.0.1.

Web-service calls map to files by their identifying parameter (GetMeeting?lMeetingId=5001 ->
GetMeeting-5001.xml), pages likewise (mgAi.aspx?ID=7001 -> mgAi-7001.html); any document
path serves the same stand-in PDF. `failing` names requests answered 503, as a portal under
strain does; with `last_modified`, answers carry the file's time and a request that gives it
back is answered 304; everything asked is logged in `requests`.
"""
from __future__ import annotations

import email.utils
import http.server
import threading
import urllib.parse
from pathlib import Path

RECORDED = Path(__file__).resolve().parent / "fixtures" / "moderngov" / "portal"
KEYS = ("lMeetingId", "lCommitteeId", "ID", "IId", "MId")


def recorded_name(path: str, query: dict) -> str:
    name = path.rsplit("/", 1)[-1].replace(".aspx", "")
    key = next((query[k][0] for k in KEYS if k in query and (k != "ID" or "MId" not in query)), None)
    if name == "ieListDocuments":
        key = query.get("MId", [None])[0]
    suffix = ".xml" if "/mgWebService.asmx/" in path else ".html"
    return f"{name}-{key}{suffix}" if key else f"{name}{suffix}"


class Portal:
    def __init__(self, folder: Path = RECORDED, failing: set[str] | None = None, last_modified: bool = False):
        self.folder = Path(folder)
        self.failing = set(failing or ())
        self.last_modified = last_modified  # send Last-Modified (the file's time) and answer If-Modified-Since
        self.not_modified: list[str] = []
        self.requests: list[str] = []
        self.user_agents: set[str] = set()
        portal = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server API
                portal.requests.append(self.path)
                portal.user_agents.add(self.headers.get("User-Agent", ""))
                split = urllib.parse.urlsplit(self.path)
                query = urllib.parse.parse_qs(split.query)
                if split.path.startswith("/documents/"):
                    return self.answer(
                        200, (portal.folder / "documents" / "stand-in.pdf").read_bytes(), "application/pdf"
                    )
                name = recorded_name(split.path, query)
                if name.rsplit(".", 1)[0] in portal.failing:
                    return self.answer(503, b"Service Unavailable", "text/plain")
                file = portal.folder / name
                if not file.is_file():
                    return self.answer(404, b"Not Found", "text/plain")
                kind = "text/xml; charset=utf-8" if name.endswith(".xml") else "text/html; charset=utf-8"
                modified = (
                    email.utils.formatdate(int(file.stat().st_mtime), usegmt=True) if portal.last_modified else None
                )
                if modified and self.headers.get("If-Modified-Since") == modified:
                    portal.not_modified.append(self.path)
                    return self.answer(304, b"", kind, modified)
                return self.answer(200, file.read_bytes(), kind, modified)

            def answer(self, status, body, kind, modified=None):
                self.send_response(status)
                if modified:
                    self.send_header("Last-Modified", modified)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "Portal":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
