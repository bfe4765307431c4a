"""Celery tasks: each takes ids, calls one function, and is safe to run twice.

``deliver`` is queued by ``services.notify`` after commit. ``sweep`` runs from
beat and delivers *in its own process* whatever is due and not yet done, rather
than re-queuing it: the rows it finds are exactly those the broker path failed
(broker down at commit, a filesystem-broker message lost with a killed worker),
so depending on that path again would be circular, and re-queuing a backlog on
every tick would pile up duplicate messages. The batch limit bounds one run;
overlapping runs are harmless because every row is claimed.
"""

from __future__ import annotations

from celery import shared_task

from .delivery import deliver_notification, sweep_due


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver(notification_id: int) -> None:
    deliver_notification(notification_id)


@shared_task(ignore_result=True)
def sweep() -> int:
    return sweep_due()
