"""The reminder engine: the sweep that sends what the rules (``rules/``) have due,
each reminder exactly once.

Exactly once. Each due reminder has a key, (rule, object, due date, recipient),
under a UNIQUE constraint (``models.Reminder``). A run inserts a batch of keys
with INSERT … ON CONFLICT DO NOTHING, whose RETURNING hands back the keys it
inserted — the keys it won (on SQLite: INSERT OR IGNORE, each row tagged with the
run's own id, and the rows carrying that id read back) — and writes the
notifications for those only, in the same transaction. A concurrent run inserting
the same key waits for the first one's transaction and then inserts nothing
(PostgreSQL), or waits for SQLite's write lock and then finds the row; a run that
dies rolls its keys back together with its notifications. Keys are inserted in one
global order, so two runs never lock each other's keys crosswise.

Cost. Each rule finds what it has due in a query or two (see ``rules``). Then each
batch of ``NOTIFICATIONS_REMINDER_BATCH`` reminders costs a fixed handful of
queries: the insert (and on SQLite reading it back), the rule's ``mark_sent`` (one
UPDATE for the overdue-report rule, none for the others), the objects and their
recipients (the rule's ``messages``), the recipients' preferences, and the
notifications (on PostgreSQL their ids, then one COPY; ``notifications.rows``).
Nothing is queried per application. Nor rendered: the messages of a rule are
rendered by one ``rendering.BatchRenderer``, which renders each template once per
kind, language and shape and fills the per-message strings in.
"""

from __future__ import annotations

import gc
import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from notifications import rows
from notifications.models import Channel, Notification, Reminder
from notifications.services import enqueue_on_commit, notification_values, preferences_of

from .rendering import BatchRenderer
from .rules import RULES
from .rules.base import Key, Message, Rule, int_setting

logger = logging.getLogger("puljeflow.notifications")


def claim(rule: Rule, keys: list[Key], now: datetime) -> list[Key]:
    """Insert the keys; return those this call inserted (the others existed already)."""
    run = uuid.uuid4()
    new = [
        {
            "rule": rule.name,
            "object_kind": rule.object_kind,
            "object_id": k.object_id,
            "due_on": k.due_on,
            "recipient_key": k.recipient_key,
            "run": run,
            "created_at": now,
        }
        for k in keys
    ]
    if rows.returns_inserted():  # the keys won come back from the INSERT itself
        won = rows.insert(
            Reminder,
            new,
            returning=("object_id", "due_on", "recipient_key"),
            ignore_conflicts=True,
        )
    else:
        Reminder.objects.bulk_create([Reminder(**row) for row in new], ignore_conflicts=True)
        won = list(
            rule.sent(object_id__in={k.object_id for k in keys}, run=run).values_list(
                "object_id", "due_on", "recipient_key"
            )
        )
    return sorted(Key(*row) for row in won)


def write_notifications(
    messages: list[Message], now: datetime, renderer: BatchRenderer | None = None
) -> int:
    """Write the notifications (built as ``services.notify`` builds them, inserted in
    one statement without model instances: ``notifications.rows``) and queue their
    delivery for after the commit. Reminders are not legal notices: a user who has
    switched a kind off gets nothing of it — except a message the rule marks ``legal``
    (the notice before a draft is deleted)."""
    preferences = preferences_of(m.user for m in messages if m.user is not None)
    renderer = renderer or BatchRenderer()
    new = []
    for message in messages:
        values = notification_values(
            kind=message.kind,
            user=message.user,
            email=message.email,
            preference=preferences.get(message.user.pk) if message.user is not None else None,
            application=message.application,
            context=message.context,
            legal=message.legal,
            now=now,
            renderer=renderer.render,
        )
        if values is not None:
            new.append(values)
    # Notification is not a domain model with history: a bulk insert is allowed.
    ids = rows.insert(Notification, new, returning=("id",))
    for values, (pk,) in zip(new, ids, strict=True):
        if values["channel"] == Channel.EMAIL:
            enqueue_on_commit(pk)
    return len(new)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for one batch, back on after it.

    A batch makes some 10^5 objects (the cases read, the messages, their contexts and
    texts) that all live until the batch ends; the collector would walk them again and
    again as they are made, for nothing: measured at 100,000 open applications, ~15% of a
    cold sweep (docs/benchmarks.md). Reference counting still frees what it can, and what
    only the collector can free is collected once the batch is over."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


class RunResult(dict[str, int]):
    """Reminders sent per rule; ``finished`` is False when the time budget ran out
    before every rule was through (the next run carries on where this one stopped)."""

    finished: bool = True


def run_rule(rule: Rule, now: datetime, stop_at: float | None = None) -> tuple[int, bool]:
    """Send what ``rule`` has due, in batches; starts no batch after ``stop_at``
    (``time.monotonic()``). Returns how many reminders this run sent, and whether it
    got through them all."""
    keys = sorted(rule.due(now))
    size = int_setting("NOTIFICATIONS_REMINDER_BATCH", 1000)
    renderer = BatchRenderer()  # its skeletons serve every batch of the rule
    sent = 0
    for start in range(0, len(keys), size):
        if stop_at is not None and time.monotonic() >= stop_at:
            return sent, False
        with collector_paused(), transaction.atomic():
            batch = keys[start : start + size]
            won = claim(rule, batch, now)
            rule.mark_sent(batch)
            if won:
                write_notifications(rule.messages(won, now), now, renderer)
            sent += len(won)
    return sent, True


def run_reminders(now: datetime | None = None, *, budget: float | None = None) -> RunResult:
    """Evaluate every rule (``rules.RULES``) and send what is due; returns the reminders
    sent per rule. Beat runs it (``notifications.tasks.remind``).

    ``budget`` (seconds) bounds a run from beat: no new batch is started after it. A
    failing rule is logged and does not keep the others from running; the error is
    raised at the end so that the task is recorded as failed.
    """
    now = now or timezone.now()
    stop_at = time.monotonic() + budget if budget is not None else None
    result = RunResult()
    first_error: Exception | None = None
    for rule in RULES:
        try:
            result[rule.name], done = run_rule(rule, now, stop_at)
        except Exception as error:
            logger.exception("reminder rule %s failed", rule.name)
            first_error = first_error or error
            continue
        if not done:
            result.finished = False
            break
    if first_error is not None:
        raise first_error
    return result
