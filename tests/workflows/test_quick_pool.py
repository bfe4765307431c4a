"""The quick pool (akutpulje) as its own flow (issue 20): submit, screen, decide by the case
officer within the ceiling, letter — and nothing of the council's or the committee's."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils.translation import override
from rest_framework.test import APIClient

from api.models import ApiToken
from cases.errors import InvalidInput, TransitionNotPermitted, TransitionNotPossible
from cases.models import DocumentKind
from tests.conftest import NO_HEARING
from workflows import engine
from workflows.application import ApplicationFlow
from workflows.chart import flow_chart_dot
from workflows.engine import perform
from workflows.quick_pool import QuickPoolFlow

from .support import S, kr, reach, records_of

BASE = "/api/v1"


@pytest.fixture
def quick(world: SimpleNamespace) -> SimpleNamespace:
    world.round.flow = QuickPoolFlow.name
    world.round.ceiling_per_application = Decimal("15000")
    world.round.save()
    return world


def _submitted(quick: SimpleNamespace, draft: Any) -> Any:
    return reach(draft, quick, S.SUBMITTED)


def test_the_round_names_the_flow_the_engine_runs(quick: SimpleNamespace, draft: Any) -> None:
    assert engine.flow_for(draft) is QuickPoolFlow
    assert quick.round.decided_by_administration and not quick.round.council_recommends


def test_the_case_officer_decides_within_the_ceiling_and_the_letter_goes_out(
    quick: SimpleNamespace, draft: Any
) -> None:
    submitted = _submitted(quick, draft)
    decided = perform(
        submitted,
        "decide_directly",
        user=quick.carl,
        outcome="grant",
        amount="12000",
        reason="Delvis",
        **NO_HEARING,
    )
    assert decided.status == S.GRANTED and decided.granted_amount == Decimal("12000")
    record = records_of(decided)[-1]
    assert (record.transition, record.role) == ("decide_directly", "case_officer")
    letter = decided.documents.get(pk=record.payload["letter"])
    assert letter.kind == DocumentKind.PARTIAL_GRANT


@pytest.mark.parametrize("who", ["anna", "bo", "dorte", "erik", "frida", "gustav"])
def test_every_other_role_is_refused_the_decision(
    quick: SimpleNamespace, draft: Any, who: str
) -> None:
    submitted = _submitted(quick, draft)
    with pytest.raises(TransitionNotPermitted):
        perform(submitted, "decide_directly", user=getattr(quick, who), outcome="grant")
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED


def test_a_decision_above_the_ceiling_is_refused_next_to_the_amount(
    quick: SimpleNamespace, draft: Any
) -> None:
    submitted = _submitted(quick, draft)
    with override("en"), pytest.raises(InvalidInput) as refused:
        perform(
            submitted,
            "decide_directly",
            user=quick.carl,
            outcome="grant",
            amount="16000",
            reason="Loftet",
            **NO_HEARING,
        )
    assert refused.value.errors["amount"] == [
        f"In this quick pool a grant can be at most {kr(15000)}."
    ]


def test_bad_input_is_refused_field_by_field(quick: SimpleNamespace, draft: Any) -> None:
    submitted = _submitted(quick, draft)
    with pytest.raises(InvalidInput) as no_outcome:
        perform(submitted, "decide_directly", user=quick.carl)
    assert "outcome" in no_outcome.value.errors
    with pytest.raises(InvalidInput) as no_reason:
        perform(submitted, "decide_directly", user=quick.carl, outcome="refuse", **NO_HEARING)
    assert "reason" in no_reason.value.errors


def test_wrong_states_and_the_council_path_are_not_possible(
    quick: SimpleNamespace, draft: Any
) -> None:
    with pytest.raises(TransitionNotPossible):
        perform(draft, "decide_directly", user=quick.carl, outcome="grant")
    submitted = _submitted(quick, draft)
    # No council in a quick pool: accepting for its review is another flow's action.
    with pytest.raises(TransitionNotPermitted):
        perform(submitted, "accept", user=quick.carl)


def test_screening_is_the_main_flows_own(quick: SimpleNamespace, draft: Any) -> None:
    submitted = _submitted(quick, draft)
    asked = perform(submitted, "request_info", user=quick.carl, question="Budget?")
    assert asked.status == S.INFO_REQUESTED
    answered = perform(asked, "provide_info", user=quick.anna, answer="Vedlagt")
    rejected = perform(answered, "reject", user=quick.carl, reason="Ikke forening", **NO_HEARING)
    assert rejected.status == S.INELIGIBLE
    offered = {t.slug for t in engine.available_transitions(answered, quick.carl)}
    assert offered >= {"request_info", "reject", "decide_directly"} and "accept" not in offered


def test_the_main_flow_has_no_quick_pool_path_any_more(world: SimpleNamespace, draft: Any) -> None:
    assert "decide_directly" not in engine.transitions_of(ApplicationFlow)
    submitted = reach(draft, world, S.SUBMITTED)
    with pytest.raises(TransitionNotPermitted):
        perform(submitted, "decide_directly", user=world.carl, outcome="grant")


def test_after_the_grant_the_payouts_are_the_main_flows() -> None:
    names = set(engine.transitions_of(QuickPoolFlow))
    assert {"pay", "submit_report", "approve_report", "return_report"} <= names


def test_the_quick_pool_chart_has_no_council_and_no_committee() -> None:
    dot = flow_chart_dot(QuickPoolFlow)
    for absent in ("in_council_review", "recommended", "recommend", '"decide"', "accept"):
        assert absent not in dot
    assert '"submitted" -> "granted" [label="decide_directly"]' in dot
    assert '"granted" -> "paid" [label="pay"]' in dot


def _api(user: Any) -> APIClient:
    _token, key = ApiToken.issue(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_api_lists_and_takes_the_quick_pools_transitions(
    quick: SimpleNamespace, draft: Any
) -> None:
    submitted = _submitted(quick, draft)
    carl = _api(quick.carl)
    listed = carl.get(f"{BASE}/applications/{submitted.pk}/transitions").json()
    names = {t["name"] for t in listed}
    assert "decide_directly" in names and "accept" not in names
    refused = carl.post(f"{BASE}/applications/{submitted.pk}/transitions/accept", {}, format="json")
    assert refused.status_code == 403
    taken = carl.post(
        f"{BASE}/applications/{submitted.pk}/transitions/decide_directly",
        {"outcome": "grant", "amount": "15000", "reason": "Puljens loft", **NO_HEARING},
        format="json",
    )
    assert taken.status_code == 200, taken.content
    assert taken.json()["status"] == S.GRANTED


def test_the_flow_chart_page_shows_the_quick_pools_own_chart(
    world: SimpleNamespace, client: Any
) -> None:
    client.force_login(world.carl)
    html = client.get("/flow/?flow=quick_pool").content.decode()
    assert '<h2 id="flow-quick_pool">Akutpulje</h2>' in html
    first_chart = html.split('<figure class="pf-chart"')[1]
    assert "Indsendt" in first_chart and "Til behandling i Frivillighedsrådet" not in first_chart
