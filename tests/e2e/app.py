"""A tiny HTTP app for the end-to-end deploy tests: ``python app.py PORT``, listening on
``$BIND_ADDRESS`` (127.0.0.1 when unset); further arguments are ignored.

``GET /health`` answers with the status written in ``health_status`` next to it (200 when
the file is missing; 500 while a file ``unhealthy-<version>`` sits two folders up, in the
release directory of a host) and ``ok <version>``; the version is read from ``version``.
"""

from __future__ import annotations

import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path.cwd()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status_file = HERE / "health_status"
        status = int(status_file.read_text()) if status_file.exists() else 200
        version = (HERE / "version").read_text().strip()
        if (HERE.parent.parent / f"unhealthy-{version}").exists():
            status = 500
        body = f"ok {version}\n".encode()
        self.send_response(status if self.path == "/health" else 200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


if __name__ == "__main__":
    address = os.environ.get("BIND_ADDRESS", "127.0.0.1")
    ThreadingHTTPServer((address, int(sys.argv[1])), Handler).serve_forever()
