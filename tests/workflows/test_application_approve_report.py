"""approve_report: report_submitted → closed, by carl."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.utils.translation import override

from cases.models import Application, Role
from workflows.engine import perform
from workflows.errors import TransitionNotPermitted, TransitionNotPossible

from .support import (
    S,
    assert_recorded,
    declared_sources,
    not_permitted_message,
    not_possible_message,
    others,
    reach,
    snapshot,
    states_except,
)


def test_approve_report_starts_only_from_report_submitted() -> None:
    assert declared_sources("approve_report") == {S.REPORT_SUBMITTED}


@pytest.mark.parametrize(
    ("reason", "recorded"),
    [(None, ""), ("  Godkendt uden bemærkninger ", "Godkendt uden bemærkninger")],
    ids=["without-note", "with-note"],
)
def test_carl_approves_the_usage_report_and_the_case_closes(
    world: SimpleNamespace, draft: Application, reason: str | None, recorded: str
) -> None:
    reported = reach(draft, world, S.REPORT_SUBMITTED)

    closed = perform(reported, "approve_report", user=world.carl, reason=reason)

    assert closed.closed_at is not None
    assert_recorded(
        closed,
        records_before=6,
        transition="approve_report",
        from_state=S.REPORT_SUBMITTED,
        to_state=S.CLOSED,
        actor=world.carl,
        role=Role.CASE_OFFICER,
        reason=recorded,
    )


@pytest.mark.parametrize("name", others("carl"))
def test_it_denies_approving_the_report_to_everyone_but_the_case_officer(
    world: SimpleNamespace, draft: Application, name: str
) -> None:
    reported = reach(draft, world, S.REPORT_SUBMITTED)
    before = snapshot(reported)

    with override("en"), pytest.raises(TransitionNotPermitted) as caught:
        perform(reported, "approve_report", user=getattr(world, name))

    assert caught.value.message == not_permitted_message("approve_report")
    assert snapshot(reported) == before
    assert perform(reported, "approve_report", user=world.carl).status == S.CLOSED


@pytest.mark.parametrize("status", states_except(S.REPORT_SUBMITTED))
def test_it_refuses_approving_a_report_in_any_state_but_report_submitted(
    world: SimpleNamespace, draft: Application, status: str
) -> None:
    application = reach(draft, world, status)
    before = snapshot(application)

    with override("en"), pytest.raises(TransitionNotPossible) as caught:
        perform(application, "approve_report", user=world.carl)

    assert caught.value.message == not_possible_message("approve_report", status)
    assert snapshot(application) == before
