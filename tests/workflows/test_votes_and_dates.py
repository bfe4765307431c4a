"""Quorum, votes and dissent on ``decide`` and ``recommend``, and the meeting's date as the
decision's date (issue 16, items 5 and 6).

The committee of the cast is frida alone; here it gets two more members, kim and lis, so
that it can be not quorate (only frida present: 1 of the 2 needed) and then quorate with a
2–1 vote.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.utils import formats, timezone
from django.utils.translation import override

from cases.errors import ConditionsUnmet, InvalidInput
from cases.models import Application, Body, Meeting, Role
from cases.services.meetings import agenda_add, meeting_create
from tests.conftest import NO_HEARING
from workflows.engine import perform

from ..factories import UserFactory, give_role, tie
from .support import S, forget, reach, records_of

TWO_TO_ONE = {
    "outcome": "grant",
    "amount": "20000",
    "reason": "Som indstillet",
    "unanimous": False,
    "votes_for": 2,
    "votes_against": 1,
    "votes_abstaining": 0,
    "minority": "Lis Larsen: Puljen bør gå til nye foreninger.",
    **NO_HEARING,  # a partial grant: forvaltningsloven § 19 needs a hearing or a ground
}


@pytest.fixture(autouse=True)
def _in_english() -> Any:
    with override("en"):
        yield


@pytest.fixture
def committee(world: SimpleNamespace) -> SimpleNamespace:
    """kim and lis join frida on Roskilde's committee."""
    kim = UserFactory(username="kim", first_name="Kim", last_name="Kjær")
    lis = UserFactory(username="lis", first_name="Lis", last_name="Larsen")
    for user in (kim, lis):
        give_role(user, world.roskilde, Role.COMMITTEE_MEMBER)
    forget(world)
    return SimpleNamespace(kim=kim, lis=lis)


def committee_meeting(application: Application) -> Meeting:
    """The committee meeting conftest's ``advance`` put the case on (the first made)."""
    return Meeting.objects.filter(round_id=application.round_id, body=Body.COMMITTEE).first()


# --- quorum ---------------------------------------------------------------------------------


def test_a_committee_that_is_not_quorate_is_refused_then_decides_2_to_1_with_a_minority(
    world: SimpleNamespace, draft: Application, committee: SimpleNamespace
) -> None:
    recommended = reach(draft, world, S.RECOMMENDED)  # frida alone present: 1 of 3 members
    with pytest.raises(ConditionsUnmet) as refused:
        perform(recommended, "decide", user=world.frida, **TWO_TO_ONE)
    assert refused.value.message == (
        "Kultur- og Fritidsudvalget is not quorate on this application: 1 of the 2 members "
        "who are not disqualified needed are present. It cannot decide."
    )
    assert Application.objects.get(pk=recommended.pk).status == S.RECOMMENDED

    committee_meeting(recommended).members_present.add(committee.kim, committee.lis)
    decided = perform(
        Application.objects.get(pk=recommended.pk), "decide", user=world.frida, **TWO_TO_ONE
    )

    assert decided.status == S.GRANTED
    payload = records_of(decided)[-1].payload
    assert payload["vote"] == {"for": 2, "against": 1, "abstaining": 0, "unanimous": False}
    assert payload["minority"] == "Lis Larsen: Puljen bør gå til nye foreninger."


def test_a_member_disqualified_on_the_case_does_not_count_towards_the_quorum(
    world: SimpleNamespace, draft: Application, committee: SimpleNamespace
) -> None:
    recommended = reach(draft, world, S.RECOMMENDED)
    committee_meeting(recommended).members_present.add(committee.kim)
    tie(committee.kim, world.a, represents=False, board=True)  # kim sits on A's board
    forget(world)

    with pytest.raises(ConditionsUnmet, match="1 of the 2 members"):
        perform(recommended, "decide", user=world.frida, outcome="grant")


def test_a_municipality_can_set_the_committees_quorum(
    world: SimpleNamespace, draft: Application, committee: SimpleNamespace
) -> None:
    recommended = reach(draft, world, S.RECOMMENDED)
    world.roskilde.committee_quorum = 1
    world.roskilde.save()

    decided = perform(recommended, "decide", user=world.frida, outcome="grant")

    # Unanimous by default: the one member present who could vote.
    assert records_of(decided)[-1].payload["vote"] == {
        "for": 1,
        "against": 0,
        "abstaining": 0,
        "unanimous": True,
    }


def test_the_council_records_its_vote_and_minority_too(
    world: SimpleNamespace, draft: Application
) -> None:
    council = reach(draft, world, S.IN_COUNCIL_REVIEW)
    mads = UserFactory(username="mads", first_name="Mads")
    give_role(mads, world.roskilde, Role.COUNCIL_MEMBER)
    Meeting.objects.get(round=world.round, body=Body.COUNCIL).members_present.add(mads)
    forget(world)

    recommended = perform(
        council,
        "recommend",
        user=world.erik,
        outcome="partial",
        amount="20000",
        reason="Puljen er lille",
        votes_for=1,
        votes_abstaining=1,
        minority="Mads undlod at stemme: han kender foreningen.",
    )

    payload = records_of(recommended)[-1].payload
    assert payload["vote"] == {"for": 1, "against": 0, "abstaining": 1, "unanimous": False}
    assert payload["minority"] == "Mads undlod at stemme: han kender foreningen."
    assert payload["decision_date"] == "2026-02-01"


# --- vote validation ------------------------------------------------------------------------


NOT_NEGATIVE = "Enter a number of votes of 0 or more."


@pytest.mark.parametrize(
    ("vote", "errors"),
    [
        (
            {"unanimous": False, "votes_for": 3, "votes_against": 1},
            {
                "votes_for": [
                    "4 votes were entered, but only 3 members who are not disqualified are present."
                ]
            },
        ),
        ({"votes_for": -1}, {"votes_for": [NOT_NEGATIVE]}),
        ({"votes_against": "x"}, {"votes_against": [NOT_NEGATIVE]}),
        (
            {"unanimous": True, "votes_against": 1},
            {
                "votes_against": [
                    "A unanimous decision has no votes against. Choose “Votes counted” instead."
                ]
            },
        ),
        (
            {"unanimous": False},
            {"votes_for": ["Enter the votes for, against and abstaining, or choose unanimous."]},
        ),
        (
            {"votes_for": 1, "votes_against": 1},
            {"votes_for": ["More members must vote for it than against it for it to be carried."]},
        ),
        (
            {"minority": "Ingen er uenige"},
            {
                "minority": [
                    "A minority statement needs a minority: enter the votes against or the "
                    "abstentions of those who make it."
                ]
            },
        ),
    ],
    ids=[
        "more-votes-than-present",
        "negative",
        "not-a-number",
        "unanimous-with-against",
        "counted-without-counts",
        "tied",
        "minority-without-minority",
    ],
)
def test_a_vote_that_does_not_add_up_is_refused_per_field(
    world: SimpleNamespace,
    draft: Application,
    committee: SimpleNamespace,
    vote: dict[str, Any],
    errors: dict[str, list[str]],
) -> None:
    recommended = reach(draft, world, S.RECOMMENDED)
    committee_meeting(recommended).members_present.add(committee.kim, committee.lis)

    with pytest.raises(InvalidInput) as refused:
        perform(recommended, "decide", user=world.frida, outcome="grant", **vote)

    assert refused.value.errors == errors
    assert Application.objects.get(pk=recommended.pk).status == S.RECOMMENDED


# --- dates ----------------------------------------------------------------------------------


def test_a_decision_before_the_meetings_date_is_refused_naming_the_date(
    world: SimpleNamespace, draft: Application
) -> None:
    recommended = reach(draft, world, S.RECOMMENDED)
    meeting = committee_meeting(recommended)
    meeting.date = timezone.localdate() + datetime.timedelta(days=3)
    meeting.save()

    with pytest.raises(ConditionsUnmet) as refused:
        perform(recommended, "decide", user=world.frida, outcome="grant")

    assert refused.value.message == (
        f"The meeting is on {formats.date_format(meeting.date)}. Its decisions can be "
        "recorded from that day, not before."
    )
    assert Application.objects.get(pk=recommended.pk).status == S.RECOMMENDED


def test_a_recommendation_before_the_meetings_date_is_refused(
    world: SimpleNamespace, draft: Application
) -> None:
    council = reach(draft, world, S.IN_COUNCIL_REVIEW)
    meeting = Meeting.objects.get(round=world.round, body=Body.COUNCIL)
    meeting.date = timezone.localdate() + datetime.timedelta(days=1)
    meeting.save()

    with pytest.raises(ConditionsUnmet, match="Its decisions can be recorded from that day"):
        perform(council, "recommend", user=world.erik, outcome="grant")


def test_a_later_meeting_chosen_explicitly_is_refused_until_its_day(
    world: SimpleNamespace, draft: Application
) -> None:
    recommended = reach(draft, world, S.RECOMMENDED)
    later = meeting_create(
        grant_round=world.round,
        body=Body.COMMITTEE,
        date=timezone.localdate() + datetime.timedelta(days=10),
        members_present=[world.frida],
        acting_user=world.carl,
    )
    agenda_add(meeting=later, applications=[recommended], acting_user=world.carl)

    with pytest.raises(ConditionsUnmet, match="not before"):
        perform(recommended, "decide", user=world.frida, outcome="grant", meeting=later.pk)
    # By default it is decided at the meeting already held.
    decided = perform(recommended, "decide", user=world.frida, outcome="grant")
    held = Meeting.objects.exclude(pk=later.pk).get(round=world.round, body=Body.COMMITTEE)
    assert records_of(decided)[-1].payload["meeting"] == held.pk


def test_the_decision_carries_the_meetings_date_when_recorded_days_later(
    world: SimpleNamespace, draft: Application
) -> None:
    recommended = reach(draft, world, S.RECOMMENDED)
    meeting = committee_meeting(recommended)
    meeting.date = datetime.date(2026, 11, 16)
    meeting.save()

    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)):
        decided = perform(recommended, "decide", user=world.frida, outcome="grant")

    decided.refresh_from_db()
    assert decided.decision_date == datetime.date(2026, 11, 16)
    assert timezone.localdate(decided.decided_at) == datetime.date(2026, 11, 20)
    assert records_of(decided)[-1].payload["decision_date"] == "2026-11-16"


def test_the_meetings_day_counts_in_danish_time(world: SimpleNamespace, draft: Application) -> None:
    recommended = reach(draft, world, S.RECOMMENDED)
    meeting = committee_meeting(recommended)
    meeting.date = datetime.date(2026, 11, 16)
    meeting.save()

    # 23:30 UTC on the 15th is already the 16th in Copenhagen.
    with time_machine.travel(datetime.datetime(2026, 11, 15, 23, 30, tzinfo=datetime.UTC)):
        decided = perform(recommended, "decide", user=world.frida, outcome="grant")
    assert decided.status == S.GRANTED


def test_a_quick_pool_decision_is_dated_today(world: SimpleNamespace, draft: Application) -> None:
    world.round.flow = "quick_pool"
    world.round.save()
    submitted = perform(draft, "submit", user=world.anna)
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)):
        decided = perform(submitted, "decide_directly", user=world.carl, outcome="grant")
    decided.refresh_from_db()
    assert decided.decision_date == datetime.date(2026, 11, 20)
    payload = records_of(decided)[-1].payload
    assert payload["decision_date"] == "2026-11-20"
    assert "vote" not in payload
