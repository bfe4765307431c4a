"""Locking a case locks the case's row only, never the round, municipality or association
joined to it: those rows are what every new application's foreign keys are checked against,
so a lock on them held off (and, under load, deadlocked with) every new application of the
round (issue 19's load test: 500s on "new application" while the journal hand-overs ran).
On PostgreSQL, where SELECT … FOR UPDATE locks (SQLite ignores it)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.handover import runner
from cases.models import Application, Handover
from cases.services.case_messages import message_send
from workflows import engine

from ..conftest import advance, on_postgres


def locking(queries: list[dict[str, Any]]) -> list[str]:
    return [q["sql"] for q in queries if re.search(r"\bFOR (NO KEY )?UPDATE\b", q["sql"])]


def only_the_case(statements: list[str]) -> bool:
    return bool(statements) and all(
        'FOR UPDATE OF "cases_application"' in sql
        or "FOR NO KEY UPDATE" in sql
        or " JOIN " not in sql
        for sql in statements
    )


@on_postgres
def test_a_journal_hand_over_locks_the_case_row_only(
    world: SimpleNamespace, draft: Application, journal_on: Path, monkeypatch: Any
) -> None:
    monkeypatch.setattr(runner, "_after_commit", lambda application_id: None)
    case = engine.perform(draft, "submit", user=world.anna)
    row = Handover.objects.filter(application=case).order_by("pk").first()
    assert row is not None
    with CaptureQueriesContext(connection) as captured:
        runner.hand_over(row.pk)
    assert only_the_case(locking(captured.captured_queries)), locking(captured.captured_queries)


@on_postgres
def test_a_case_message_locks_the_case_row_only(world: SimpleNamespace, draft: Application) -> None:
    case = advance(draft, world, "submitted")
    with CaptureQueriesContext(connection) as captured:
        message_send(application=case, acting_user=world.anna, body="Vi har et spørgsmål.")
    assert only_the_case(locking(captured.captured_queries)), locking(captured.captured_queries)
