"""A local stand-in for the public CVR data service, over real HTTP.

Serves ``POST .../virksomhed/_search`` from cases/registers/cvr_fake.py behind HTTP basic
auth, so the HTTP adapter meets a real socket, real status codes and a real timeout. The
tests start it on a free port and switch its ``mode`` to make it fail:
``ok`` · ``error`` (HTTP 500) · ``slow`` (answers after ``delay`` seconds) · ``garbage``
(HTTP 200 with a body that is not JSON) · ``wrong_shape`` (JSON, but not an answer).

By hand: ``.venv/bin/python -m tests.fakes.cvr_service --port 8785`` (user ``puljeflow``,
password ``fake``), then ``PULJEFLOW_CVR_ADAPTER=http
PULJEFLOW_CVR_URL=http://127.0.0.1:8785/cvr-permanent/virksomhed/_search
PULJEFLOW_CVR_USER=puljeflow PULJEFLOW_CVR_PASSWORD=fake``.
"""

from __future__ import annotations

import argparse
import base64
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cases.registers import cvr_fake

PATH = "/cvr-permanent/virksomhed/_search"


class FakeCvrServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        port: int = 0,
        *,
        user: str = "puljeflow",
        password: str = "fake",  # noqa: S107 (the fake's own)
    ) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.credentials = f"{user}:{password}"
        self.mode = "ok"
        self.delay = 2.0
        self.requests: list[dict[str, Any]] = []  # what the adapter sent, for the tests

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{PATH}"


class _Handler(BaseHTTPRequestHandler):
    server: FakeCvrServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet in the tests
        pass

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self.path != PATH:
            self._send(404, b'{"error":"IndexMissingException","status":404}')
            return
        expected = "Basic " + base64.b64encode(self.server.credentials.encode()).decode()
        if self.headers.get("Authorization") != expected:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="cvr-permanent"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        try:
            body = json.loads(raw)
        except ValueError:
            self._send(400, b'{"error":"SearchParseException","status":400}')
            return
        self.server.requests.append(body)
        mode = self.server.mode
        if mode == "error":
            self._send(500, b'{"error":"NoShardAvailableActionException","status":500}')
        elif mode == "garbage":
            self._send(200, b"<html><body>Service Unavailable</body></html>", "text/html")
        elif mode == "wrong_shape":
            self._send(200, b'{"hits": {"total": 1, "hits": "none"}}')
        else:
            if mode == "slow":
                time.sleep(self.server.delay)
            try:
                answer = cvr_fake.search(body)
            except cvr_fake.UnsupportedQuery:
                self._send(400, b'{"error":"QueryParsingException","status":400}')
                return
            self._send(200, json.dumps(answer).encode())


@contextmanager
def running(**kwargs: Any) -> Iterator[FakeCvrServer]:
    """The fake on a free port of 127.0.0.1, stopped when the block ends."""
    server = FakeCvrServer(**kwargs)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8785)
    options = parser.parse_args()
    server = FakeCvrServer(options.port)
    print(f"Fake CVR service at {server.url}")
    server.serve_forever()
