"""What a transition reads: a fixed list of statements, each named (issue 19).

Every statement is a round trip to the database, and a transition pays them with the
case's row locked. Where one statement can answer several checks, it does
(``completeness.facts_of``; ``permissions.read_meeting_people`` through the flow's
``prepare``). These tests hold the reads to that list, by the table each one starts from.
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.roles import profile
from tests.conftest import NO_HEARING, advance, on_agenda
from workflows import engine

pytestmark = pytest.mark.django_db

FROM = re.compile(r'\bFROM "(\w+)"')


def _reads(run: Any) -> list[str]:
    """The first table each read of ``run`` names, in order (its writes are not counted)."""
    with CaptureQueriesContext(connection) as done:
        run()
    return [
        FROM.findall(q["sql"])[0]
        for q in done.captured_queries
        if q["sql"].lstrip("( ").upper().startswith("SELECT")
    ]


def test_a_submission_reads_the_case_its_facts_in_one_and_whom_to_tell(
    world: SimpleNamespace, draft: Any
) -> None:
    profile(world.anna)  # the signed-in user's roles, read by the page before
    reads = _reads(lambda: engine.perform(draft, "submit", user=world.anna))
    assert reads == [
        "cases_application",  # the case, locked, with its round, association, municipality
        "cases_budgetline",  # its lines, attachments and the round's focus areas at once
        "cases_focusarea",  # whether it names a focus area
        "cases_application",  # an overdue usage report of the association's
        "workflows_transitionrecord",  # the chain's head
        "cases_meeting",  # the receipt's planned meetings
        "auth_user",  # the association's representatives, who are told
    ]


def test_a_recommendation_reads_the_meeting_then_its_people_in_one(
    world: SimpleNamespace, draft: Any
) -> None:
    application = advance(draft, world, "in_council_review")
    on_agenda(application, world)
    profile(world.erik)
    reads = _reads(
        lambda: engine.perform(
            application, "recommend", user=world.erik, outcome="grant", reason="Godt projekt"
        )
    )
    assert reads == [
        "cases_application",  # the case, locked
        "cases_meeting",  # the council meeting it is recommended at
        # present, the council's members, and who is conflicted on the case: the permission,
        # the conditions and the quorum asked these in three statements before
        "cases_meeting_members_present",
        "cases_assessment",  # the members' assessments, recorded with the recommendation
        "workflows_transitionrecord",  # the chain's head
    ]


def test_a_decision_reads_the_meeting_its_people_the_pool_and_the_letters_facts(
    world: SimpleNamespace, draft: Any
) -> None:
    application = advance(draft, world, "recommended")
    profile(world.frida)
    reads = _reads(
        lambda: engine.perform(
            application,
            "decide",
            user=world.frida,
            outcome="grant",
            reason="Som indstillet",
            **NO_HEARING,
        )
    )
    assert reads == [
        "cases_grantround",  # the pool, locked first
        "cases_application",  # the case, locked
        "cases_meeting",  # the committee meeting it is decided at
        "cases_meeting_members_present",  # present, members, conflicted: one statement
        "cases_application",  # the round's grants so far, against the pool
        "cases_roundcriterion",  # the letter: the round's criteria
        "workflows_transitionrecord",  # the letter: who screened the case
        "workflows_transitionrecord",  # the chain's head
        "auth_user",  # the association's representatives, who are told
    ]
