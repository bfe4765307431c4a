"""A hand-over whose task cannot be queued (the broker down) waits for the sweep; the change
that scheduled it stands, and whoever made it sees no error (issue 19's load test)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from kombu.exceptions import OperationalError

from cases.handover import runner, tasks
from cases.models import Application, Handover, HandoverStatus
from workflows import engine


def test_a_submission_stands_while_the_broker_is_down_and_the_sweep_hands_it_over(
    world: SimpleNamespace,
    draft: Application,
    journal_on: Path,
    commit: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refused(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.journal_application, "delay", refused)
    case = commit(engine.perform, draft, "submit", user=world.anna)
    assert Application.objects.get(pk=case.pk).status == "submitted"
    rows = Handover.objects.filter(application=case)
    assert rows and {r.status for r in rows} == {HandoverStatus.PENDING}
    monkeypatch.undo()
    # The case, then the documents handing it over made due (runner.catch_up).
    tried = runner.sweep_due()
    rows = Handover.objects.filter(application=case)
    assert tried == rows.count() > 1
    assert {r.status for r in rows} == {HandoverStatus.DONE}
