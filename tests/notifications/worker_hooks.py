"""Test-only hooks for the Celery processes that test_worker_kills.py starts.

Workers load it with ``celery -A config worker --include tests.notifications.worker_hooks``;
beat runs it as its app (``celery -A tests.notifications.worker_hooks beat``), for the
reminder interval below. Nothing here is imported by Puljeflow itself.

- ``worker_ready`` writes ``ready-<hostname>`` (the main process's pid) into
  ``PULJEFLOW_TEST_CONTROL_DIR``, so the test knows when a worker consumes.
- ``task_prerun`` is the kill point ``before_claim``: in the pool process, after the
  worker took the message, before ``deliver`` has touched the row.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from celery.signals import task_prerun, worker_ready

from config.celery import app
from tests.notifications.backends import kill_point

__all__ = ["app"]


@worker_ready.connect
def _announce_ready(sender: Any = None, **kwargs: Any) -> None:
    control = Path(os.environ["PULJEFLOW_TEST_CONTROL_DIR"])
    hostname = getattr(sender, "hostname", "worker")
    (control / f"ready-{hostname}.tmp").write_text(str(os.getpid()))
    (control / f"ready-{hostname}.tmp").rename(control / f"ready-{hostname}")


@task_prerun.connect
def _before_claim(task: Any = None, **kwargs: Any) -> None:
    if task is not None and task.name == "notifications.tasks.deliver":
        kill_point("before_claim")
