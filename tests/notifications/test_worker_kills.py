"""Delivery with a real Redis and real Celery worker processes, killed with SIGKILL.

The tests that start processes run on PostgreSQL (the workers are separate
processes sharing the test database) with a private ``redis-server``; see
``conftest_redis.py``. The
processes get short figures (lease 3 s, visibility timeout 4 s, restore scan every
1 s, sweep every 1 s) so that what takes minutes in production takes seconds here.

Every e-mail the workers send is a line in a JSONL mailbox (``backends.py``), so a
test counts copies, not rows. A second copy is expected in exactly one case: the
worker dies after the message was handed over and before the row was recorded as
sent (``after_send``); the lease runs out, the sweep sends it again, with the same
Message-ID (docs/notifications.md).
"""

from __future__ import annotations

import importlib
import time
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.core import mail
from django.db import transaction
from django.utils import timezone

from cases.models import Application
from config.celery import app
from notifications import services
from notifications.delivery import deliver_notification
from notifications.models import Kind, Notification, Status
from notifications.services import notify
from notifications.tasks import sweep
from tests.factories import ApplicationFactory
from workflows.engine import perform

from ..conftest import on_postgres
from .conftest import prefer
from .conftest_redis import (  # noqa: F401  (fixtures, registered here by their names)
    Cluster,
    celery_in_process_fixture,
    cluster_fixture,
    queued_fixture,
    wait_for,
)

# Every test that starts processes needs PostgreSQL (``@on_postgres``): the workers
# share the test database, so the test commits (transaction=True).
# Under xdist these run one at a time on one worker: each starts its own Redis and Celery
# processes with second-long leases and timeouts, which two at once on 2 CPUs would miss.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("real_redis")]

# After the last expected delivery, how long a stray copy gets to show up: two more
# sweeps and restore scans (1 s each here).
SETTLE = 2.0


def rows() -> list[Notification]:
    return list(Notification.objects.order_by("pk"))


def all_sent() -> bool:
    return not Notification.objects.exclude(status=Status.SENT).exists()


def copies(cluster: Cluster, row: Notification) -> list[dict[str, Any]]:
    return [m for m in cluster.mail() if m["message_id"] == row.message_id]


def one_copy_each(cluster: Cluster) -> None:
    """Every row sent, recorded once, and exactly one e-mail per row."""
    mail = cluster.mail()
    expected = rows()
    assert [(r.status, r.attempts) for r in expected] == [(Status.SENT, 1)] * len(expected)
    assert sorted(m["message_id"] for m in mail) == sorted(r.message_id for r in expected)


def draft_of(world: SimpleNamespace, association: Any) -> Application:
    application = ApplicationFactory(round=world.round, association=association)
    application.focus_areas.set([world.focus])
    return application


# --- a transition, a rollback -------------------------------------------------------------


@on_postgres
def test_a_transition_sends_exactly_one_email_with_the_right_recipient_and_language(
    cluster: Cluster, world: SimpleNamespace, draft: Application
) -> None:
    prefer(world.bo, language="en")
    bos_draft = draft_of(world, world.b)
    cluster.worker("w1")  # no beat: only the message published at commit can deliver

    annas = perform(draft, "submit", user=world.anna)
    bos = perform(bos_draft, "submit", user=world.bo)

    wait_for(all_sent, 20, "both receipts to be sent")
    time.sleep(1)
    one_copy_each(cluster)
    mail = {m["to"][0]: m for m in cluster.mail()}
    assert set(mail) == {"anna@example.org", "bo@example.org"}
    assert (mail["anna@example.org"]["language"], mail["anna@example.org"]["subject"]) == (
        "da",
        f"Kvittering: Vi har modtaget ansøgning {annas.case_number}",
    )
    assert mail["anna@example.org"]["first_line"] == "Kære Anna"
    assert (mail["bo@example.org"]["language"], mail["bo@example.org"]["subject"]) == (
        "en",
        f"Receipt: we have received application {bos.case_number}",
    )
    assert mail["bo@example.org"]["first_line"] == "Dear Bo,"


class Boom(Exception):
    pass


@on_postgres
def test_a_transaction_that_rolls_back_publishes_nothing(
    cluster: Cluster, world: SimpleNamespace, draft: Application
) -> None:
    with pytest.raises(Boom), transaction.atomic():
        perform(draft, "submit", user=world.anna)
        raise Boom  # anything failing after the transition, in the same transaction

    assert cluster.redis.queued() == []
    assert not Notification.objects.exists()
    draft.refresh_from_db()
    assert draft.status == "draft"

    # The same transition committed publishes one message: the check above can fail.
    submitted = perform(draft, "submit", user=world.anna)
    (message,) = cluster.redis.queued()
    assert message["headers"]["task"] == "notifications.tasks.deliver"
    (row,) = rows()
    assert message["headers"]["argsrepr"] == f"({row.pk},)"

    cluster.worker("w1")
    wait_for(all_sent, 20, "the committed receipt to be sent")
    time.sleep(1)
    one_copy_each(cluster)  # the rolled-back one never reached the mailbox
    assert cluster.mail()[0]["subject"].endswith(submitted.case_number)


@pytest.mark.django_db  # in-process, on either database: nothing commits, nothing is queued
def test_a_goodbye_that_times_out_after_the_server_took_the_message_is_not_a_failure(
    world: SimpleNamespace, submitted: Application, settings: Any
) -> None:
    """Outside the window: only the server's acceptance counts, not the QUIT after it."""
    settings.EMAIL_BACKEND = "tests.notifications.backends.GoodbyeTimesOutBackend"
    with transaction.atomic():
        (row,) = notify(
            kind=Kind.APPLICATION_ACCEPTED,
            application=submitted,
            recipients=[world.anna],
            context={},
            legal=False,
        )

    assert deliver_notification(row.pk) == Status.SENT
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 1, "")
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [row.message_id]


# --- killed workers -------------------------------------------------------------------------

# (kill point, process killed, attempts recorded, copies sent)
KILLS = [
    pytest.param("before_claim", "child", 1, 1, id="before_claim-child"),
    pytest.param("before_claim", "main", 1, 1, id="before_claim-main"),
    pytest.param("before_send", "child", 2, 1, id="before_send-child"),
    pytest.param("before_send", "main", 2, 1, id="before_send-main"),
    # The documented window: handed over, not yet recorded. The second copy.
    pytest.param("after_send", "child", 2, 2, id="after_send-child"),
    pytest.param("after_send", "main", 2, 2, id="after_send-main"),
]


@on_postgres
@pytest.mark.parametrize(("point", "process", "attempts", "sent_copies"), KILLS)
def test_a_killed_worker_loses_nothing_and_sends_a_second_copy_only_after_sending(
    cluster: Cluster,
    world: SimpleNamespace,
    draft: Application,
    point: str,
    process: str,
    attempts: int,
    sent_copies: int,
) -> None:
    how = "self" if process == "child" else "wait"
    if point != "before_claim":
        # The row was claimed, so only the sweep can take it up once its lease ran out.
        # Before the claim the row is untouched: no beat, so that only the broker's
        # redelivery of the very message can deliver it.
        cluster.beat()
    worker = cluster.worker("w1", PULJEFLOW_TEST_KILL_AT=point, PULJEFLOW_TEST_KILL_HOW=how)
    pool_process = worker.children()

    submitted = perform(draft, "submit", user=world.anna)
    (row,) = rows()

    if process == "child":
        # The pool process SIGKILLs itself; the main process starts a new one, and
        # (reject_on_worker_lost) puts the message straight back in the queue.
        wait_for(cluster.killed_pid, 20, f"the kill at {point} ({worker.log})")
        killed_at = time.monotonic()
        assert cluster.killed_pid() in pool_process
    else:
        wait_for((cluster.control / "reached").exists, 20, f"{point} ({worker.log})")
        assert cluster.redis.unacked() == 1  # held by this worker, not yet acknowledged
        worker.kill_main()
        wait_for(lambda: not worker.group_alive(), 10, "the pool process to die with it")
        killed_at = time.monotonic()
        # The dead worker's message stays unacked until its visibility timeout (4 s)
        # has passed; then the restore scan of a live worker puts it back in the queue.
        cluster.worker("w2")

    wait_for(all_sent, 30, f"the receipt to be sent after the kill at {point}")
    print(f"{point}/{process}: sent {time.monotonic() - killed_at:.1f} s after the kill")
    time.sleep(SETTLE)

    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, attempts)
    assert cluster.redis.unacked() == 0
    sent = copies(cluster, row)
    assert len(cluster.mail()) == len(sent) == sent_copies
    assert {m["message_id"] for m in sent} == {row.message_id}
    assert all(m["to"] == ["anna@example.org"] for m in sent)
    assert submitted.case_number in sent[0]["subject"]
    if sent_copies == 2:
        # The first copy left the process that was killed before it could record it;
        # the second was sent, after the lease, by another process.
        first, second = (m["pid"] for m in sent)
        assert first == cluster.killed_pid()
        assert second != first


# --- Redis down --------------------------------------------------------------------------


def reminders_available() -> bool:
    """The reminder sweep (another part of issue 4) is tested here once it exists."""
    try:
        module = importlib.import_module("notifications.reminders.engine")
    except ImportError:
        return False
    return hasattr(module, "run_reminders")


def remind_about_drafts(world: SimpleNamespace) -> None:
    """Move the round's deadline to 7 days ahead: its drafts' reminders are due."""
    world.round.deadline = timezone.now() + timedelta(days=7, minutes=-60)
    world.round.save()


@on_postgres
def test_while_redis_is_down_transitions_succeed_and_all_goes_out_once_after(
    cluster: Cluster, world: SimpleNamespace, draft: Application
) -> None:
    with_reminders = reminders_available()
    interval = 2.0  # beat's sweep and reminder interval
    figures = {"NOTIFICATIONS_SWEEP_SECONDS": "2", "NOTIFICATIONS_REMIND_SECONDS": "2"}
    cluster.beat(**figures)
    cluster.worker("w1", **figures)
    submitted = perform(draft, "submit", user=world.anna)
    wait_for(all_sent, 20, "the receipt sent before the outage")
    bos_draft = draft_of(world, world.b)

    cluster.redis.stop()
    stopped = time.monotonic()
    took = {}
    t = time.monotonic()
    asked = perform(submitted, "request_info", user=world.carl, question="Hvor mange frivillige?")
    took["request_info"] = time.monotonic() - t
    t = time.monotonic()
    perform(bos_draft, "submit", user=world.bo)
    took["submit"] = time.monotonic() - t
    if with_reminders:
        # A new draft of anna's and a deadline 7 days ahead: a reminder falls due
        # while beat cannot send anything.
        draft_of(world, world.a)
        remind_about_drafts(world)
    print("transitions with Redis down took", {k: f"{v:.3f} s" for k, v in took.items()})
    # A hang detector, not a benchmark: a publish fails within the socket timeout (1 s).
    assert max(took.values()) < 5
    assert asked.status == "info_requested"
    waiting = Notification.objects.exclude(status=Status.SENT)
    assert [(r.status, r.attempts) for r in waiting] == [(Status.PENDING, 0)] * 2

    time.sleep(max(0.0, 3 * interval - (time.monotonic() - stopped)))  # three ticks lost
    assert waiting.count() == 2  # nothing went out while Redis was down
    cluster.redis.start()
    back = time.monotonic()

    def everything_out() -> bool:
        if with_reminders and not Notification.objects.filter(kind="deadline_approaching"):
            return False
        return all_sent()

    wait_for(everything_out, 30, "every due notification after Redis came back")
    after = time.monotonic() - back
    print(f"everything delivered {after:.1f} s after Redis came back (interval {interval} s)")
    # Within one interval, plus the worker's reconnect (every 1 s here) and the run.
    assert after < interval + 3
    time.sleep(SETTLE)

    one_copy_each(cluster)
    expected = [
        (Kind.APPLICATION_SUBMITTED, "anna@example.org"),
        (Kind.APPLICATION_SUBMITTED, "bo@example.org"),
        (Kind.INFO_REQUESTED, "anna@example.org"),
    ]
    if with_reminders:
        expected.append(("deadline_approaching", "anna@example.org"))
    assert sorted((r.kind, r.recipient_email) for r in rows()) == sorted(expected)


# --- racing workers, beats ----------------------------------------------------------------


@on_postgres
def test_two_workers_racing_over_the_same_due_rows_and_reminders_send_each_once(
    cluster: Cluster, world: SimpleNamespace, draft: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_reminders = reminders_available()
    # Rows left to the sweep, as if the broker had been down at their commit.
    monkeypatch.setattr(services, "publish_delivery", lambda notification_id: False)
    submitted = perform(draft_of(world, world.a), "submit", user=world.anna)
    people = [world.anna, world.bo, world.carl, world.dorte, world.erik, world.frida]
    for _ in range(3):
        with transaction.atomic():
            notify(
                kind=Kind.APPLICATION_ACCEPTED,
                application=submitted,
                recipients=people,
                context={},
                legal=False,
            )
    if with_reminders:
        draft_of(world, world.b)  # bo's draft, beside anna's
        remind_about_drafts(world)
    slow = {"PULJEFLOW_TEST_SEND_DELAY": "0.05"}  # so that the two sweeps overlap
    cluster.worker("w1", wait=False, **slow)
    cluster.worker("w2", **slow)
    wait_for(lambda: len(list(cluster.control.glob("ready-*"))) == 2, 30, "both workers")

    # Two beat ticks at once: each worker takes one reminder run, then one sweep.
    if with_reminders:
        app.send_task("notifications.tasks.remind")
        app.send_task("notifications.tasks.remind")
    sweep.delay()
    sweep.delay()

    expected = 19 + (2 if with_reminders else 0)
    wait_for(lambda: Notification.objects.count() == expected and all_sent(), 30, "all rows")
    time.sleep(SETTLE)
    one_copy_each(cluster)
    # Both workers sent some: they really raced over the same rows.
    assert len({m["pid"] for m in cluster.mail()}) == 2
    if with_reminders:
        reminded = sorted(r.recipient_email for r in rows() if r.kind == "deadline_approaching")
        assert reminded == ["anna@example.org", "bo@example.org"]
        reminder = apps.get_model("notifications", "Reminder")
        assert reminder.objects.filter(rule="deadline_approaching").count() == 2


@on_postgres
def test_of_two_beats_one_sends_and_the_other_takes_over_when_it_dies(cluster: Cluster) -> None:
    first = cluster.beat("beat1")
    second = cluster.beat("beat2")

    def sweeps() -> list[str]:
        """The origin (``gen<pid>@host``) of every sweep beat sent; no worker takes them."""
        return [
            m["headers"]["origin"]
            for m in cluster.redis.queued()
            if m["headers"]["task"] == "notifications.tasks.sweep"
        ]

    wait_for(lambda: len(sweeps()) >= 4, 30, "four sweeps (one a second)")
    (holder,) = set(sweeps())  # one beat sent them all
    if holder.startswith(f"gen{first.pid}@"):
        dying, standby = first, second
    else:
        dying, standby = second, first
    assert holder.startswith(f"gen{dying.pid}@")

    dying.kill()
    sent_before = len(sweeps())
    # The lock (3 s here) expires and the standby takes it at its next look (1 s).
    wait_for(lambda: len(sweeps()) > sent_before, 10, "the standby beat to take over")
    assert {o.split("@")[0] for o in sweeps()[sent_before:]} == {f"gen{standby.pid}"}
