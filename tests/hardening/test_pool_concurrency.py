"""Parallel decisions on one round: the pool is never overrun, and bulk and single never deadlock.

Each thread is one request on its own database connection (Django's connections are per
thread). On PostgreSQL only: SQLite's IMMEDIATE transactions serialise every write, so
there is no race to lose there, and its in-memory test database is shared by threads
through a table-locking cache that does not wait.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Sum
from django.utils.translation import override

from cases.errors import CaseMovedOn, InvalidInput
from cases.formatting import money
from cases.models import Application, Body, Meeting, StatusGroup
from workflows import bulk, engine

from ..conftest import advance, on_postgres
from ..factories import ApplicationFactory

pytestmark = on_postgres

REQUESTED = Decimal("25000")
THREADS = 20


def _applications(world: SimpleNamespace, count: int, status: str) -> list[Application]:
    made = []
    for _ in range(count):
        application = ApplicationFactory(
            round=world.round, association=world.a, amount_requested=REQUESTED
        )
        application.focus_areas.set([world.focus])
        made.append(advance(application, world, status))
    return made


def _in_threads(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run each call on its own thread and connection, all released at once; their outcomes."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            with override("en"):
                outcomes[index] = call()
        except Exception as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(i, call), name=f"request-{i}")
        for i, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def _decision(pk: int, username: str, name: str) -> Callable[[], Any]:
    def call() -> Any:
        application = Application.objects.get(pk=pk)
        user = get_user_model().objects.get(username=username)
        return engine.perform(application, name, user=user, outcome="grant", reason="Bevilget")

    return call


def _granted_in_round(world: SimpleNamespace) -> Decimal:
    total = Application.objects.filter(round=world.round, status__in=StatusGroup.GRANTED).aggregate(
        total=Sum("granted_amount")
    )["total"]
    return total or Decimal(0)


@pytest.mark.parametrize(
    ("name", "username", "ready"),
    [("decide", "frida", "recommended"), ("decide_directly", "carl", "submitted")],
    ids=["committee", "quick-pool"],
)
def test_of_twenty_parallel_decisions_on_a_pool_that_fits_three_exactly_three_succeed(
    transactional_db: Any, world: SimpleNamespace, name: str, username: str, ready: str
) -> None:
    world.round.pool_amount = 3 * REQUESTED
    world.round.flow = "quick_pool" if name == "decide_directly" else "application"
    world.round.save()
    applications = _applications(world, THREADS, ready)

    outcomes = _in_threads([_decision(a.pk, username, name) for a in applications])

    granted = [o for o in outcomes if isinstance(o, Application)]
    refused = [o for o in outcomes if not isinstance(o, Application)]
    assert len(granted) == 3, outcomes
    assert all(o.status == "granted" for o in granted)
    with override("en"):
        overrun = (
            f"This would bring the round's grants to {money(4 * REQUESTED)}, above the pool of "
            f"{money(3 * REQUESTED)}. Lower the amount, or confirm the overrun and give reasons."
        )
    assert all(type(o) is InvalidInput and o.errors == {"amount": [overrun]} for o in refused), (
        refused
    )
    assert _granted_in_round(world) == 3 * REQUESTED
    assert Application.objects.filter(round=world.round, status=ready).count() == THREADS - 3


def test_a_bulk_decision_and_a_single_one_on_the_same_agenda_do_not_deadlock(
    transactional_db: Any, world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bulk sends one case back, pauses, then decides another; meanwhile frida, in a
    second tab, decides the case being sent back. Had the bulk locked that case before the
    round, the single decision would hold the round waiting for the case, and the bulk the
    case waiting for the round: PostgreSQL would end one of them as a deadlock."""
    sent_back, decided = _applications(world, 2, "recommended")
    meeting = Meeting.objects.get(round=world.round, body=Body.COMMITTEE)
    case_locked = threading.Event()
    perform = engine.perform

    def pausing(application: Application, name: str, **kwargs: Any) -> Application:
        result = perform(application, name, **kwargs)
        if threading.current_thread().name == "request-0" and name == "send_back":
            case_locked.set()
            threading.Event().wait(1.5)  # time for the single decision to take its locks
        return result

    monkeypatch.setattr(engine, "perform", pausing)

    def in_bulk() -> bulk.BulkResult:
        return bulk.bulk_record(
            meeting,
            [
                {"application": sent_back.pk, "action": "send_back", "reason": "Se igen"},
                {"application": decided.pk, "action": "decide", "outcome": "grant"},
            ],
            user=get_user_model().objects.get(username="frida"),
        )

    def single() -> Any:
        case_locked.wait(timeout=30)
        return _decision(sent_back.pk, "frida", "decide")()

    bulk_result, single_result = _in_threads([in_bulk, single])

    assert isinstance(bulk_result, bulk.BulkResult) and bulk_result.ok, bulk_result
    assert bulk_result.recorded == [sent_back.pk, decided.pk]
    # The single decision waited for the bulk, then found its case sent back.
    assert type(single_result) is CaseMovedOn, single_result
    assert Application.objects.get(pk=sent_back.pk).status == "in_council_review"
    assert Application.objects.get(pk=decided.pk).status == "granted"
