"""accept: submitted → in_council_review, by carl, with an optional screening note."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
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
    reach,
    snapshot,
    states_except,
)


def test_accept_starts_only_from_submitted() -> None:
    assert declared_sources("accept") == {S.SUBMITTED}


def test_carl_accepts_a_submitted_application_for_council_review(
    world: SimpleNamespace, draft: Application
) -> None:
    submitted = reach(draft, world, S.SUBMITTED)

    accepted = perform(submitted, "accept", user=world.carl, reason=" Opfylder kriterierne ")

    assert accepted.screening_note == "Opfylder kriterierne"
    assert_recorded(
        accepted,
        records_before=1,
        transition="accept",
        from_state=S.SUBMITTED,
        to_state=S.IN_COUNCIL_REVIEW,
        actor=world.carl,
        role=Role.CASE_OFFICER,
        reason="Opfylder kriterierne",
    )


def test_carl_may_accept_without_a_note(world: SimpleNamespace, draft: Application) -> None:
    submitted = reach(draft, world, S.SUBMITTED)

    accepted = perform(submitted, "accept", user=world.carl)

    assert accepted.screening_note == ""
    assert_recorded(
        accepted,
        records_before=1,
        transition="accept",
        from_state=S.SUBMITTED,
        to_state=S.IN_COUNCIL_REVIEW,
        actor=world.carl,
        role=Role.CASE_OFFICER,
    )


@pytest.mark.parametrize("name", others("carl"))
def test_it_denies_acceptance_to_everyone_but_the_case_officer(
    world: SimpleNamespace, draft: Application, name: str
) -> None:
    submitted = reach(draft, world, S.SUBMITTED)
    before = snapshot(submitted)

    with override("en"), pytest.raises(TransitionNotPermitted) as caught:
        perform(submitted, "accept", user=getattr(world, name))

    assert caught.value.message == not_permitted_message("accept")
    assert snapshot(submitted) == before
    assert perform(submitted, "accept", user=world.carl).status == S.IN_COUNCIL_REVIEW


@pytest.mark.parametrize("status", states_except(S.SUBMITTED))
def test_it_refuses_acceptance_in_any_state_but_submitted(
    world: SimpleNamespace, draft: Application, status: str
) -> None:
    application = reach(draft, world, status)
    before = snapshot(application)

    with override("en"), pytest.raises(TransitionNotPossible) as caught:
        perform(application, "accept", user=world.carl)

    assert caught.value.message == not_possible_message("accept", status)
    assert snapshot(application) == before
