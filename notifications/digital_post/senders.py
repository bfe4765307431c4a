"""Where a MeMo message goes: a folder (the embedded default) or the municipality's Digital
Post access over HTTPS. Chosen by ``PULJEFLOW_DIGITAL_POST`` (config/integrations.py).

A sender hands one message over or raises; the outbox (notifications/delivery.py) retries
and records the outcome, as for e-mail. Both senders are idempotent for the same message:
the folder keeps one file per messageUUID, and the HTTP peer is given the messageUUID to
drop a second copy by.
"""

from __future__ import annotations

import os
import ssl
import tempfile
import uuid
from pathlib import Path
from typing import Protocol
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class DigitalPostError(Exception):
    """The message was not handed over; the reason is worded for the outbox's last error."""


class MemoSender(Protocol):
    def send(self, message_uuid: uuid.UUID, message: bytes) -> None:
        """Hand the message over or raise."""


def folder() -> Path:
    return Path(settings.DIGITAL_POST_DIR)


class FolderSender:
    """Writes ``<dir>/out/<messageUUID>.xml``; what picks the files up is outside Puljeflow.

    Atomic: the message is written to a hidden temporary name in the same folder and renamed,
    so a reader never sees half a message. A second attempt with the same messageUUID replaces
    the file with the same bytes: one message, however many attempts.
    """

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory

    def send(self, message_uuid: uuid.UUID, message: bytes) -> None:
        out = (self.directory or folder()) / "out"
        out.mkdir(parents=True, exist_ok=True)
        target = out / f"{message_uuid}.xml"
        handle, temporary = tempfile.mkstemp(prefix=f".{message_uuid}.", suffix=".tmp", dir=out)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(message)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


class HttpSender:
    """POSTs the message to the municipality's Digital Post access (``DIGITAL_POST_URL``).

    The body is the MeMo XML; the messageUUID also goes in a header, so the peer can answer
    a retried message without parsing it. Any 2xx answer is acceptance; anything else, or no
    answer, is a failed attempt with the status and the start of the peer's answer as reason.
    The client certificate (and key) identify the municipality's sending system; the CA
    bundle, when given, replaces the system's trusted certificates for this peer.
    """

    def send(self, message_uuid: uuid.UUID, message: bytes) -> None:
        url = settings.DIGITAL_POST_URL
        if not url:
            raise ImproperlyConfigured("PULJEFLOW_DIGITAL_POST is http but no URL is set.")
        request = Request(  # noqa: S310  (the scheme is checked by _context below)
            url,
            data=message,
            method="POST",
            headers={
                "Content-Type": "application/xml; charset=utf-8",
                "X-Message-UUID": str(message_uuid),
            },
        )
        try:
            with urlopen(  # noqa: S310  # nosec B310
                request, timeout=settings.DIGITAL_POST_TIMEOUT_SECONDS, context=_context(url)
            ) as response:
                status = response.status
        except HTTPError as error:
            answer = error.read(500).decode("utf-8", "replace").strip()
            raise DigitalPostError(
                f"Digital Post refused the message (HTTP {error.code}): {answer}"
            ) from error
        except (URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise DigitalPostError(f"Digital Post could not be reached: {reason}") from error
        if not 200 <= status < 300:
            raise DigitalPostError(f"Digital Post answered HTTP {status}.")


def _context(url: str) -> ssl.SSLContext | None:
    if url.startswith("http://"):
        return None  # a local peer (tests, a gateway on the same host); no certificate to show
    if not url.startswith("https://"):
        raise ImproperlyConfigured("PULJEFLOW_DIGITAL_POST_URL must be an http(s) URL.")
    context = ssl.create_default_context(cafile=settings.DIGITAL_POST_CA_BUNDLE or None)
    if settings.DIGITAL_POST_CLIENT_CERT:
        context.load_cert_chain(
            settings.DIGITAL_POST_CLIENT_CERT, settings.DIGITAL_POST_CLIENT_KEY or None
        )
    return context


def current() -> MemoSender:
    """The sender ``PULJEFLOW_DIGITAL_POST`` names."""
    mode = settings.DIGITAL_POST
    if mode == "folder":
        return FolderSender()
    if mode == "http":
        return HttpSender()
    raise ImproperlyConfigured(f"Digital Post is {mode!r}: no message should be sent.")
