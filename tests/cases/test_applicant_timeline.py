"""The applicant's own timeline keeps to the allow-list (cases/trail/disclosure.py): what the
law and good practice give them, never a step or a payload key nobody has placed — such as
a staff file note, a member's private declaration or the members' assessments."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from cases.models import Application, ApplicationStatus
from cases.services.meetings import conflict_declare
from cases.trail.chain import record_transition
from cases.trail.disclosure import disclosed_records
from cases.trail.models import TransitionRecord

from ..conftest import advance

pytestmark = pytest.mark.django_db


def test_unplaced_steps_and_keys_never_reach_the_applicant(
    world: SimpleNamespace, draft: Application
) -> None:
    granted = advance(draft, world, ApplicationStatus.GRANTED)
    conflict_declare(application=granted, member=world.dorte, reason="Min bror er formand")
    # A step another part adds before it is placed (a staff file note), and an internal key
    # on a step that is shown.
    record_transition(
        application=granted,
        flow="notes",
        transition="add_note",
        from_state=granted.status,
        to_state=granted.status,
        actor=world.carl,
        role="case_officer",
        reason="Telefonnotat: formanden lød usikker",
    )
    records = list(TransitionRecord.objects.filter(application=granted).order_by("seq"))

    shown = disclosed_records(world.anna, granted, records)
    texts = repr([(r.transition, r.reason, r.payload) for r in shown])
    assert [r.transition for r in shown] == ["submit", "accept", "recommend", "decide"]
    for secret in ("Telefonnotat", "Min bror", "present", "conflicted", "assessments"):
        assert secret not in texts
    assert [r.seq for r in shown] == [1, 2, 3, 4]  # no gaps that count hidden events
    decide = shown[-1]
    assert decide.payload["amount"] and decide.reason  # the decision and its reasons

    # The municipality's staff read every record as stored.
    assert len(disclosed_records(world.carl, granted, records)) == len(records)
