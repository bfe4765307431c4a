"""Receipts written by the folder's other side come back into the outbox: a failed delivery
gives the row up with the reason; a delivery leaves it sent; each receipt is read once."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction

from cases.models import Application
from notifications.delivery import deliver_notification
from notifications.digital_post.receipts import read_receipts
from notifications.models import Kind, Notification, Status
from notifications.services import notify
from notifications.tasks import read_digital_post_receipts
from tests.workflows.support import S, reach

from .conftest import digital_post_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(world: SimpleNamespace, draft: Application, digital_post: Path) -> Notification:
    submitted = reach(draft, world, S.SUBMITTED)
    with transaction.atomic():
        notify(
            kind=Kind.INFO_REQUESTED,
            application=submitted,
            recipients=[world.anna],
            context={"question": "Hvor mange frivillige har I?"},
            legal=True,
        )
    (row,) = digital_post_rows()
    assert deliver_notification(row.pk) == Status.SENT
    return row


def receipt(digital_post: Path, name: str, content: Any) -> Path:
    folder = digital_post.parent / "receipts"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def test_a_failed_delivery_gives_the_row_up_with_the_reason(
    sent: Notification, digital_post: Path
) -> None:
    path = receipt(
        digital_post, str(sent.memo_uuid), {"status": "failed", "reason": "Modtager er fritaget"}
    )

    assert read_digital_post_receipts() == 1

    sent.refresh_from_db()
    assert sent.status == Status.GIVEN_UP
    assert sent.last_error == "Digital Post could not deliver the message: Modtager er fritaget"
    assert not path.exists() and (path.parent / "done" / path.name).exists()
    assert read_receipts() == 0  # read once


def test_a_delivery_leaves_the_row_sent(sent: Notification, digital_post: Path) -> None:
    path = receipt(digital_post, str(sent.memo_uuid), {"status": "delivered"})

    assert read_receipts() == 0

    sent.refresh_from_db()
    assert (sent.status, sent.last_error) == (Status.SENT, "")
    assert (path.parent / "done" / path.name).exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("not-a-uuid", {"status": "failed"}),
        (None, "{not json"),
        (None, {"status": "lost"}),
        (None, ["failed"]),
    ],
)
def test_a_receipt_that_cannot_be_read_is_set_aside_and_changes_nothing(
    sent: Notification, digital_post: Path, name: str | None, content: Any
) -> None:
    path = receipt(digital_post, name or str(sent.memo_uuid), content)

    assert read_receipts() == 0

    sent.refresh_from_db()
    assert sent.status == Status.SENT
    assert (path.parent / "rejected" / path.name).exists()


def test_beat_reads_the_receipts_when_the_folder_sender_is_on() -> None:
    assert settings.CELERY_BEAT_SCHEDULE["digital-post-receipts"]["task"] == (
        "notifications.tasks.read_digital_post_receipts"
    )
