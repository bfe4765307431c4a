"""Logging: a request id on every record, one line per record, 500s always logged.

- ``RequestIdMiddleware`` gives each request an id (an incoming ``X-Request-ID`` is kept
  only when it looks like one, else a new uuid4), answers it in ``X-Request-ID``, and
  holds it in a context variable while the request runs.
- ``configure`` (Django's ``LOGGING_CONFIG``) applies ``LOGGING`` and makes every log
  record carry ``request_id`` (``-`` outside a request), so every handler, the tests'
  ``caplog`` included, sees it.
- Both formatters escape control characters (``\\n``, ``\\r``, ESC, bidi overrides, …) in
  what is logged: a newline in a URL cannot forge a line of the security log. ``text``
  is for people (development); ``json`` writes one JSON object per line (production,
  for the log collector), the traceback inside it.
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse

_request_id: ContextVar[str] = ContextVar("puljeflow_request_id", default="-")
HEADER = "X-Request-ID"
# What a proxy's id may look like to be kept: letters, digits, dash, dot, underscore.
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{7,63}")
# C0 and C1 controls, DEL, the backslash (so an escape cannot be faked), line and
# paragraph separators, and the invisible format characters that reorder or hide text.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\\\\\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}


def current_request_id() -> str:
    return _request_id.get()


def _escape_one(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_control(text: str) -> str:
    """``text`` on one line, every control or invisible character written as an escape."""
    return _UNSAFE.sub(_escape_one, text)


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(HEADER, "")
        request_id = incoming if SAFE_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[HEADER] = request_id
        return response


def _with_request_id(factory: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        record.request_id = _request_id.get()
        return record

    make.puljeflow_request_id = True  # type: ignore[attr-defined]
    return make


def configure(config: dict[str, Any]) -> None:
    """Django's LOGGING_CONFIG: the dictConfig, then the request id on every record."""
    logging.config.dictConfig(config)
    current = logging.getLogRecordFactory()
    if not getattr(current, "puljeflow_request_id", False):
        logging.setLogRecordFactory(_with_request_id(current))


class TextFormatter(logging.Formatter):
    """``time level logger [request id] message``; a traceback follows, each line marked."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.request_id = getattr(record, "request_id", "-")
        record.message = escape_control(record.getMessage())
        record.asctime = self.formatTime(record)
        line = self.formatMessage(record)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        details = [
            record.exc_text or "",
            self.formatStack(record.stack_info) if record.stack_info else "",
        ]
        for detail in filter(None, details):
            # Kept on lines of their own for people to read, each marked as a continuation
            # ("  | "), so that a line break inside an exception's text forges no record.
            line += "".join(f"\n  | {escape_control(part)}" for part in detail.split("\n"))
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line; json.dumps escapes every control character."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # ensure_ascii: also U+2028 and the C1 controls, which some tools take for line breaks.
        return json.dumps(entry, ensure_ascii=True, default=str)


def logging_settings(*, fmt: str, level: str) -> dict[str, Any]:
    """The LOGGING setting: everything to stderr, in ``fmt`` (``text`` or ``json``).

    ``django.request`` logs each 500 with its traceback at ERROR (and each 4xx at
    WARNING, left out here: ``puljeflow.security`` logs refusals). Django's own
    default sends those 500s only to the admins' e-mail when DEBUG is off, which
    with no ADMINS is nowhere.
    """
    if fmt not in {"text", "json"}:
        raise ValueError(f"PULJEFLOW_LOG_FORMAT must be text or json, not {fmt!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "text": {"()": "config.logs.TextFormatter"},
            "json": {"()": "config.logs.JsonFormatter"},
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": fmt}},
        "loggers": {
            "puljeflow": {"handlers": ["console"], "level": level},
            "django": {"handlers": ["console"], "level": "WARNING"},
            "django.request": {"level": "ERROR"},
        },
    }
