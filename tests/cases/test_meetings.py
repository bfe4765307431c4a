"""Meetings, conflicts of interest (forvaltningsloven § 3), assessments and quorum."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import override

from cases.errors import ConditionsUnmet, TransitionNotPermitted
from cases.models import Application, Body, Meeting, Role
from cases.services.meetings import (
    agenda_add,
    agenda_add_all_ready,
    assessment_record,
    conflict_declare,
    conflict_rule,
    meeting_create,
)
from cases.trail.chain import verify_records
from cases.trail.models import TransitionRecord
from tests.conftest import NO_HEARING, advance
from tests.factories import ApplicationFactory, UserFactory, give_role
from workflows import engine

pytestmark = pytest.mark.django_db


def in_review(world: SimpleNamespace, association: Any) -> Application:
    application = ApplicationFactory(round=world.round, association=association)
    application.focus_areas.set([world.focus])
    application = engine.perform(
        application, "submit", user=world.anna if association == world.a else world.bo
    )
    return engine.perform(application, "accept", user=world.carl)


def council(world: SimpleNamespace, present: list[Any]) -> Meeting:
    return meeting_create(
        grant_round=world.round,
        body=Body.COUNCIL,
        date=datetime.date(2026, 2, 1),
        members_present=present,
        acting_user=world.carl,
    )


def test_carl_puts_every_ready_application_on_the_agenda_in_one_action(
    world: SimpleNamespace,
) -> None:
    first, second = in_review(world, world.a), in_review(world, world.b)
    ApplicationFactory(round=world.round, association=world.b)  # a draft: not ready
    meeting = council(world, [world.erik])
    assert agenda_add_all_ready(meeting=meeting, acting_user=world.carl) == 2
    assert agenda_add_all_ready(meeting=meeting, acting_user=world.carl) == 0  # idempotent
    assert [i.application for i in meeting.agenda_items.all()] == [first, second]


def test_only_a_case_officer_prepares_meetings(world: SimpleNamespace) -> None:
    for user in (world.erik, world.frida, world.anna, world.helle):
        with pytest.raises(PermissionDenied):
            council(SimpleNamespace(**{**vars(world), "carl": user}), [])
    assert council(world, []).pk


def test_an_application_in_the_wrong_state_cannot_go_on_the_agenda(
    world: SimpleNamespace, draft: Any
) -> None:
    meeting = council(world, [world.erik])
    with pytest.raises(ValidationError):
        agenda_add(meeting=meeting, applications=[draft], acting_user=world.carl)


def test_dorte_on_a_board_cannot_assess_annas_application_but_can_assess_bos(
    world: SimpleNamespace,
) -> None:
    annas, bos = in_review(world, world.a), in_review(world, world.b)
    meeting = council(world, [world.dorte, world.erik])
    agenda_add_all_ready(meeting=meeting, acting_user=world.carl)
    with pytest.raises(PermissionDenied):
        assessment_record(
            meeting=meeting,
            application=annas,
            member=world.dorte,
            outcome="grant",
            amount=None,
            comment="",
        )
    assessment_record(
        meeting=meeting,
        application=bos,
        member=world.dorte,
        outcome="refuse",
        amount=None,
        comment="Uden for målgruppen",
    )
    # erik, not conflicted, can assess anna's.
    assessment_record(
        meeting=meeting,
        application=annas,
        member=world.erik,
        outcome="partial",
        amount="10000",
        comment="",
    )


def test_a_member_not_present_cannot_assess(world: SimpleNamespace) -> None:
    bos = in_review(world, world.b)
    meeting = council(world, [world.erik])
    agenda_add_all_ready(meeting=meeting, acting_user=world.carl)
    with pytest.raises(PermissionDenied):
        assessment_record(
            meeting=meeting,
            application=bos,
            member=world.dorte,
            outcome="grant",
            amount=None,
            comment="",
        )


def test_a_declared_tie_counts_until_the_chair_rules_otherwise_and_all_is_on_the_trail(
    world: SimpleNamespace,
) -> None:
    bos = in_review(world, world.b)
    meeting = council(world, [world.erik, world.dorte])
    agenda_add_all_ready(meeting=meeting, acting_user=world.carl)
    declaration = conflict_declare(
        application=bos, member=world.dorte, reason="Min søster er formand"
    )
    with pytest.raises(PermissionDenied):
        assessment_record(
            meeting=meeting,
            application=bos,
            member=world.dorte,
            outcome="grant",
            amount=None,
            comment="",
        )
    with pytest.raises(PermissionDenied):
        conflict_rule(declaration=declaration, acting_user=world.dorte, conflicted=False, reason="")
    conflict_rule(
        declaration=declaration,
        acting_user=world.erik,
        conflicted=False,
        reason="Fjern relation",
        meeting=meeting,
    )
    assessment_record(
        meeting=meeting,
        application=bos,
        member=world.dorte,
        outcome="grant",
        amount=None,
        comment="",
    )
    records = list(TransitionRecord.objects.filter(application=bos))
    assert [r.transition for r in records][-2:] == ["declare_conflict", "rule_conflict"]
    assert records[-1].payload["ruling"] == "not_conflicted"
    assert verify_records(records) is None


def test_the_council_is_not_quorate_without_its_non_conflicted_majority(
    world: SimpleNamespace,
) -> None:
    annas = in_review(world, world.a)
    # Only dorte, conflicted on anna's application, is present besides nobody: erik is absent.
    meeting = council(world, [world.dorte])
    agenda_add_all_ready(meeting=meeting, acting_user=world.carl)
    with pytest.raises(ConditionsUnmet):
        engine.perform(annas, "recommend", user=world.erik, outcome="grant")
    meeting.members_present.add(world.erik)
    recommended = engine.perform(annas, "recommend", user=world.erik, outcome="grant")
    record = TransitionRecord.objects.filter(application=annas).last()
    assert recommended.status == "recommended"
    assert record.payload["conflicted"] == [world.dorte.pk]
    assert record.payload["present"] == [world.erik.pk]


def test_a_conflicted_chair_cannot_recommend(world: SimpleNamespace) -> None:
    bos = in_review(world, world.b)
    meeting = council(world, [world.erik, world.dorte])
    agenda_add_all_ready(meeting=meeting, acting_user=world.carl)
    conflict_declare(application=bos, member=world.erik, reason="Jeg er frivillig i foreningen")
    with pytest.raises(TransitionNotPermitted):
        engine.perform(bos, "recommend", user=world.erik, outcome="grant")


def test_a_decision_beyond_the_pool_needs_a_confirmed_reason(
    world: SimpleNamespace, draft: Any
) -> None:
    from cases.errors import InvalidInput

    world.round.pool_amount = 10000
    world.round.save()
    recommended = advance(draft, world, "recommended")
    with override("en"), pytest.raises(InvalidInput) as refused:
        engine.perform(
            recommended, "decide", user=world.frida, outcome="grant", amount="20000", reason="x"
        )
    assert "above the pool" in refused.value.errors["amount"][0]
    with pytest.raises(InvalidInput) as no_reason:
        engine.perform(
            recommended,
            "decide",
            user=world.frida,
            outcome="grant",
            amount="20000",
            reason="x",
            confirm_overrun=True,
        )
    assert "overrun_reason" in no_reason.value.errors
    granted = engine.perform(
        recommended,
        "decide",
        user=world.frida,
        outcome="grant",
        amount="20000",
        reason="x",
        confirm_overrun=True,
        overrun_reason="Særlig indsats i vinter",
        **NO_HEARING,
    )
    record = TransitionRecord.objects.filter(application=granted).last()
    assert record.payload["overrun"]["reason"] == "Særlig indsats i vinter"


def test_in_a_quick_pool_the_case_officer_decides_up_to_the_ceiling(
    world: SimpleNamespace, draft: Any
) -> None:
    from cases.errors import InvalidInput

    world.round.flow = "quick_pool"
    world.round.ceiling_per_application = 15000
    world.round.save()
    submitted = engine.perform(draft, "submit", user=world.anna)
    with pytest.raises(InvalidInput):
        engine.perform(
            submitted,
            "decide_directly",
            user=world.carl,
            outcome="grant",
            amount="20000",
            reason="x",
        )
    with pytest.raises(TransitionNotPermitted):
        engine.perform(
            submitted,
            "decide_directly",
            user=world.frida,
            outcome="grant",
            amount="15000",
            reason="x",
        )
    granted = engine.perform(
        submitted,
        "decide_directly",
        user=world.carl,
        outcome="grant",
        amount="15000",
        reason="Loftet",
        **NO_HEARING,
    )
    assert granted.status == "granted"


def test_outside_a_quick_pool_the_case_officer_cannot_decide(
    world: SimpleNamespace, draft: Any
) -> None:
    submitted = engine.perform(draft, "submit", user=world.anna)
    with pytest.raises(TransitionNotPermitted):
        engine.perform(
            submitted,
            "decide_directly",
            user=world.carl,
            outcome="grant",
            amount="1000",
            reason="x",
        )


# Issue 16: a case officer declares too (carl is no longer an outsider here).
@pytest.mark.parametrize("outsider", ["anna", "bo", "gustav", "helle", "ivan"])
def test_only_those_who_act_on_the_case_declare_ties(world: SimpleNamespace, outsider: str) -> None:
    bos = in_review(world, world.b)
    with pytest.raises(PermissionDenied):
        conflict_declare(application=bos, member=getattr(world, outsider), reason="Tilknyttet")
    # dorte, a council member, may; so may carl, the case officer.
    assert conflict_declare(application=bos, member=world.dorte, reason="Tilknyttet").pk
    assert conflict_declare(application=bos, member=world.carl, reason="Min bror").role == (
        "case_officer"
    )


@pytest.mark.parametrize("outsider", ["anna", "carl", "dorte", "gustav", "helle", "ivan"])
def test_only_the_council_at_a_meeting_rules_on_a_members_tie(
    world: SimpleNamespace, outsider: str
) -> None:
    bos = in_review(world, world.b)
    meeting = council(world, [world.erik, world.dorte, getattr(world, outsider)])
    agenda_add_all_ready(meeting=meeting, acting_user=world.carl)
    declaration = conflict_declare(application=bos, member=world.dorte, reason="Tilknyttet")
    with pytest.raises(PermissionDenied):
        conflict_rule(
            declaration=declaration,
            acting_user=getattr(world, outsider),
            conflicted=False,
            reason="Ingen relation",
            meeting=meeting,
        )
    declaration.refresh_from_db()
    assert declaration.ruling == "pending"
    conflict_rule(
        declaration=declaration,
        acting_user=world.erik,
        conflicted=True,
        reason="Nær relation",
        meeting=meeting,
    )
    declaration.refresh_from_db()
    assert declaration.ruling == "conflicted"


def test_a_board_tie_cannot_be_ruled_away(world: SimpleNamespace) -> None:
    from cases.models import ConflictDeclaration, ConflictSource

    annas = in_review(world, world.a)
    tie = ConflictDeclaration.objects.create(
        application=annas, member=world.dorte, source=ConflictSource.BOARD_TIE, reason="Bestyrelse"
    )
    with pytest.raises(ValidationError):
        conflict_rule(declaration=tie, acting_user=world.erik, conflicted=False, reason="")


@pytest.mark.parametrize("outsider", ["anna", "carl", "frida", "gustav", "helle"])
def test_only_council_members_assess(world: SimpleNamespace, outsider: str) -> None:
    bos = in_review(world, world.b)
    meeting = council(world, [world.erik, getattr(world, outsider)])
    agenda_add_all_ready(meeting=meeting, acting_user=world.carl)
    with pytest.raises(PermissionDenied):
        assessment_record(
            meeting=meeting,
            application=bos,
            member=getattr(world, outsider),
            outcome="grant",
            amount=None,
            comment="",
        )
    assert assessment_record(
        meeting=meeting,
        application=bos,
        member=world.erik,
        outcome="grant",
        amount=None,
        comment="",
    ).pk


@pytest.mark.parametrize(
    ("outcome", "amount", "field"),
    [("partial", "abc", "amount"), ("partial", "30000", "amount"), ("maybe", None, "outcome")],
)
def test_a_bad_assessment_names_the_field_and_saves_nothing(
    world: SimpleNamespace, outcome: str, amount: Any, field: str
) -> None:
    from cases.models import Assessment

    bos = in_review(world, world.b)
    meeting = council(world, [world.erik])
    agenda_add_all_ready(meeting=meeting, acting_user=world.carl)
    with pytest.raises(ValidationError) as refused:
        assessment_record(
            meeting=meeting,
            application=bos,
            member=world.erik,
            outcome=outcome,
            amount=amount,
            comment="",
        )
    assert field in refused.value.message_dict
    assert not Assessment.objects.exists()


def test_a_conflict_declaration_needs_a_reason(world: SimpleNamespace) -> None:
    from cases.models import ConflictDeclaration

    bos = in_review(world, world.b)
    with pytest.raises(ValidationError) as refused:
        conflict_declare(application=bos, member=world.dorte, reason="   ")
    assert "reason" in refused.value.message_dict
    assert not ConflictDeclaration.objects.exists()


def test_a_chair_conflicted_on_the_item_cannot_rule_on_anothers_declaration(
    world: SimpleNamespace,
) -> None:
    from cases.models import ConflictDeclaration

    annas = in_review(world, world.a)
    conflict_declare(application=annas, member=world.erik, reason="Min bror er formand")
    svend = UserFactory(username="svend")
    give_role(svend, world.roskilde, Role.COUNCIL_MEMBER)
    declaration = conflict_declare(application=annas, member=svend, reason="Jeg er medlem")
    with pytest.raises(PermissionDenied, match=r"inhabil|conflicted"):
        conflict_rule(declaration=declaration, acting_user=world.erik, conflicted=False, reason="")
    assert ConflictDeclaration.objects.get(pk=declaration.pk).ruling == "pending"
