"""Celery tasks: each takes ids, calls one function, and is safe to run twice.

``deliver`` is queued by ``services.notify`` after commit. ``sweep`` runs from
beat and delivers *in its own process* whatever is due and not yet done, rather
than re-queuing it: the rows it finds are exactly those the broker path failed
(broker down at commit, a filesystem-broker message lost with a killed worker),
so depending on that path again would be circular, and re-queuing a backlog on
every tick would pile up duplicate messages. The batch limit bounds one run;
overlapping runs are harmless because every row is claimed.

Every run is bounded (soft and hard time limits below, the sweep also by its time
budget), so the Redis visibility timeout can exceed the longest run; no task is
ever queued with a countdown or ETA, whose message Redis would hand to a second
worker once the visibility timeout passed. See docs/notifications.md.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from notifications.delivery import deliver_notification, sweep_due

DELIVER_SOFT_TIME_LIMIT = settings.NOTIFICATIONS_DELIVER_SOFT_TIME_LIMIT
SWEEP_SOFT_TIME_LIMIT = settings.NOTIFICATIONS_SWEEP_BUDGET_SECONDS + DELIVER_SOFT_TIME_LIMIT
MARGIN = settings.NOTIFICATIONS_HARD_LIMIT_MARGIN


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    soft_time_limit=DELIVER_SOFT_TIME_LIMIT,
    time_limit=DELIVER_SOFT_TIME_LIMIT + MARGIN,
)
def deliver(notification_id: int) -> None:
    deliver_notification(notification_id)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    soft_time_limit=SWEEP_SOFT_TIME_LIMIT,
    time_limit=SWEEP_SOFT_TIME_LIMIT + MARGIN,
)
def sweep() -> int:
    return sweep_due()


@shared_task(ignore_result=True)
def read_digital_post_receipts() -> int:
    """Issue 18: the folder sender's receipts (notifications/digital_post/receipts.py)."""
    from notifications.digital_post.receipts import read_receipts

    return read_receipts()


from notifications.reminder_tasks import remind  # noqa: E402, F401  (beat runs it as notifications.tasks.remind)
