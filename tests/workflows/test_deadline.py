"""The round's window, to the second, in Europe/Copenhagen — including both DST change days.

In 2026 Denmark moves clocks forward on 29 March (02:00 CET → 03:00 CEST: 02:xx does not
exist) and back on 25 October (03:00 CEST → 02:00 CET: 02:00–02:59 happens twice). A
deadline is an instant; a wall-clock time on 25 October between 02:00 and 03:00 names
two instants, so these tests say which one with ``fold`` (PEP 495): fold=0 is the first
occurrence (still summer time, UTC+2), fold=1 the second (winter time, UTC+1).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils.translation import override

from cases.errors import ConditionsUnmet
from cases.models import Application
from workflows.engine import perform

from .support import S, paper_draft, snapshot

CPH = ZoneInfo("Europe/Copenhagen")
SECOND = timedelta(seconds=1)


def local(year: int, month: int, day: int, hour: int, minute: int, *, fold: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CPH, fold=fold)


# (wall-clock deadline, the instant it means, how the refusal shows it)
DEADLINES = {
    "ordinary-day": (
        local(2026, 10, 1, 12, 0),
        datetime(2026, 10, 1, 10, 0, tzinfo=UTC),
        "1. October 2026 12:00",
    ),
    "spring-forward-just-before-the-gap": (
        local(2026, 3, 29, 1, 59),
        datetime(2026, 3, 29, 0, 59, tzinfo=UTC),
        "29. March 2026 01:59",
    ),
    # One second before is 01:59:59 CET on the wall clock: the hour in between never happens.
    "spring-forward-just-after-the-gap": (
        local(2026, 3, 29, 3, 0),
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        "29. March 2026 03:00",
    ),
    "spring-forward-noon": (
        local(2026, 3, 29, 12, 0),
        datetime(2026, 3, 29, 10, 0, tzinfo=UTC),
        "29. March 2026 12:00",
    ),
    "fall-back-0230-first-summer-time": (
        local(2026, 10, 25, 2, 30, fold=0),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        "25. October 2026 02:30",
    ),
    "fall-back-0230-second-winter-time": (
        local(2026, 10, 25, 2, 30, fold=1),
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
        "25. October 2026 02:30",
    ),
    "fall-back-0300": (
        local(2026, 10, 25, 3, 0),
        datetime(2026, 10, 25, 2, 0, tzinfo=UTC),
        "25. October 2026 03:00",
    ),
    "fall-back-noon": (
        local(2026, 10, 25, 12, 0),
        datetime(2026, 10, 25, 11, 0, tzinfo=UTC),
        "25. October 2026 12:00",
    ),
}
CASES = pytest.mark.parametrize(
    ("deadline", "instant", "shown"), DEADLINES.values(), ids=DEADLINES.keys()
)


def set_window(world: SimpleNamespace, *, opens_at: datetime, deadline: datetime) -> None:
    world.round.opens_at = opens_at
    world.round.deadline = deadline
    world.round.save()


@CASES
def test_the_wall_clock_deadline_means_the_intended_instant(
    world: SimpleNamespace, deadline: datetime, instant: datetime, shown: str
) -> None:
    set_window(world, opens_at=instant - timedelta(days=30), deadline=deadline)
    world.round.refresh_from_db()

    assert world.round.deadline == instant


@CASES
def test_it_accepts_a_submission_one_second_before_the_deadline(
    world: SimpleNamespace, draft: Application, deadline: datetime, instant: datetime, shown: str
) -> None:
    set_window(world, opens_at=instant - timedelta(days=30), deadline=deadline)

    with time_machine.travel(instant - SECOND, tick=False):
        submitted = perform(draft, "submit", user=world.anna)

    assert submitted.status == S.SUBMITTED
    assert submitted.submitted_at == instant - SECOND


@CASES
def test_it_refuses_submission_one_second_after_the_deadline(
    world: SimpleNamespace, draft: Application, deadline: datetime, instant: datetime, shown: str
) -> None:
    set_window(world, opens_at=instant - timedelta(days=30), deadline=deadline)
    before = snapshot(draft)

    with (
        time_machine.travel(instant + SECOND, tick=False),
        override("en"),
        pytest.raises(ConditionsUnmet) as caught,
    ):
        perform(draft, "submit", user=world.anna)

    assert caught.value.message == f"The deadline for this round was {shown}."
    assert snapshot(draft) == before


def test_a_submission_at_the_deadline_itself_is_in_time(
    world: SimpleNamespace, draft: Application
) -> None:
    deadline, instant, _ = DEADLINES["fall-back-0230-second-winter-time"]
    set_window(world, opens_at=instant - timedelta(days=30), deadline=deadline)

    with time_machine.travel(instant, tick=False):
        assert perform(draft, "submit", user=world.anna).status == S.SUBMITTED


def test_after_the_first_0230_there_is_still_an_hour_until_the_second(
    world: SimpleNamespace, draft: Application
) -> None:
    """02:45 summer time reads later than a 02:30 deadline, but the deadline is the second 02:30."""
    set_window(
        world,
        opens_at=local(2026, 10, 1, 0, 0),
        deadline=local(2026, 10, 25, 2, 30, fold=1),
    )

    with time_machine.travel(local(2026, 10, 25, 2, 45, fold=0), tick=False):
        assert perform(draft, "submit", user=world.anna).status == S.SUBMITTED


def test_after_the_first_0230_a_second_0215_is_too_late(
    world: SimpleNamespace, draft: Application
) -> None:
    """02:15 winter time reads earlier than a 02:30 deadline, but came an hour after the first 02:30."""
    set_window(
        world,
        opens_at=local(2026, 10, 1, 0, 0),
        deadline=local(2026, 10, 25, 2, 30, fold=0),
    )

    with (
        time_machine.travel(local(2026, 10, 25, 2, 15, fold=1), tick=False),
        override("en"),
        pytest.raises(ConditionsUnmet) as caught,
    ):
        perform(draft, "submit", user=world.anna)

    assert caught.value.message == "The deadline for this round was 25. October 2026 02:30."


OPENINGS = {
    "ordinary-day": (local(2026, 9, 1, 8, 0), "1. September 2026 08:00"),
    "spring-forward": (local(2026, 3, 29, 3, 0), "29. March 2026 03:00"),
    "fall-back-second-0200": (local(2026, 10, 25, 2, 0, fold=1), "25. October 2026 02:00"),
}


@pytest.mark.parametrize(("opens_at", "shown"), OPENINGS.values(), ids=OPENINGS.keys())
def test_it_refuses_submission_one_second_before_the_round_opens(
    world: SimpleNamespace, draft: Application, opens_at: datetime, shown: str
) -> None:
    # Aware datetimes subtract on the wall clock (03:00 - 1 s would be a 02:59:59 that does
    # not exist on 29 March); instants are computed in UTC.
    instant = opens_at.astimezone(UTC)
    set_window(world, opens_at=opens_at, deadline=instant + timedelta(days=30))
    before = snapshot(draft)

    with (
        time_machine.travel(instant - SECOND, tick=False),
        override("en"),
        pytest.raises(ConditionsUnmet) as caught,
    ):
        perform(draft, "submit", user=world.anna)

    assert caught.value.message == f"The round opens on {shown}."
    assert snapshot(draft) == before
    with time_machine.travel(instant, tick=False):
        assert perform(draft, "submit", user=world.anna).status == S.SUBMITTED


@CASES
def test_a_paper_application_counts_from_when_it_was_received(
    world: SimpleNamespace, deadline: datetime, instant: datetime, shown: str
) -> None:
    set_window(world, opens_at=instant - timedelta(days=30), deadline=deadline)
    in_time = paper_draft(world, received_at=instant - SECOND)
    too_late = paper_draft(world, received_at=instant + SECOND)

    with time_machine.travel(instant + timedelta(days=7), tick=False):
        assert perform(in_time, "submit", user=world.carl).status == S.SUBMITTED
        with override("en"), pytest.raises(ConditionsUnmet) as caught:
            perform(too_late, "submit", user=world.carl)

    assert caught.value.message == f"The deadline for this round was {shown}."
