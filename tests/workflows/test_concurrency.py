"""Two people acting on the same case at once: one wins, the other is told it moved on."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import override

from cases.errors import CaseMovedOn
from cases.models import Application
from workflows.engine import perform

from ..conftest import NO_HEARING, on_postgres
from .support import S, reach, records_of, snapshot, status_label

MOVED_ON = (
    "This case has moved on: someone else changed it to “{status}” while you were working "
    "on it. Reload the page to see its current state."
)


def _act(
    pk: int,
    username: str,
    name: str,
    data: dict[str, Any],
    barrier: threading.Barrier,
    outcomes: dict[str, Any],
    key: str,
) -> None:
    """One request: load the case, wait for the other, act — on this thread's own connection."""
    try:
        application = Application.objects.get(pk=pk)
        user = get_user_model().objects.get(username=username)
        barrier.wait(timeout=10)
        with override("en"):
            outcomes[key] = perform(application, name, user=user, **data)
    except Exception as error:
        outcomes[key] = error
    finally:
        connection.close()


def _race(
    pk: int, first: tuple[str, str, dict[str, Any]], second: tuple[str, str, dict[str, Any]]
) -> dict[str, Any]:
    barrier = threading.Barrier(2)
    outcomes: dict[str, Any] = {}
    threads = [
        threading.Thread(target=_act, args=(pk, *request, barrier, outcomes, key))
        for key, request in (("first", first), ("second", second))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


@on_postgres
@pytest.mark.parametrize(
    ("second", "winner_status"),
    [
        (("carl", "accept", {}), {S.IN_COUNCIL_REVIEW}),
        (
            ("carl", "reject", {"reason": "Ikke støtteberettiget", **NO_HEARING}),
            {S.IN_COUNCIL_REVIEW, S.INELIGIBLE},
        ),
    ],
    ids=["accept-and-accept", "accept-and-reject"],
)
def test_of_two_simultaneous_screenings_exactly_one_succeeds(
    transactional_db: Any,
    world: SimpleNamespace,
    draft: Application,
    second: tuple[str, str, dict[str, Any]],
    winner_status: set[str],
) -> None:
    submitted = reach(draft, world, S.SUBMITTED)

    outcomes = _race(submitted.pk, ("carl", "accept", {}), second)

    winners = [o for o in outcomes.values() if isinstance(o, Application)]
    losers = [o for o in outcomes.values() if not isinstance(o, Application)]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1 and type(losers[0]) is CaseMovedOn, outcomes
    final = Application.objects.get(pk=submitted.pk)
    assert final.status == winners[0].status
    assert final.status in winner_status
    assert losers[0].message == MOVED_ON.format(status=status_label(final.status))
    records = records_of(final)
    assert [r.transition for r in records][:1] == ["submit"]
    assert len(records) == 2


def test_a_stale_case_gets_case_moved_on_and_nothing_changes(
    world: SimpleNamespace, draft: Application
) -> None:
    submitted = reach(draft, world, S.SUBMITTED)
    stale = Application.objects.get(pk=submitted.pk)  # carl's second tab, loaded earlier
    perform(submitted, "accept", user=world.carl)
    before = snapshot(stale)

    with override("en"), pytest.raises(CaseMovedOn) as caught:
        perform(stale, "accept", user=world.carl)

    assert caught.value.message == MOVED_ON.format(status="In council review")
    assert snapshot(stale) == before
    assert stale.status == S.SUBMITTED


def test_a_stale_case_is_reported_as_moved_on_whatever_the_action(
    world: SimpleNamespace, draft: Application
) -> None:
    submitted = reach(draft, world, S.SUBMITTED)
    stale = Application.objects.get(pk=submitted.pk)
    perform(submitted, "reject", user=world.carl, reason="Ikke frivilligt", **NO_HEARING)

    with pytest.raises(CaseMovedOn):
        perform(stale, "request_info", user=world.carl, question="Hvor mange frivillige?")

    assert len(records_of(submitted)) == 2


def test_a_case_that_left_and_returned_to_the_same_state_has_still_moved_on(
    world: SimpleNamespace, draft: Application
) -> None:
    recommended = reach(draft, world, S.RECOMMENDED)  # the council recommended 20,000 DKK
    frida_sees = Application.objects.get(pk=recommended.pk)
    sent_back = perform(recommended, "send_back", user=world.frida, reason="Se på det igen")
    perform(sent_back, "recommend", user=world.erik, outcome="refuse", reason="Uden for målgruppen")

    with pytest.raises(CaseMovedOn):
        perform(
            frida_sees,
            "decide",
            user=world.frida,
            outcome="grant",
            amount="20000",
            reason="Som indstillet",
        )


@on_postgres
def test_a_note_recorded_while_a_transition_waits_for_the_lock_is_the_head_it_extends(
    transactional_db: Any, world: SimpleNamespace, draft: Application
) -> None:
    """Found by the load test: the chain's head read in the locking SELECT (one statement
    fewer) was the head as of that statement's start. Under READ COMMITTED a row lock waited
    for does not refresh the rest of the statement, so a record appended meanwhile by a
    lock-only writer (a file note, a conflict declared) was missed: the transition then
    appended the same seq, and the unique key refused it with a 500. The head must be read
    after the lock."""
    import time

    from django.db import transaction

    from cases.services.case_events import record_case_event

    submitted = reach(draft, world, S.SUBMITTED)
    held = threading.Event()
    errors: list[BaseException] = []

    def note() -> None:
        try:
            with transaction.atomic():
                record_case_event(
                    Application.objects.get(pk=submitted.pk),
                    flow="notes",
                    event="note",
                    actor=world.carl,
                    role="case_officer",
                    reason="Ringet til foreningen",
                )
                held.set()
                time.sleep(1)  # the transition below starts and waits for this lock
        except BaseException as error:
            errors.append(error)
            held.set()
        finally:
            connection.close()

    other = threading.Thread(target=note)
    other.start()
    assert held.wait(timeout=10)
    accepted = perform(submitted, "accept", user=world.carl)
    other.join(timeout=10)

    assert not errors
    records = records_of(accepted)
    assert [r.seq for r in records] == list(range(1, len(records) + 1))
    assert [r.transition for r in records][-2:] == ["note", "accept"]
    assert records[-1].prev_hash == records[-2].hash
