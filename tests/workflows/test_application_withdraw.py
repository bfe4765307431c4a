"""withdraw: any state before the decision → withdrawn, by the association (or carl, on paper)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from cases.models import Application, Role
from workflows.engine import perform

from .support import (
    S,
    assert_recorded,
    paper_draft,
    reach,
    records_of,
)

BEFORE_DECISION = [S.DRAFT, S.SUBMITTED, S.INFO_REQUESTED, S.IN_COUNCIL_REVIEW, S.RECOMMENDED]
REASON = "Vi har fået midler fra en fond."


@pytest.mark.parametrize("status", BEFORE_DECISION)
def test_anna_withdraws_her_application_before_the_decision(
    world: SimpleNamespace, draft: Application, status: str
) -> None:
    application = reach(draft, world, status)
    records_before = len(records_of(application))

    withdrawn = perform(application, "withdraw", user=world.anna, reason=REASON)

    assert withdrawn.closed_at is not None
    assert_recorded(
        withdrawn,
        records_before=records_before,
        transition="withdraw",
        from_state=status,
        to_state=S.WITHDRAWN,
        actor=world.anna,
        role="applicant",
        reason=REASON,
    )


def test_a_withdrawal_needs_no_reason(world: SimpleNamespace, draft: Application) -> None:
    withdrawn = perform(draft, "withdraw", user=world.anna)

    assert withdrawn.status == S.WITHDRAWN
    assert records_of(withdrawn)[-1].reason == ""


def test_carl_withdraws_a_paper_application_on_the_associations_behalf(
    world: SimpleNamespace,
) -> None:
    paper = paper_draft(world, received_at=timezone.now() - timedelta(days=1))
    paper = perform(paper, "submit", user=world.carl)

    withdrawn = perform(paper, "withdraw", user=world.carl, reason=REASON)

    assert_recorded(
        withdrawn,
        records_before=1,
        transition="withdraw",
        from_state=S.SUBMITTED,
        to_state=S.WITHDRAWN,
        actor=world.carl,
        role=Role.CASE_OFFICER,
        reason=REASON,
    )
