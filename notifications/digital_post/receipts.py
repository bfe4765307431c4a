"""Receipts from the folder's other side: what became of a message after it was handed over.

Whatever collects ``<dir>/out`` (a gateway to the municipality's Digital Post access) may
write one receipt per message as ``<dir>/receipts/<MessageUUID>.json``:
``{"status": "delivered"}`` or ``{"status": "failed", "reason": "…"}``. Beat reads them
(``read_receipts``, every ``PULJEFLOW_DIGITAL_POST_RECEIPT_SECONDS``): a failure turns the
sent row into a given-up one with the reason, so the case page and the delivery status
screen show that the letter did not arrive; a delivery leaves the row sent. Each receipt is
then moved to ``receipts/done/`` (or ``receipts/rejected/`` if it cannot be read), so a
second run reads nothing twice, and a row already given up is left as it is.
"""

from __future__ import annotations

import json
import logging
import uuid
from pathlib import Path

from notifications.digital_post.senders import folder
from notifications.models import Channel, Notification, Status

logger = logging.getLogger("puljeflow.notifications")


def _file_away(path: Path, where: str) -> None:
    target = path.parent / where
    target.mkdir(exist_ok=True)
    path.replace(target / path.name)


def read_receipts(directory: Path | None = None) -> int:
    """Apply every receipt waiting in the folder; returns how many rows a failure changed."""
    receipts = (directory or folder()) / "receipts"
    failed = 0
    for path in sorted(receipts.glob("*.json")) if receipts.is_dir() else []:
        try:
            message_uuid = uuid.UUID(path.stem)
            receipt = json.loads(path.read_text(encoding="utf-8"))
            status = receipt["status"]
            if status not in ("delivered", "failed"):
                raise ValueError(f"unknown status {status!r}")
        except (ValueError, KeyError, TypeError, OSError) as error:
            logger.warning("Digital Post receipt %s not understood: %s", path.name, error)
            _file_away(path, "rejected")
            continue
        if status == "failed":
            reason = str(receipt.get("reason") or "no reason given")
            failed += Notification.objects.filter(
                memo_uuid=message_uuid, channel=Channel.DIGITAL_POST, status=Status.SENT
            ).update(
                status=Status.GIVEN_UP,
                last_error=f"Digital Post could not deliver the message: {reason}"[:2000],
            )
        _file_away(path, "done")
    return failed
