"""Requests for access to documents: the case officers are reminded two working days before
the deadline and on the day itself, each once, and not after the decision."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import AccessRequest, Application, Role
from cases.services import access_requests as service
from notifications.models import Kind, Notification
from notifications.reminders.engine import run_reminders
from notifications.reminders.rules.access import AccessRequestDue
from workflows import engine
from workflows.access_request import AccessRequestFlow

from ..factories import UserFactory, give_role

TZ = timezone.get_current_timezone()


def run(*args: int) -> int:
    with time_machine.travel(datetime.datetime(*args, tzinfo=TZ), tick=False):  # type: ignore[misc]
        return run_reminders()["access_deadline"]


@pytest.fixture
def access_request(world: SimpleNamespace, draft: Application) -> AccessRequest:
    """Received Monday 22 December 2025; due Wednesday 7 January 2026 (Roskilde keeps
    24 and 31 December closed), so reminded on Monday 5 January and on the 7th."""
    case = engine.perform(draft, "submit", user=world.anna)
    give_role(UserFactory(username="karen"), world.roskilde, Role.CASE_OFFICER)
    request = service.access_request_register(
        municipality=world.roskilde,
        acting_user=world.carl,
        requester_name="Jens Journalist",
        received_on=datetime.date(2025, 12, 22),
        scope="cases",
        text="Sagens dokumenter",
        applications=[case],
    )
    assert request.deadline == datetime.date(2026, 1, 7)
    return request


def recipients() -> list[str]:
    rows = Notification.objects.filter(kind=Kind.ACCESS_DEADLINE)
    return sorted(r.recipient.username for r in rows.select_related("recipient"))


def test_the_case_officers_are_reminded_before_and_on_the_deadline_once_each(
    world: SimpleNamespace, access_request: AccessRequest
) -> None:
    assert run(2026, 1, 2, 9) == 0  # three working days before: nothing yet
    assert run(2026, 1, 5, 8) == 2  # carl and karen, not helle of Næstved
    assert recipients() == ["carl", "karen"]
    assert run(2026, 1, 5, 14) == 0
    assert run(2026, 1, 6, 8) == 0
    assert run(2026, 1, 7, 8) == 2  # the day itself
    assert run(2026, 1, 7, 15) == 0
    assert run(2026, 1, 9, 8) == 0  # overdue, but each reminder is sent once
    assert recipients() == ["carl", "carl", "karen", "karen"]
    body = Notification.objects.filter(recipient=world.carl).order_by("pk").last()
    assert body is not None and "Jens Journalist" in body.body_text
    assert "i dag" in body.body_text or "today" in body.body_text


def test_an_extension_brings_reminders_of_its_own(
    world: SimpleNamespace, access_request: AccessRequest
) -> None:
    assert run(2026, 1, 5, 8) == 2
    with time_machine.travel(datetime.datetime(2026, 1, 6, 9, tzinfo=TZ), tick=False):
        engine.take(
            AccessRequestFlow,
            access_request,
            "access_extend",
            user=world.carl,
            until=datetime.date(2026, 1, 20),
            reason="Mange dokumenter",
        )
    assert run(2026, 1, 7, 8) == 0  # the old deadline no longer counts
    assert run(2026, 1, 16, 8) == 2  # two working days before the 20th
    assert run(2026, 1, 20, 8) == 2


def test_a_decided_request_is_not_reminded(
    world: SimpleNamespace, access_request: AccessRequest
) -> None:
    engine.take(
        AccessRequestFlow, access_request, "access_decide", user=world.carl, decision="full"
    )

    assert run(2026, 1, 5, 8) == 0
    assert run(2026, 1, 7, 8) == 0


@pytest.mark.parametrize("extra", [0, 3])
def test_the_rule_costs_the_same_queries_for_one_or_many_requests(
    world: SimpleNamespace, access_request: AccessRequest, extra: int
) -> None:
    for _ in range(extra):
        service.access_request_register(
            municipality=world.roskilde,
            acting_user=world.carl,
            requester_name="Endnu en",
            received_on=datetime.date(2025, 12, 22),
            scope="cases",
            text="Sagens dokumenter",
            applications=list(access_request.applications.all()),
        )
    rule = AccessRequestDue()
    now = datetime.datetime(2026, 1, 5, 8, tzinfo=TZ)
    # due: the undecided requests (with their municipality), the case officers, the keys
    # sent (3); messages: the requests, the case officers (2).
    with CaptureQueriesContext(connection) as queries:
        keys = rule.due(now)
        messages = rule.messages(keys, now)
    assert len(keys) == len(messages) == 2 * (1 + extra)
    assert len(queries) == 3 + 2
