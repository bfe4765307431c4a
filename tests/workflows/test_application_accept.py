"""accept: submitted → in_council_review, by carl, with an optional screening note."""

from __future__ import annotations

from types import SimpleNamespace

from cases.models import Application, Role
from workflows.engine import perform

from .support import (
    S,
    assert_recorded,
    reach,
)


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
