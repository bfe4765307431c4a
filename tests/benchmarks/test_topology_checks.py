"""The load test's checks after a run (benchmarks/topology_checks.py) find what they look for.

Small: a few cases of the named cast, the outbox delivered through the file-based e-mail
backend as the load test's topology delivers it. On SQLite and on PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import transaction

from benchmarks.topology_checks import double_transitions, mail_check, message_ids_in
from cases.trail.models import TransitionRecord
from notifications.delivery import sweep_due
from notifications.models import Kind, Notification, Status
from notifications.services import notify

from ..conftest import advance

pytestmark = pytest.mark.django_db

# What Django's file-based e-mail backend writes after each message.
SEPARATOR = "-" * 79


@pytest.fixture
def sink(settings: Any, tmp_path: Path) -> Path:
    folder = tmp_path / "mail"
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(folder)
    return folder


def written(world: SimpleNamespace, draft: Any) -> list[Notification]:
    with transaction.atomic():
        return notify(
            kind=Kind.APPLICATION_SUBMITTED,
            application=draft,
            recipients=[world.anna, world.bo],
            context={},
            legal=False,
        )


def test_a_delivered_outbox_is_exactly_once(world: SimpleNamespace, draft: Any, sink: Path) -> None:
    rows = written(world, draft)
    assert sweep_due() == len(rows)
    found = mail_check(sink)
    assert found["email_rows"] == 2 and found["messages_in_sink"] == 2
    assert found["exactly_once"], found
    assert set(message_ids_in(sink)) == {row.message_id for row in rows}


def test_it_finds_a_row_left_in_the_outbox(world: SimpleNamespace, draft: Any, sink: Path) -> None:
    written(world, draft)
    found = mail_check(sink)  # nothing swept yet
    assert found["undelivered"] == 2 and not found["exactly_once"]
    assert found["by_status"] == {Status.PENDING: 2}


def test_it_finds_a_second_copy(world: SimpleNamespace, draft: Any, sink: Path) -> None:
    written(world, draft)
    sweep_due()
    first = sorted(sink.glob("*.log"))[0]
    # A second copy of one message. Not the whole file: two connections opened within one
    # second can write to one file (the backend names it by the second and the id() of
    # the connection, which Python may hand out again), and the copy would hold both.
    one = first.read_text().split(SEPARATOR)[0]
    (sink / "copy.log").write_text(one + SEPARATOR + "\n")
    found = mail_check(sink)
    assert len(found["delivered_twice"]) == 1 and not found["exactly_once"]


def test_it_finds_a_row_recorded_sent_but_never_sent(
    world: SimpleNamespace, draft: Any, sink: Path
) -> None:
    rows = written(world, draft)
    Notification.objects.filter(pk=rows[0].pk).update(status=Status.SENT)
    sweep_due()
    found = mail_check(sink)
    assert found["lost"] == [rows[0].message_id] and not found["exactly_once"]


def test_a_straight_life_has_no_double_transition(world: SimpleNamespace, draft: Any) -> None:
    advance(draft, world, "recommended")
    found = double_transitions()
    assert found["records"] == 3
    assert found["none"], found


def test_it_finds_a_second_transition_from_a_state_already_left(
    world: SimpleNamespace, draft: Any
) -> None:
    application = advance(draft, world, "in_council_review")
    last = TransitionRecord.objects.filter(application=application).order_by("-seq").first()
    assert last is not None and last.from_state == "submitted"
    # What a lost update would leave: another accept from "submitted", after the first.
    twin = TransitionRecord.objects.get(pk=last.pk)
    twin.pk = None
    twin.seq = last.seq + 1
    twin.hash = "f" * 64
    twin.save()
    found = double_transitions()
    assert not found["none"]
    assert found["from_a_state_already_left"] == [
        [application.pk, last.flow, last.seq + 1, last.transition, "submitted", "in_council_review"]
    ]


def test_events_between_transitions_are_not_transitions(world: SimpleNamespace, draft: Any) -> None:
    """A hand-over records the case's state as an event (from = to); a later transition
    starts from another state than the event's, and that is no double transition."""
    application = advance(draft, world, "submitted")
    first = TransitionRecord.objects.get(application=application, seq=1)
    event = TransitionRecord.objects.get(pk=first.pk)
    event.pk = None
    event.seq = 2
    event.flow, event.transition = "handover", "journal_case"
    event.from_state = event.to_state = "submitted"
    event.hash = "e" * 64
    event.save()
    advance(application, world, "in_council_review")
    assert double_transitions()["none"]
