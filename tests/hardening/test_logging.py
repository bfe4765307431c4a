"""Logs: every 500 with a request id and its traceback, one line per record, and the
error page that gives the person the id to quote."""

from __future__ import annotations

import io
import json
import logging
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from config.logs import JsonFormatter, TextFormatter, escape_control

pytestmark = pytest.mark.django_db

BASE = Path(__file__).resolve().parents[2]
FAILING = "tests.hardening.urls_failing"


@pytest.fixture
def stderr_of() -> Iterator[Any]:
    """stderr_of("django") -> what the logger's configured console handler writes."""
    swapped: list[tuple[logging.StreamHandler[Any], Any]] = []

    def capture(name: str) -> io.StringIO:
        [handler] = logging.getLogger(name).handlers
        assert isinstance(handler, logging.StreamHandler)
        buffer = io.StringIO()
        swapped.append((handler, handler.setStream(buffer)))
        return buffer

    yield capture
    for handler, stream in swapped:
        handler.setStream(stream)


@pytest.mark.urls(FAILING)
def test_a_500_is_logged_with_its_request_id_and_traceback(
    settings: Any, caplog: Any, stderr_of: Any
) -> None:
    settings.DEBUG = False
    written = stderr_of("django")
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = Client(raise_request_exception=False).get("/test-failure/")
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.request_id == request_id
    assert record.exc_info and isinstance(record.exc_info[1], RuntimeError)
    # It reaches the console handler (stderr), with the id and the traceback.
    text = written.getvalue()
    assert f"[{request_id}]" in text and "RuntimeError: the test view fails on purpose" in text
    # The production format: one JSON object on one line, traceback inside.
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["request_id"] == request_id and entry["level"] == "ERROR"
    assert "RuntimeError: the test view fails on purpose" in entry["exception"]


@pytest.mark.urls(FAILING)
@pytest.mark.parametrize(
    ("language", "words"),
    [("da", "Oplys fejl-id"), ("en", "Give the error id")],
)
def test_the_error_page_shows_the_id_in_the_persons_language(
    settings: Any, language: str, words: str
) -> None:
    settings.DEBUG = False
    client = Client(raise_request_exception=False, headers={"accept-language": language})
    response = client.get("/test-failure/")
    assert response.status_code == 500
    page = response.content.decode()
    assert words in page
    assert f"<code>{response['X-Request-ID']}</code>" in page
    assert '<a href="/">' in page  # a way back
    assert "RuntimeError" not in page  # no internals for the person


@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        ("edge-4f3a9c2b-77d1", True),
        ("short", False),
        ("evil\nid-000000000", False),
        ("<script>alert(1)</script>", False),
        ("x" * 65, False),
    ],
)
def test_an_incoming_request_id_is_kept_only_when_it_looks_like_one(
    world: Any, incoming: str, kept: bool
) -> None:
    response = Client().get("/login/", HTTP_X_REQUEST_ID=incoming)
    assert response.status_code == 200
    assert (response["X-Request-ID"] == incoming) is kept
    if not kept:
        assert len(response["X-Request-ID"]) == 32


def test_a_newline_in_the_url_forges_no_line_in_the_security_log(
    world: Any, caplog: Any, stderr_of: Any
) -> None:
    written = stderr_of("puljeflow")
    forged = "2026-01-01 WARNING puljeflow.security refused status=200"
    with caplog.at_level(logging.WARNING, logger="puljeflow.security"):
        response = Client().get(f"/no-such-page/%0a{forged}%0d%1b[2J/")
    assert response.status_code == 404
    lines = written.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert "path=/no-such-page/\\n2026-01-01 WARNING" in lines[0]
    assert "\\r\\x1b[2J/" in lines[0]
    [record] = [r for r in caplog.records if r.name == "puljeflow.security"]
    formatted = TextFormatter().format(record)
    assert "\n" not in formatted and f"[{response['X-Request-ID']}]" in formatted


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("plain æøå § 18", "plain æøå § 18"),
        ("a\nb\rc\td", "a\\nb\\rc\\td"),
        ("\x1b[31mred\x7f\x85", "\\x1b[31mred\\x7f\\x85"),
        ("line\u2028separator\u202eevil", "line\\u2028separator\\u202eevil"),
        ("already \\n escaped", "already \\\\n escaped"),
    ],
)
def test_control_characters_are_escaped(raw: str, escaped: str) -> None:
    assert escape_control(raw) == escaped


def test_a_traceback_in_text_cannot_forge_a_record() -> None:
    try:
        raise ValueError("bad\n2026-01-01 00:00:00 WARNING forged")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "oops", (), sys.exc_info())
    lines = TextFormatter().format(record).split("\n")
    assert all(line.startswith("  | ") for line in lines[1:])


def test_production_writes_json_lines_and_development_text() -> None:
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.LOGGING['handlers']['console']['formatter'], s.LOGGING['loggers']['django'])"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    }
    env.pop("PULJEFLOW_LOG_FORMAT", None)
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("json {'handlers': ['console']")
    from django.conf import settings

    assert settings.LOGGING["handlers"]["console"]["formatter"] == "text"
