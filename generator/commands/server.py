"""A small static web server that behaves like a static host: gzip, 404 page, folder redirects.

Used by `build.py serve` (which can also put a notice on every page, e.g. validation errors), by the
browser tests and by the page-weight benchmark, so all three measure what a visitor would get.
It listens on 127.0.0.1 unless told otherwise, and serves nothing outside its folder: a path that
leads out of it (`..`, also percent-encoded, or a symbolic link) or holds a NUL byte is a 404.
"""

from __future__ import annotations

import email.utils
import gzip
import html
import io
import os
import threading
from collections import deque
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/xml")
TYPES = {".webp": "image/webp", ".mp3": "audio/mpeg", ".js": "application/javascript", ".json": "application/json",
         ".svg": "image/svg+xml", ".xml": "application/xml", ".m4a": "audio/mp4", ".ogg": "audio/ogg"}


# The preview's notice: large enough to read at arm's length, in a sans-serif font whose Vietnamese marks sit
# where they belong (a monospace fallback set them beside the letters), lines kept as the build wrote them. A
# stylesheet of the server's own, since the pages' Content-Security-Policy refuses inline styles.
NOTICE_CSS_PATH = "/.guide-preview/notice.css"
NOTICE_CSS = (b".guide-preview-notice{position:sticky;top:0;z-index:1000;margin:0;padding:1em;background:#b71c1c;"
              b"color:#fff;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans','DejaVu Sans',sans-serif;"
              b"white-space:pre-wrap;overflow-wrap:anywhere}")


class GuideServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a burst (a page's images, a load test of 20 at a time) waits, is not refused
    notice: str | None = None  # plain text shown at the top of every page while set
    cache_control = "no-cache"  # a preview shows edits at once; benchmarks use a host's max-age

    def __init__(self, address: tuple[str, int], directory: Path) -> None:
        super().__init__(address, StaticHandler)
        self.directory = directory  # may be switched while serving (the preview's first good build)
        self.sent: deque[tuple[str, int]] = deque(maxlen=100_000)  # (path, bytes on the wire), for benchmarks


class _Counting(io.BufferedIOBase):
    """Counts what a response puts on the wire (headers and body)."""

    def __init__(self, raw: io.BufferedIOBase) -> None:
        self.raw, self.count = raw, 0

    def write(self, data) -> int:  # type: ignore[no-untyped-def, override]
        self.count += len(data)
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()


class StaticHandler(SimpleHTTPRequestHandler):
    server: GuideServer
    extensions_map: ClassVar[dict[str, str]] = {**SimpleHTTPRequestHandler.extensions_map, **TYPES}

    def __init__(self, request, client_address, server: GuideServer) -> None:  # type: ignore[no-untyped-def]
        super().__init__(request, client_address, server, directory=str(server.directory))

    def setup(self) -> None:
        super().setup()
        self.wfile = _Counting(self.wfile)  # type: ignore[assignment]

    def finish(self) -> None:
        self.server.sent.append((getattr(self, "path", ""), self.wfile.count))  # type: ignore[attr-defined]
        super().finish()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: a preview or a test run should not print a line per request."""

    def end_headers(self) -> None:
        self.send_header("Cache-Control", self.server.cache_control)
        super().end_headers()

    def _inside(self) -> bool:
        """Whether the request names something inside the served folder: no NUL byte, and not led out
        of it by '..' (the base class drops those, decoded or not) or by a symbolic link."""
        path = self.translate_path(self.path)
        if "\x00" in path:
            return False
        root, real = os.path.realpath(self.directory), os.path.realpath(path)
        return real == root or real.startswith(root + os.sep)

    def _file(self) -> str | None:
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            if not self.path.split("?", 1)[0].endswith("/"):
                return None  # the base class redirects /x to /x/
            path = os.path.join(path, "index.html")
        return path if os.path.isfile(path) else None

    def send_head(self):  # type: ignore[override]
        if self.path == NOTICE_CSS_PATH and self.server.notice:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/css")
            self.send_header("Content-Length", str(len(NOTICE_CSS)))
            self.end_headers()
            return io.BytesIO(NOTICE_CSS)
        if not self._inside():
            self.send_error(HTTPStatus.NOT_FOUND)
            return None
        try:
            return self._send_head()
        except OSError:  # gone between looking and reading: a rebuild swapped the folder
            self.send_error(HTTPStatus.NOT_FOUND)
            return None

    def _send_head(self):  # type: ignore[no-untyped-def]
        path = self._file()
        content_type = self.guess_type(path) if path else ""
        is_html = content_type.startswith("text/html")
        wants_gzip = "gzip" in self.headers.get("Accept-Encoding", "") and content_type.startswith(COMPRESSIBLE)
        if path is None or not (wants_gzip or (is_html and self.server.notice)):
            return super().send_head()
        modified = email.utils.formatdate(int(os.stat(path).st_mtime), usegmt=True)
        if self.headers.get("If-Modified-Since") == modified and not self.server.notice:
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.end_headers()
            return None
        body = Path(path).read_bytes()
        if is_html and self.server.notice:
            banner = (f'<link rel="stylesheet" href="{NOTICE_CSS_PATH}"><div role="alert" class="guide-preview-notice">'
                      f'{html.escape(self.server.notice)}</div>')
            body = _after_body_tag(body, banner.encode())
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Last-Modified", modified)
        if wants_gzip:
            body = gzip.compress(body, 6)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        try:
            body = (Path(self.directory) / "404.html").read_bytes() if code == HTTPStatus.NOT_FOUND else None
        except OSError:
            body = None
        if body is None:
            return super().send_error(code, message, explain)
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return None


def _after_body_tag(page: bytes, banner: bytes) -> bytes:
    start = page.find(b"<body")
    end = page.find(b">", start) + 1 if start >= 0 else 0
    return page[:end] + banner + page[end:]


def make_server(directory: Path, host: str = "127.0.0.1", port: int = 0) -> GuideServer:
    return GuideServer((host, port), directory)


def serve_in_background(directory: Path, host: str = "127.0.0.1", port: int = 0) -> GuideServer:
    """Start serving in a daemon thread; stop with `server.shutdown()`."""
    server = make_server(directory, host, port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
