"""Digital Post tests: the folder sender on, the outbox delivered by hand, the messages read
back from the folder."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from notifications.delivery import deliver_notification
from notifications.models import Channel, Notification

NS = "https://DigitalPost.dk/MeMo-1"


def q(path: str) -> str:
    """ "MessageHeader/label" → the same path in MeMo's namespace."""
    return "/".join(f"{{{NS}}}{step}" for step in path.split("/"))


class Sent:
    """One MeMo message read back from the folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.raw = path.read_bytes()
        self.root = ET.fromstring(self.raw)  # noqa: S314  # nosec B314  (written by us)

    def text(self, path: str) -> str:
        return self.root.findtext(q(path)) or ""

    @property
    def pdf(self) -> bytes:
        return base64.b64decode(self.text("MessageBody/MainDocument/File/content"))


def messages(folder: Path) -> list[Sent]:
    return [Sent(path) for path in sorted(folder.glob("*.xml"))] if folder.exists() else []


def deliver(rows: Iterable[Notification]) -> list[str | None]:
    """Deliver the rows as the worker would (the tests do not commit, so nothing was queued)."""
    return [deliver_notification(row.pk) for row in rows]


def digital_post_rows(**filters: Any) -> list[Notification]:
    return list(Notification.objects.filter(channel=Channel.DIGITAL_POST, **filters).order_by("pk"))
