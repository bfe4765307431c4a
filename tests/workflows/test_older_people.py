"""§ 79 (activities for older people) as a flow of its own (issue 20): its own submission
condition, the council's recommendation, the case officer's decision, its own letter."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from cases.documents.letters import decision_letter_render
from cases.errors import (
    ConditionsUnmet,
    InvalidInput,
    TransitionNotPermitted,
    TransitionNotPossible,
)
from cases.models import Scheme, TargetGroup, TargetGroupCode
from tests.conftest import NO_HEARING
from workflows import engine
from workflows.chart import flow_chart_dot
from workflows.engine import perform
from workflows.older_people import OlderPeopleFlow

from .support import S, reach, records_of


@pytest.fixture
def s79(world: SimpleNamespace, draft: Any) -> SimpleNamespace:
    world.round.flow = OlderPeopleFlow.name
    world.round.scheme = Scheme.S79
    world.round.ceiling_per_application = Decimal("20000")
    world.round.save()
    draft.target_groups.set([TargetGroup.objects.get(code=TargetGroupCode.OLDER)])
    return world


def test_an_application_not_for_older_people_cannot_be_submitted(
    s79: SimpleNamespace, draft: Any
) -> None:
    draft.target_groups.set([TargetGroup.objects.get(code=TargetGroupCode.CHILDREN)])
    with pytest.raises(ConditionsUnmet) as refused:
        perform(draft, "submit", user=s79.anna)
    assert "§ 79" in refused.value.message
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


def test_the_council_recommends_and_the_case_officer_decides_with_its_own_letter(
    s79: SimpleNamespace, draft: Any
) -> None:
    assert engine.flow_for(draft) is OlderPeopleFlow
    recommended = reach(draft, s79, S.RECOMMENDED)
    decided = perform(
        recommended,
        "decide_directly",
        user=s79.carl,
        outcome="grant",
        amount="20000",
        reason="Loftet for § 79",
        **NO_HEARING,
    )
    assert decided.status == S.GRANTED and decided.granted_amount == Decimal("20000")
    assert records_of(decided)[-1].role == "case_officer"
    html = decision_letter_render(decided, language="da")
    assert "servicelovens § 79" in html and "havde givet sin indstilling om ansøgningen" in html


@pytest.mark.parametrize("who", ["anna", "bo", "dorte", "erik", "frida", "gustav"])
def test_every_other_role_is_refused_the_decision(
    s79: SimpleNamespace, draft: Any, who: str
) -> None:
    recommended = reach(draft, s79, S.RECOMMENDED)
    with pytest.raises(TransitionNotPermitted):
        perform(recommended, "decide_directly", user=getattr(s79, who), outcome="grant")


def test_wrong_states_bad_input_and_no_committee(s79: SimpleNamespace, draft: Any) -> None:
    submitted = reach(draft, s79, S.SUBMITTED)
    with pytest.raises(TransitionNotPossible):  # before the council's recommendation
        perform(submitted, "decide_directly", user=s79.carl, outcome="grant")
    recommended = reach(submitted, s79, S.RECOMMENDED)
    with pytest.raises(TransitionNotPermitted):  # there is no committee in § 79's flow
        perform(recommended, "decide", user=s79.frida, outcome="grant")
    with pytest.raises(InvalidInput) as over:
        perform(
            recommended,
            "decide_directly",
            user=s79.carl,
            outcome="grant",
            amount="21000",
            reason="Over",
            **NO_HEARING,
        )
    assert "amount" in over.value.errors


def test_the_chart_has_the_council_but_no_committee() -> None:
    dot = flow_chart_dot(OlderPeopleFlow)
    assert '"in_council_review" -> "recommended" [label="recommend"]' in dot
    assert '"recommended" -> "granted" [label="decide_directly"]' in dot
    assert '[label="decide"]' not in dot and "send_back" not in dot
