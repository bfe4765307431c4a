"""deliver: claim by one conditional UPDATE, send once, retry with backoff, give up."""

from __future__ import annotations

import threading
from datetime import timedelta
from smtplib import SMTPServerDisconnected
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from cases.models import Application
from notifications.channels import EmailChannel
from notifications.delivery import backoff, claim, deliver_notification
from notifications.models import Kind, Notification, Status
from notifications.services import notify
from notifications.tasks import deliver

from ..conftest import on_postgres
from .conftest import prefer


def receipt_for(application: Application, *users: Any) -> list[Notification]:
    with transaction.atomic():
        return notify(
            kind=Kind.APPLICATION_SUBMITTED,
            application=application,
            recipients=list(users),
            context={},
            legal=False,
        )


def reload(row: Notification) -> Notification:
    return Notification.objects.get(pk=row.pk)


def failing(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    def send(self: EmailChannel, notification: Notification) -> None:
        raise error

    monkeypatch.setattr(EmailChannel, "send", send)


def test_deliver_sends_one_email_to_the_recipient_in_their_language(
    world: SimpleNamespace, submitted: Application
) -> None:
    prefer(world.anna, language="en")
    (row,) = receipt_for(submitted, world.anna)

    deliver(row.pk)  # the task, run in-process

    (email,) = mail.outbox
    assert email.to == ["anna@example.org"]
    assert email.subject == f"Receipt: we have received application {submitted.case_number}"
    assert "Dear Anna," in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html" and '<html lang="en">' in html
    message = email.message()
    assert message["Message-ID"] == row.message_id
    assert message["Auto-Submitted"] == "auto-generated"
    row = reload(row)
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 1, "")
    assert row.sent_at is not None


def test_delivering_twice_sends_once(world: SimpleNamespace, submitted: Application) -> None:
    (row,) = receipt_for(submitted, world.anna)

    assert deliver_notification(row.pk) == Status.SENT
    assert deliver_notification(row.pk) is None  # not due: the claim updates 0 rows

    assert len(mail.outbox) == 1
    assert reload(row).attempts == 1


def test_a_failing_channel_backs_off_then_gives_up(
    world: SimpleNamespace, submitted: Application, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    failing(monkeypatch, SMTPServerDisconnected("421 try again later"))
    (row,) = receipt_for(submitted, world.anna)
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        assert deliver_notification(row.pk) == Status.FAILED
        row = reload(row)
        assert (row.attempts, row.next_attempt_at) == (1, start + timedelta(minutes=1))
        assert row.last_error == "SMTPServerDisconnected: 421 try again later"
        assert deliver_notification(row.pk) is None  # not due before the backoff ends

    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        assert deliver_notification(row.pk) == Status.FAILED
        row = reload(row)
        assert (row.attempts, row.next_attempt_at) == (2, start + timedelta(minutes=3))

    with time_machine.travel(start + timedelta(minutes=3), tick=False):
        assert deliver_notification(row.pk) == Status.GIVEN_UP

    with time_machine.travel(start + timedelta(days=1), tick=False):
        assert deliver_notification(row.pk) is None  # given up stays given up
    row = reload(row)
    assert (row.status, row.attempts) == (Status.GIVEN_UP, 3)
    assert mail.outbox == []


def test_the_backoff_doubles_up_to_its_cap(settings: Any) -> None:
    settings.NOTIFICATIONS_BACKOFF_CAP_MINUTES = 60
    assert [backoff(n) // timedelta(minutes=1) for n in range(1, 10)] == [
        1,
        2,
        4,
        8,
        16,
        32,
        60,
        60,
        60,
    ]


def test_a_second_copy_carries_the_same_message_id(
    world: SimpleNamespace, submitted: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The connection drops after the server took the message: it goes out again."""
    (row,) = receipt_for(submitted, world.anna)
    send = EmailChannel.send

    def sends_then_fails(self: EmailChannel, notification: Notification) -> None:
        send(self, notification)
        raise SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(EmailChannel, "send", sends_then_fails)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert deliver_notification(row.pk) == Status.FAILED
    monkeypatch.undo()
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        assert deliver_notification(row.pk) == Status.SENT

    first, second = (email.message()["Message-ID"] for email in mail.outbox)
    assert first == second == row.message_id


def test_a_row_whose_workers_keep_dying_is_given_up_without_sending(
    world: SimpleNamespace, submitted: Application, settings: Any
) -> None:
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    (row,) = receipt_for(submitted, world.anna)
    start = timezone.now()
    for n in range(2):  # claimed, then the worker is killed before it records anything
        assert claim(row.pk, start + n * timedelta(minutes=6))

    with time_machine.travel(start + timedelta(minutes=12), tick=False):
        assert deliver_notification(row.pk) == Status.GIVEN_UP
    assert mail.outbox == []
    assert reload(row).attempts == 3


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_racing_workers_send_each_row_once(world: SimpleNamespace, submitted: Application) -> None:
    users = [world.anna, world.bo, world.carl, world.erik, world.frida]
    rows = receipt_for(submitted, *users) + receipt_for(submitted, *users)
    workers = 4
    outcomes: list[str | None] = []
    errors: list[BaseException] = []

    def race(pk: int, start: threading.Barrier) -> None:
        try:
            start.wait()
            outcomes.append(deliver_notification(pk))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    for row in rows:
        start = threading.Barrier(workers)
        threads = [threading.Thread(target=race, args=(row.pk, start)) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert errors == []
    assert outcomes.count(Status.SENT) == len(rows)
    assert outcomes.count(None) == len(rows) * (workers - 1)
    assert sorted(e.message()["Message-ID"] for e in mail.outbox) == sorted(
        r.message_id for r in rows
    )
    assert set(Notification.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}
