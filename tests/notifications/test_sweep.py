"""sweep: delivers whatever is due and not yet done, in a fixed number of selection queries."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Application
from notifications import tasks
from notifications.channels import EmailChannel
from notifications.delivery import claim, deliver_notification, sweep_due
from notifications.models import Kind, Notification, Status
from notifications.services import notify
from tests.factories import UserFactory


def receipts(application: Application, n: int) -> list[Notification]:
    users = [UserFactory() for _ in range(n)]
    with transaction.atomic():
        return notify(
            kind=Kind.MESSAGE_RECEIVED,  # no attachment: the receipt's PDF costs queries of its own
            application=application,
            recipients=users,
            context={},
            legal=False,
        )


def not_due(application: Application, monkeypatch: pytest.MonkeyPatch) -> None:
    """One row of each kind the sweep must leave alone."""
    sent, failed, leased, given_up = receipts(application, 4)
    deliver_notification(sent.pk)
    with monkeypatch.context() as m:
        m.setattr(EmailChannel, "send", lambda self, n: 1 / 0)
        deliver_notification(failed.pk)  # failed, due again in a minute
    claim(leased.pk, timezone.now())  # a live worker holds it
    Notification.objects.filter(pk=given_up.pk).update(status=Status.GIVEN_UP)
    mail.outbox.clear()


def test_an_expired_lease_is_reclaimed_by_the_sweep_and_a_fresh_one_is_not(
    world: SimpleNamespace, submitted: Application
) -> None:
    (row,) = receipts(submitted, 1)
    start = timezone.now()
    assert claim(row.pk, start)  # the worker that took it was killed

    with time_machine.travel(start + timedelta(minutes=4, seconds=59), tick=False):
        assert tasks.sweep() == 0
    assert mail.outbox == []

    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        assert tasks.sweep() == 1
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 2)


@pytest.mark.parametrize("due", [2, 6])
def test_the_sweep_selects_in_one_query_and_delivers_in_process(
    world: SimpleNamespace,
    submitted: Application,
    monkeypatch: pytest.MonkeyPatch,
    queued: list[int],
    due: int,
) -> None:
    not_due(submitted, monkeypatch)
    rows = receipts(submitted, due)

    with CaptureQueriesContext(connection) as captured:
        assert tasks.sweep() == due

    # 1 selection (the due ids, oldest first), then per row: the claim UPDATE, reading
    # the row, the UPDATE to sent.
    assert len(captured) == 1 + 3 * due
    assert captured[0]["sql"].lstrip().upper().startswith("SELECT")
    assert sorted(e.to[0] for e in mail.outbox) == sorted(r.recipient_email for r in rows)
    assert queued == []  # delivered in process, nothing re-queued
    assert Notification.objects.filter(status=Status.SENT).count() == due + 1


def test_the_sweep_takes_a_bounded_batch_oldest_first(
    world: SimpleNamespace, submitted: Application, settings: Any
) -> None:
    settings.NOTIFICATIONS_SWEEP_BATCH = 2
    rows = receipts(submitted, 3)
    Notification.objects.filter(pk=rows[2].pk).update(
        next_attempt_at=timezone.now() - timedelta(hours=1)
    )

    assert sweep_due() == 2
    assert {e.to[0] for e in mail.outbox} == {rows[2].recipient_email, rows[0].recipient_email}
    assert sweep_due() == 1
    assert sweep_due() == 0
