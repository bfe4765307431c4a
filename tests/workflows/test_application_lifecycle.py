from __future__ import annotations

from decimal import Decimal
from typing import Any

from cases.models import ApplicationStatus as S
from cases.trail.chain import verify_records
from cases.trail.models import TransitionRecord

from ..conftest import advance


def test_an_application_goes_from_draft_to_closed(world: Any, draft: Any) -> None:
    closed = advance(draft, world, S.CLOSED)

    records = list(TransitionRecord.objects.filter(application=closed))
    assert [r.transition for r in records] == [
        "submit",
        "accept",
        "recommend",
        "decide",
        "pay",
        "submit_report",
        "approve_report",
    ]
    assert [(r.from_state, r.to_state) for r in records][:2] == [
        ("draft", "submitted"),
        ("submitted", "in_council_review"),
    ]
    assert [r.role for r in records] == [
        "applicant",
        "case_officer",
        "council_chair",
        "committee_chair",
        "case_officer",
        "applicant",
        "case_officer",
    ]
    assert records[3].payload["amount"] == "20000.00"
    assert closed.granted_amount == Decimal("20000.00")
    assert verify_records(records) is None
    assert closed.history.count() >= 8
    assert {h.history_user for h in closed.history.all()} >= {world.anna, world.carl}
