"""Notification tests: the broker is replaced by a list of queued ids.

``queued`` records what ``deliver.delay`` would have published, so a test can
prove that nothing is queued before the commit, and deliver by hand.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from cases.models import Application
from notifications import services, tasks
from notifications.models import Notification, UserPreference

from ..conftest import advance


@pytest.fixture(autouse=True)
def queued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    ids: list[int] = []
    monkeypatch.setattr(tasks.deliver, "delay", ids.append)
    # A test of a failing broker pauses publishing in this process: not for the next test.
    monkeypatch.setattr(services, "_broker_down_until", 0.0)
    return ids


@pytest.fixture
def submitted(world: SimpleNamespace, draft: Application) -> Application:
    """anna's application, submitted through the flow, with an empty outbox.

    The flow itself notifies on submit (tests/notifications/test_flow_notifications.py);
    these tests exercise notify() and delivery on their own rows.
    """
    application = advance(draft, world, "submitted")
    Notification.objects.all().delete()
    return application


def prefer(user: Any, *, language: str = "da", muted: list[str] | None = None) -> None:
    UserPreference.objects.update_or_create(
        user=user, defaults={"language": language, "muted_kinds": muted or []}
    )
