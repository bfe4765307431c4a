"""withdraw: any state before the decision → withdrawn, by the association (or carl, on paper)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from django.utils.translation import override

from cases.errors import TransitionNotPermitted, TransitionNotPossible
from cases.models import Application, Role
from workflows.engine import perform

from .support import (
    S,
    assert_recorded,
    declared_sources,
    not_permitted_message,
    not_possible_message,
    others,
    paper_draft,
    reach,
    records_of,
    snapshot,
    states_except,
)

BEFORE_DECISION = [S.DRAFT, S.SUBMITTED, S.INFO_REQUESTED, S.IN_COUNCIL_REVIEW, S.RECOMMENDED]
REASON = "Vi har fået midler fra en fond."


def test_withdraw_starts_from_every_state_before_the_decision() -> None:
    assert declared_sources("withdraw") == set(BEFORE_DECISION)


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


@pytest.mark.parametrize("name", others("anna"))
def test_it_denies_withdrawal_to_everyone_who_does_not_represent_the_association(
    world: SimpleNamespace, draft: Application, name: str
) -> None:
    submitted = reach(draft, world, S.SUBMITTED)
    before = snapshot(submitted)

    with override("en"), pytest.raises(TransitionNotPermitted) as caught:
        perform(submitted, "withdraw", user=getattr(world, name), reason=REASON)

    assert caught.value.message == not_permitted_message("withdraw")
    assert snapshot(submitted) == before
    assert perform(submitted, "withdraw", user=world.anna, reason=REASON).status == S.WITHDRAWN


@pytest.mark.parametrize("name", others("anna", "carl"))
def test_it_denies_withdrawing_a_paper_application_to_all_but_the_association_and_carl(
    world: SimpleNamespace, name: str
) -> None:
    paper = paper_draft(world, received_at=timezone.now() - timedelta(days=1))
    before = snapshot(paper)

    with pytest.raises(TransitionNotPermitted):
        perform(paper, "withdraw", user=getattr(world, name))

    assert snapshot(paper) == before
    assert perform(paper, "withdraw", user=world.carl).status == S.WITHDRAWN


@pytest.mark.parametrize("status", states_except(*BEFORE_DECISION))
def test_it_refuses_withdrawal_once_the_committee_has_decided_or_the_case_ended(
    world: SimpleNamespace, draft: Application, status: str
) -> None:
    application = reach(draft, world, status)
    before = snapshot(application)

    with override("en"), pytest.raises(TransitionNotPossible) as caught:
        perform(application, "withdraw", user=world.anna, reason=REASON)

    assert caught.value.message == not_possible_message("withdraw", status)
    assert snapshot(application) == before
