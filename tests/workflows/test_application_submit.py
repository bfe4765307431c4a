"""submit: draft → submitted, by the association (or carl, on a paper application)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone
from django.utils.translation import override

from cases.errors import ConditionsUnmet, TransitionNotPermitted
from cases.models import Application, AttachmentKind, Role
from workflows.engine import perform

from ..conftest import report_data
from ..factories import GrantRoundFactory, give_role, tie
from .support import (
    S,
    assert_recorded,
    forget,
    kr,
    make_application,
    paper_draft,
    reach,
    snapshot,
)


def close_the_round(world: SimpleNamespace) -> None:
    """The deadline passed yesterday."""
    world.round.opens_at = timezone.now() - timedelta(days=30)
    world.round.deadline = timezone.now() - timedelta(days=1)
    world.round.save()


def test_anna_submits_her_associations_draft(world: SimpleNamespace, draft: Application) -> None:
    submitted = perform(draft, "submit", user=world.anna)

    assert submitted.status == S.SUBMITTED
    assert submitted.submitted_at is not None
    assert_recorded(
        submitted,
        records_before=0,
        transition="submit",
        from_state=S.DRAFT,
        to_state=S.SUBMITTED,
        actor=world.anna,
        role="applicant",
        payload={"amount_requested": "25000.00", "paper": False, "received_at": None},
    )


def test_carl_submits_a_paper_application_as_case_officer(world: SimpleNamespace) -> None:
    received = timezone.now() - timedelta(days=2)
    paper = paper_draft(world, received_at=received)

    submitted = perform(paper, "submit", user=world.carl)

    assert_recorded(
        submitted,
        records_before=0,
        transition="submit",
        from_state=S.DRAFT,
        to_state=S.SUBMITTED,
        actor=world.carl,
        role=Role.CASE_OFFICER,
        payload={
            "amount_requested": "25000.00",
            "paper": True,
            "received_at": received.isoformat(),
        },
    )


# --- completeness -------------------------------------------------------------------------


def _no_budget_lines(application: Application) -> None:
    for line in application.budget_lines.all():
        line.delete()


def _lines_not_adding_up(application: Application) -> None:
    line = application.budget_lines.get(description="Udflugt")
    line.amount = Decimal("9000")
    line.save()


def _no_bylaws(application: Application) -> None:
    application.attachments.get(kind=AttachmentKind.BYLAWS).delete()


def _set(**values: object) -> Callable[[Application], None]:
    def change(application: Application) -> None:
        for field, value in values.items():
            setattr(application, field, value)
        application.save()

    return change


def _no_focus_area(application: Application) -> None:
    application.focus_areas.clear()


INCOMPLETE = {
    "no budget lines": (_no_budget_lines, "at least one budget line is needed"),
    "lines not adding up": (
        _lines_not_adding_up,
        f"the budget lines add up to {kr(24000)}, not the {kr(25000)} requested",
    ),
    "missing bylaws": (_no_bylaws, "attachment missing: bylaws"),
    "no declaration": (
        _set(declaration_correct=False),
        "the declaration that the information is correct is not given",
    ),
    "children without certificates": (
        _set(works_with_children=True),
        "child protection certificates must be obtained",
    ),
    "no focus area": (_no_focus_area, "choose at least one focus area"),
    "empty purpose": (_set(purpose="   "), "purpose is missing"),
}


@pytest.mark.parametrize("case", INCOMPLETE.values(), ids=INCOMPLETE.keys())
def test_it_refuses_an_incomplete_application_naming_what_is_missing(
    world: SimpleNamespace,
    draft: Application,
    case: tuple[Callable[[Application], None], str],
) -> None:
    make_incomplete, problem = case
    make_incomplete(draft)
    before = snapshot(draft)

    with override("en"), pytest.raises(ConditionsUnmet) as caught:
        perform(draft, "submit", user=world.anna)

    assert caught.value.message == f"The application is not complete: {problem}."
    assert snapshot(draft) == before


def test_it_names_every_missing_piece_at_once(world: SimpleNamespace, draft: Application) -> None:
    _no_budget_lines(draft)
    _set(declaration_correct=False, purpose="")(draft)

    with override("en"), pytest.raises(ConditionsUnmet) as caught:
        perform(draft, "submit", user=world.anna)

    assert caught.value.message == (
        "The application is not complete: purpose is missing; at least one budget line is "
        "needed; the declaration that the information is correct is not given."
    )


def test_it_accepts_work_with_children_once_certificates_are_obtained(
    world: SimpleNamespace, draft: Application
) -> None:
    _set(works_with_children=True, child_certificates_obtained=True)(draft)

    assert perform(draft, "submit", user=world.anna).status == S.SUBMITTED


def test_it_needs_no_focus_area_when_the_round_has_none(world: SimpleNamespace) -> None:
    plain_round = GrantRoundFactory(municipality=world.roskilde)
    application = make_application(round=plain_round, association=world.a)

    assert perform(application, "submit", user=world.anna).status == S.SUBMITTED


# --- an earlier usage report that is overdue ------------------------------------------------


def paid_earlier(world: SimpleNamespace, municipality: object, association: object) -> Application:
    """A paid application from an earlier round, submitted by anna (who must represent it)."""
    earlier_round = GrantRoundFactory(municipality=municipality, name="§ 18-puljen 2026")
    application = make_application(round=earlier_round, association=association)
    return reach(application, world, S.PAID)


def make_report_due(application: Application, days_from_today: int) -> None:
    grant_round = application.round
    grant_round.report_deadline = timezone.localdate() + timedelta(days=days_from_today)
    grant_round.save()


def test_it_refuses_submission_while_an_earlier_usage_report_is_overdue(
    world: SimpleNamespace, draft: Application
) -> None:
    earlier = paid_earlier(world, world.roskilde, world.a)
    make_report_due(earlier, days_from_today=-1)
    before = snapshot(draft)

    with override("en"), pytest.raises(ConditionsUnmet) as caught:
        perform(draft, "submit", user=world.anna)

    assert caught.value.message == (
        f"The association's usage report for case {earlier.case_number} is overdue. "
        "A new application can be submitted once it has been received."
    )
    assert snapshot(draft) == before

    perform(earlier, "submit_report", user=world.anna, **report_data())
    assert perform(draft, "submit", user=world.anna).status == S.SUBMITTED


def test_a_usage_report_due_today_is_not_yet_overdue(
    world: SimpleNamespace, draft: Application
) -> None:
    earlier = paid_earlier(world, world.roskilde, world.a)
    make_report_due(earlier, days_from_today=0)

    assert perform(draft, "submit", user=world.anna).status == S.SUBMITTED


def test_an_overdue_report_in_another_municipality_does_not_block(
    world: SimpleNamespace, draft: Application
) -> None:
    # The same people run Næstved's pool for this test, so the happy path can be walked there.
    for name, role in (
        ("carl", Role.CASE_OFFICER),
        ("erik", Role.COUNCIL_CHAIR),
        ("frida", Role.COMMITTEE_CHAIR),
    ):
        give_role(getattr(world, name), world.naestved, role)
    # Næstved's committee has ivan too, who is not at frida's meeting: one member suffices.
    world.naestved.committee_quorum = 1
    world.naestved.save()
    forget(world)
    earlier = paid_earlier(world, world.naestved, world.a)
    make_report_due(earlier, days_from_today=-30)

    assert perform(draft, "submit", user=world.anna).status == S.SUBMITTED


def test_an_overdue_report_of_another_association_does_not_block(
    world: SimpleNamespace, draft: Application
) -> None:
    tie(world.anna, world.b)  # anna also represents B, so she can walk B's case to paid
    forget(world)
    earlier = paid_earlier(world, world.roskilde, world.b)
    make_report_due(earlier, days_from_today=-30)

    assert perform(draft, "submit", user=world.anna).status == S.SUBMITTED


# --- the deadline and paper applications ----------------------------------------------------


def test_it_refuses_submission_after_deadline(world: SimpleNamespace, draft: Application) -> None:
    close_the_round(world)
    before = snapshot(draft)

    with override("en"), pytest.raises(ConditionsUnmet) as caught:
        perform(draft, "submit", user=world.anna)

    assert caught.value.message.startswith("The deadline for this round was ")
    assert snapshot(draft) == before


def test_carl_submits_a_paper_application_received_in_time_after_the_deadline(
    world: SimpleNamespace,
) -> None:
    close_the_round(world)
    paper = paper_draft(world, received_at=world.round.deadline - timedelta(hours=1))

    with pytest.raises(TransitionNotPermitted):
        perform(paper, "submit", user=world.bo)
    assert perform(paper, "submit", user=world.carl).status == S.SUBMITTED


def test_it_refuses_a_paper_application_received_after_the_deadline(
    world: SimpleNamespace,
) -> None:
    close_the_round(world)
    paper = paper_draft(world, received_at=world.round.deadline + timedelta(seconds=1))
    before = snapshot(paper)

    with override("en"), pytest.raises(ConditionsUnmet) as caught:
        perform(paper, "submit", user=world.carl)

    assert caught.value.message.startswith("The deadline for this round was ")
    assert snapshot(paper) == before
