"""Optional virus scanning by ClamAV's daemon (clamd), for production.

Off unless ``PULJEFLOW_CLAMAV_SOCKET`` (a unix socket path) or ``PULJEFLOW_CLAMAV_HOST``
(``host:port``) is set. Then every upload that passed the other checks is streamed to
clamd with its INSTREAM command — ``zINSTREAM\\0``, the file in chunks each prefixed by
its length as four bytes (network order), four zero bytes to end — and clamd answers
``stream: OK`` or ``stream: <signature> FOUND``. A file found infected is refused. When
scanning is configured but clamd cannot be reached or gives no clear answer, the upload
is refused too (fail closed: an unscanned file is never stored) and the failure logged.
No package is needed: the protocol is a few lines over a plain socket.
"""

from __future__ import annotations

import logging
import socket
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

CHUNK = 64 * 1024
REPLY_LIMIT = 4096


def configured() -> bool:
    return bool(settings.PULJEFLOW_CLAMAV_SOCKET or settings.PULJEFLOW_CLAMAV_HOST)


def _connect() -> socket.socket:
    timeout = settings.PULJEFLOW_CLAMAV_TIMEOUT
    if settings.PULJEFLOW_CLAMAV_SOCKET:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(settings.PULJEFLOW_CLAMAV_SOCKET)
        except OSError:
            sock.close()
            raise
        return sock
    host, _sep, port = settings.PULJEFLOW_CLAMAV_HOST.rpartition(":")
    return socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)


def _instream(upload: Any) -> str:
    """Send the file to clamd; return its answer without the trailing NUL."""
    with _connect() as sock:
        sock.sendall(b"zINSTREAM\0")
        upload.seek(0)
        while chunk := upload.read(CHUNK):
            sock.sendall(len(chunk).to_bytes(4, "big") + chunk)
        sock.sendall(b"\0\0\0\0")
        reply = b""
        while not reply.endswith(b"\0") and len(reply) < REPLY_LIMIT:
            part = sock.recv(REPLY_LIMIT)
            if not part:
                break
            reply += part
    return reply.rstrip(b"\0").decode("utf-8", "replace").strip()


def scan_problem(upload: Any) -> str | None:
    """None if the file is clean (or scanning is off); otherwise the message to show."""
    if not configured():
        return None
    try:
        reply = _instream(upload)
    except (OSError, ValueError) as error:
        logger.error("Virus scanner unreachable, upload refused: %s", error)
        return _unavailable()
    finally:
        upload.seek(0)
    if reply.endswith("FOUND"):
        signature = reply.removeprefix("stream:").removesuffix("FOUND").strip()
        logger.warning("Virus scanner found %s in an upload; refused", signature)
        return _(
            "The file contains a virus or other malicious code (%(signature)s) and is not "
            "accepted. Check your computer and send a clean copy of the document."
        ) % {"signature": signature[:100]}
    if reply.endswith("OK"):
        return None
    logger.error("Virus scanner gave no verdict, upload refused: %r", reply[:200])
    return _unavailable()


def _unavailable() -> str:
    return _(
        "The file could not be checked for viruses just now, so it has not been saved. "
        "Please try again later."
    )
