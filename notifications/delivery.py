"""Delivering outbox rows: claim with one conditional UPDATE, send, record the outcome.

A row is *due* while it is undelivered (pending, failed or sending) and its
``next_attempt_at`` has passed; for a sending row that moment is the end of its
lease, so a row whose worker died is due again once the lease runs out. Claiming
is a single ``UPDATE ... WHERE <due>``: of any number of workers racing for a row,
exactly one changes it, and the rest see 0 rows and stop. Running a delivery
twice therefore sends once.

The one window in which a copy can go out twice: the mail server has accepted the
message and the outcome is not yet recorded. The worker dies before the UPDATE
that records it (the lease runs out and the sweep sends it again), or the
connection breaks before the server's acceptance reaches us (a failed attempt,
retried). Every copy carries the row's Message-ID. The window is the SMTP
goodbye and one UPDATE long. Keep the lease above the tasks' hard time limits
(``tasks.py``), so a slow but live send is never taken over. docs/notifications.md
has the figures.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, QuerySet
from django.utils import timezone

from notifications.channels import channel_for
from notifications.models import UNDELIVERED, Notification, Status

logger = logging.getLogger("puljeflow.notifications")


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def lease() -> timedelta:
    return timedelta(seconds=_setting("NOTIFICATIONS_LEASE_SECONDS", 300))


def max_attempts() -> int:
    return _setting("NOTIFICATIONS_MAX_ATTEMPTS", 8)


def backoff(attempts: int) -> timedelta:
    """Wait after the n-th failed attempt: 1, 2, 4, … minutes, capped."""
    cap = _setting("NOTIFICATIONS_BACKOFF_CAP_MINUTES", 60)
    return timedelta(minutes=min(2 ** min(max(attempts - 1, 0), 20), cap))


def due(now: datetime) -> QuerySet[Notification]:
    """Rows due and not yet done: the whole definition, shared by claim and sweep."""
    return Notification.objects.filter(status__in=UNDELIVERED, next_attempt_at__lte=now)


def claim(notification_id: int, now: datetime) -> bool:
    """Take the row for one attempt, if it is due; True if this caller got it."""
    return bool(
        due(now)
        .filter(pk=notification_id)
        .update(
            status=Status.SENDING,
            claimed_at=now,
            next_attempt_at=now + lease(),
            attempts=F("attempts") + 1,
        )
    )


def deliver_notification(notification_id: int) -> str | None:
    """One delivery attempt; the row's status afterwards, or None if it was not due."""
    now = timezone.now()
    if not claim(notification_id, now):
        return None
    notification = Notification.objects.get(pk=notification_id)
    # Only the holder of this claim may record a failure: after a lost lease the
    # row belongs to whoever claimed it since.
    mine = Notification.objects.filter(pk=notification_id, status=Status.SENDING, claimed_at=now)
    if notification.attempts > max_attempts():
        # Reached only through expired leases: workers kept dying while sending it.
        mine.update(status=Status.GIVEN_UP, last_error="The worker stopped during every attempt.")
        logger.error("notification %s given up: workers lost", notification_id)
        return Status.GIVEN_UP
    try:
        channel_for(notification).send(notification)
    except Exception as error:
        return _record_failure(mine, notification, error)
    # A sent message is sent, whoever holds the lease now.
    Notification.objects.filter(pk=notification_id, status=Status.SENDING).update(
        status=Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return Status.SENT


def _record_failure(
    mine: QuerySet[Notification], notification: Notification, error: Exception
) -> str:
    message = f"{type(error).__name__}: {error}"[:2000]
    if notification.attempts >= max_attempts():
        mine.update(status=Status.GIVEN_UP, last_error=message)
        logger.error(
            "notification %s given up after %s attempts: %s",
            notification.pk,
            notification.attempts,
            message,
        )
        return Status.GIVEN_UP
    mine.update(
        status=Status.FAILED,
        last_error=message,
        next_attempt_at=timezone.now() + backoff(notification.attempts),
    )
    logger.warning(
        "notification %s attempt %s failed: %s", notification.pk, notification.attempts, message
    )
    return Status.FAILED


def sweep_due(batch: int | None = None, budget: float | None = None) -> int:
    """Deliver what is due and not yet done, oldest first; returns how many were tried.

    One query selects the batch (through the partial index on ``next_attempt_at``);
    each row then costs its own delivery, claim included, so a row delivered
    meanwhile by its own task is skipped, not sent again. No row is started once
    ``budget`` seconds have passed (``NOTIFICATIONS_SWEEP_BUDGET_SECONDS``): a run
    then ends within the budget plus one delivery, which the broker's visibility
    timeout is set above; the rest waits for the next sweep, still due.
    """
    size = batch or _setting("NOTIFICATIONS_SWEEP_BATCH", 200)
    seconds = budget if budget is not None else _setting("NOTIFICATIONS_SWEEP_BUDGET_SECONDS", 10)
    started = time.monotonic()
    now = timezone.now()
    ids = list(due(now).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:size])
    for tried, notification_id in enumerate(ids):
        if time.monotonic() - started >= seconds:
            logger.warning(
                "sweep stopped after %s s with %s of %s due rows left for the next sweep",
                seconds,
                len(ids) - tried,
                len(ids),
            )
            return tried
        deliver_notification(notification_id)
    return len(ids)
