"""End to end through a real Celery worker and Redis, on PostgreSQL: a rejection committed
in this process is printed, sent to the Digital Post folder and noticed by e-mail in the
worker (the pattern and fixtures of tests/notifications/test_worker_kills.py)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from cases.models import Application, DocumentKind
from notifications.models import Channel, Notification, Status
from tests.conftest import NO_HEARING, on_postgres
from tests.notifications.conftest_redis import (  # noqa: F401  (fixtures, registered by name)
    Cluster,
    celery_in_process_fixture,
    cluster_fixture,
    queued_fixture,
    wait_for,
)
from tests.workflows.support import S, reach
from workflows.engine import perform

from .conftest import messages

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("real_redis")]


def all_sent() -> bool:
    return not Notification.objects.exclude(status=Status.SENT).exists()


@on_postgres
def test_a_rejection_letter_goes_through_the_worker_to_the_folder_with_a_notice_email(
    cluster: Cluster, world: SimpleNamespace, draft: Application, digital_post: Path, settings: Any
) -> None:
    world.roskilde.cvr = "29189854"
    world.roskilde.save()
    cluster.worker(
        "w1",
        PULJEFLOW_DIGITAL_POST="folder",
        PULJEFLOW_DIGITAL_POST_DIR=str(settings.DIGITAL_POST_DIR),
    )
    submitted = reach(draft, world, S.SUBMITTED)

    rejected = perform(
        submitted, "reject", user=world.carl, reason="Ikke socialt arbejde.", **NO_HEARING
    )

    wait_for(all_sent, 60, f"every row to be sent ({cluster.directory})")
    post = Notification.objects.get(channel=Channel.DIGITAL_POST)
    (message,) = messages(digital_post)
    assert message.path.stem == str(post.memo_uuid)
    letter = rejected.documents.get(kind=DocumentKind.REJECTION)
    assert message.text("MessageHeader/label") == letter.title
    assert message.pdf.startswith(b"%PDF-")
    letter.refresh_from_db()
    assert letter.pdf  # printed by the worker: by its task or by the channel, once
    stored = Path(cluster.directory / "var" / "media" / letter.pdf.name).read_bytes()
    assert message.pdf == stored
    notices = [m for m in cluster.mail() if m["subject"].startswith("Brev i jeres Digital Post")]
    assert [m["to"] for m in notices] == [[world.anna.email]]
    assert rejected.case_number in notices[0]["subject"]
