"""The reminder sweep as a Celery task, run by beat (``CELERY_BEAT_SCHEDULE``).

Registered as ``notifications.tasks.remind`` (``tasks.py`` imports it). It takes no
ids because it has no object of its own: every run evaluates all rules for what is
due and not yet done, so a tick lost while the broker was down, a run repeated after
a killed worker, or two runs at once all end with each reminder sent once (see
``reminders/``).

A run is bounded like the other tasks, so the Redis visibility timeout still exceeds
the longest task: it starts no new batch after ``NOTIFICATIONS_REMIND_BUDGET_SECONDS``
and, if work is left (a backlog after a long outage), queues the next run at once
rather than waiting for the next tick.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from notifications.reminders.engine import run_reminders

BUDGET = float(getattr(settings, "NOTIFICATIONS_REMIND_BUDGET_SECONDS", 15))
MARGIN = int(getattr(settings, "NOTIFICATIONS_HARD_LIMIT_MARGIN", 5))
# One batch (a fixed handful of queries and ≤ 1000 renderings) takes seconds: ten more
# than the budget, and never a hard limit above the longest task the broker allows for.
SOFT_TIME_LIMIT = min(
    BUDGET + 10, float(getattr(settings, "PULJEFLOW_LONGEST_TASK_SECONDS", 35)) - MARGIN
)


@shared_task(
    name="notifications.tasks.remind",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=SOFT_TIME_LIMIT + MARGIN,
)
def remind() -> dict[str, int]:
    result = run_reminders(budget=BUDGET)
    if not result.finished:
        remind.delay()
    return dict(result)
