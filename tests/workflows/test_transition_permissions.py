"""Who may take which transition, from which state: one table, every cast member.

Read it as role × transition × scene → expected:

``allowed``  the transition goes through, leads where it should, and is recorded in the
             actor's role;
``403``      TransitionNotPermitted, nothing changed, and then the same request by an
             allowed user goes through, so the refusal came from the rule and not from
             the scene or the input;
``409``      TransitionNotPossible from this state (by a user who may take it elsewhere:
             someone who never may gets 403, see workflows/engine.py), nothing changed;
``400``      ConditionsUnmet in this scene, nothing changed.

Four tables make the rows. ``TRANSITIONS`` says where each transition is possible
from (an allowed row there, a 409 row from every other state) and where it leads;
``WHO_MAY`` says who may take it in a scene (everyone else in the cast gets a 403
row); ``CONFLICTED`` and ``CONDITIONS`` add the refusals that depend on more than a
role. The input of each transition is valid, so only the rule can say no; the input
checks themselves are tested beside each transition (test_application_<name>.py).
``pytest -k 403`` (or ``-k decide``, ``-k gustav``) runs a slice of the table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.translation import override

from cases.errors import ConditionsUnmet, TransitionNotPermitted, TransitionNotPossible
from cases.models import (
    Application,
    AssociationMember,
    CarryOver,
    Document,
    RepaymentClaim,
    ReportAttachment,
    Role,
    UsageReportLine,
)
from notifications.models import Notification
from workflows.engine import perform

from ..conftest import NO_HEARING, report_data
from ..factories import give_role, tie
from .support import (
    CAST,
    S,
    forget,
    not_permitted_message,
    not_possible_message,
    paper_draft,
    reach,
    records_of,
    snapshot,
)

ALLOWED, FORBIDDEN, NOT_POSSIBLE, UNMET = "allowed", "403", "409", "400"
ERRORS = {
    FORBIDDEN: TransitionNotPermitted,
    NOT_POSSIBLE: TransitionNotPossible,
    UNMET: ConditionsUnmet,
}

# How each cast member appears in a test id (see tests/conftest.py).
WHO = {
    "anna": "applicant",
    "bo": "other-associations-applicant",
    "carl": "case-officer",
    "dorte": "council-member-on-board-of-a",
    "erik": "council-chair",
    "frida": "committee-chair",
    "gustav": "auditor",
    "helle": "case-officer-elsewhere",
    "ivan": "committee-chair-elsewhere",
    "admin": "superuser",
}
# The role the transition record names when they act.
ACTS_AS = {
    "anna": "applicant",
    "carl": Role.CASE_OFFICER,
    "erik": Role.COUNCIL_CHAIR,
    "frida": Role.COMMITTEE_CHAIR,
}


# --- scenes: where a row tries the transition ----------------------------------------------


Build = Callable[[SimpleNamespace, Application], Application]


def _nothing_to_lift(world: SimpleNamespace) -> None:
    return None


@dataclass(frozen=True, eq=False)
class Scene:
    name: str  # as it appears in a test id
    status: str
    build: Build
    # Before a refused request is repeated: undo what made the actor conflicted, if anything.
    lift: Callable[[SimpleNamespace], None] = field(default=_nothing_to_lift)


@cache
def at(status: str) -> Scene:
    """anna's application for association A, brought to ``status`` by real transitions."""
    return Scene(f"in-{status}", status, lambda world, draft: reach(draft, world, status))


def _paper_draft(world: SimpleNamespace, draft: Application) -> Application:
    return paper_draft(world, received_at=timezone.now() - timedelta(days=1))


def _paper_info_requested(world: SimpleNamespace, draft: Application) -> Application:
    paper = perform(_paper_draft(world, draft), "submit", user=world.carl)
    return perform(paper, "request_info", user=world.carl, question="Hvor mange frivillige?")


def _paid_in_part(world: SimpleNamespace, draft: Application) -> Application:
    granted = reach(draft, world, S.GRANTED)
    return perform(granted, "pay", user=world.carl, amount="10000", reference="R1")


def _closed_with_a_repayment_claim(world: SimpleNamespace, draft: Application) -> Application:
    """anna spent 15,000 of the 20,000 paid; carl claimed the 5,000 back on approval."""
    paid = reach(draft, world, S.PAID)
    spent = report_data(lines=[{"description": "Lektiecafé", "spent": "15000"}])
    reported = perform(paid, "submit_report", user=world.anna, **spent)
    return perform(
        reported, "approve_report", user=world.carl, settlement="repayment", **NO_HEARING
    )


def _on_a_board(name: str, status: str, base: Scene | None = None) -> Scene:
    """Someone who sits on association A's board: disqualified in A's case until they leave
    it. ``base`` builds the case first (by default: brought to ``status``)."""
    scene = base or at(status)

    def build(world: SimpleNamespace, draft: Application) -> Application:
        application = scene.build(world, draft)
        tie(getattr(world, name), world.a, represents=False, board=True)
        forget(world)
        return application

    def lift(world: SimpleNamespace) -> None:
        AssociationMember.objects.get(user=getattr(world, name), association=world.a).delete()
        forget(world)

    where = "" if base is None else f"-{base.name}"
    return Scene(f"{name}-on-board-of-a{where}", status, build, lift)


def _heard_on_the_report(world: SimpleNamespace, draft: Application) -> Application:
    reported = reach(draft, world, S.REPORT_SUBMITTED)
    return perform(reported, "start_hearing", user=world.carl, facts="Bilagene mangler.")


def _dorte_made_council_chair(world: SimpleNamespace, draft: Application) -> Application:
    application = reach(draft, world, S.IN_COUNCIL_REVIEW)
    give_role(world.dorte, world.roskilde, Role.COUNCIL_CHAIR)
    forget(world)
    return application


PAPER_DRAFT = Scene("paper", S.DRAFT, _paper_draft)
PAPER_INFO_REQUESTED = Scene("paper", S.INFO_REQUESTED, _paper_info_requested)
HEARD_ON_THE_REPORT = Scene("heard-on-the-report", S.IN_HEARING, _heard_on_the_report)
PAID_IN_PART = Scene("paid-in-part", S.PAID, _paid_in_part)
CLOSED_WITH_A_CLAIM = Scene("closed-with-a-claim", S.CLOSED, _closed_with_a_repayment_claim)
CLOSED_WITHOUT_A_CLAIM = Scene("closed-without-a-claim", S.CLOSED, at(S.CLOSED).build)
ERIK_ON_A_BOARD = _on_a_board("erik", S.IN_COUNCIL_REVIEW)
FRIDA_ON_A_BOARD = _on_a_board("frida", S.RECOMMENDED)
DORTE_MADE_COUNCIL_CHAIR = Scene(
    "dorte-made-council-chair", S.IN_COUNCIL_REVIEW, _dorte_made_council_chair
)
# Issue 16: the case officer on A's board is disqualified in A's case, in every state.
CARL_ON_A_BOARD = {
    status: _on_a_board("carl", status) for status in (S.SUBMITTED, S.GRANTED, S.REPORT_SUBMITTED)
}
CARL_ON_A_BOARD_CLOSED = _on_a_board("carl", S.CLOSED, CLOSED_WITH_A_CLAIM)


# --- the tables ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    possible_from: tuple[Scene, ...]
    leads_to: str
    data: Callable[[], dict[str, Any]] = dict  # valid input, made afresh for every request


def _given(**data: Any) -> Callable[[], dict[str, Any]]:
    return lambda: dict(data)


TRANSITIONS: dict[str, Transition] = {
    "submit": Transition((at(S.DRAFT),), S.SUBMITTED),
    "request_info": Transition(
        (at(S.SUBMITTED),), S.INFO_REQUESTED, _given(question="Hvor mange frivillige?")
    ),
    "provide_info": Transition((at(S.INFO_REQUESTED),), S.SUBMITTED, _given(answer="Vi er 12.")),
    "accept": Transition((at(S.SUBMITTED),), S.IN_COUNCIL_REVIEW),
    "reject": Transition(
        (at(S.SUBMITTED),), S.INELIGIBLE, _given(reason="Ikke socialt arbejde", **NO_HEARING)
    ),
    "withdraw": Transition(
        tuple(
            at(s)
            for s in (
                S.DRAFT,
                S.SUBMITTED,
                S.INFO_REQUESTED,
                S.IN_COUNCIL_REVIEW,
                S.RECOMMENDED,
                S.IN_HEARING,
            )
        ),
        S.WITHDRAWN,
        _given(reason="Vi har fået midler fra en fond."),
    ),
    "recommend": Transition(
        (at(S.IN_COUNCIL_REVIEW),),
        S.RECOMMENDED,
        _given(outcome="partial", amount="20000", reason="Puljen er lille"),
    ),
    "decide": Transition(
        (at(S.RECOMMENDED),),
        S.GRANTED,
        _given(outcome="grant", amount="20000", reason="Som indstillet", **NO_HEARING),
    ),
    "send_back": Transition(
        (at(S.RECOMMENDED),), S.IN_COUNCIL_REVIEW, _given(reason="Se på budgettet igen.")
    ),
    # From paid: a further instalment, while part of the grant is still to be paid.
    "pay": Transition(
        (at(S.GRANTED), PAID_IN_PART), S.PAID, _given(amount="10000", reference="UDB-2027-17")
    ),
    "submit_report": Transition((at(S.PAID),), S.REPORT_SUBMITTED, report_data),
    "return_report": Transition(
        (at(S.REPORT_SUBMITTED),), S.PAID, _given(reason="Regnskabet mangler bilag.")
    ),
    "approve_report": Transition((at(S.REPORT_SUBMITTED),), S.CLOSED),
    "register_repayment": Transition((CLOSED_WITH_A_CLAIM,), S.CLOSED, _given(reference="IND-7")),
    # The hearing (workflows/hearing.py): from four states, back to where it came from.
    "start_hearing": Transition(
        tuple(at(s) for s in (S.SUBMITTED, S.IN_COUNCIL_REVIEW, S.RECOMMENDED, S.REPORT_SUBMITTED)),
        S.IN_HEARING,
        _given(facts="Ifølge CVR-registret har foreningen ingen bestyrelse."),
    ),
    "answer_hearing": Transition(
        (at(S.IN_HEARING),), S.SUBMITTED, _given(answer="Bestyrelsen blev valgt i marts.")
    ),
    "end_hearing": Transition((at(S.IN_HEARING),), S.SUBMITTED),
}

# Who may take the transition in the scene; everyone else in the cast is refused (403), and
# the first one named repeats each refused request. The first scene of a transition is its
# home: its rows leave the scene out of their ids.
WHO_MAY: list[tuple[str, Scene, tuple[str, ...]]] = [
    ("submit", at(S.DRAFT), ("anna",)),
    ("submit", PAPER_DRAFT, ("carl", "anna")),
    ("request_info", at(S.SUBMITTED), ("carl",)),
    ("provide_info", at(S.INFO_REQUESTED), ("anna",)),
    ("provide_info", PAPER_INFO_REQUESTED, ("carl", "anna")),
    ("accept", at(S.SUBMITTED), ("carl",)),
    ("reject", at(S.SUBMITTED), ("carl",)),
    ("withdraw", at(S.SUBMITTED), ("anna",)),
    ("withdraw", PAPER_DRAFT, ("carl", "anna")),
    ("withdraw", at(S.IN_HEARING), ("anna",)),
    ("recommend", at(S.IN_COUNCIL_REVIEW), ("erik",)),
    ("decide", at(S.RECOMMENDED), ("frida",)),
    ("send_back", at(S.RECOMMENDED), ("frida",)),
    ("pay", at(S.GRANTED), ("carl",)),
    ("pay", PAID_IN_PART, ("carl",)),
    ("submit_report", at(S.PAID), ("anna",)),
    ("return_report", at(S.REPORT_SUBMITTED), ("carl",)),
    ("approve_report", at(S.REPORT_SUBMITTED), ("carl",)),
    ("register_repayment", CLOSED_WITH_A_CLAIM, ("carl",)),
    ("start_hearing", at(S.SUBMITTED), ("carl",)),
    ("start_hearing", at(S.RECOMMENDED), ("carl",)),
    ("answer_hearing", at(S.IN_HEARING), ("anna",)),
    ("end_hearing", at(S.IN_HEARING), ("carl",)),
]

# A chair or case officer is refused on the case of an association whose board they sit on,
# told that they are disqualified and that another must act (forvaltningsloven § 3):
# (transition, scene, the disqualified person, who then repeats the request).
CONFLICTED: list[tuple[str, Scene, str, str]] = [
    ("recommend", ERIK_ON_A_BOARD, "erik", "erik"),  # once he has left A's board
    ("recommend", DORTE_MADE_COUNCIL_CHAIR, "dorte", "erik"),
    ("decide", FRIDA_ON_A_BOARD, "frida", "frida"),  # once she has left A's board
    ("send_back", FRIDA_ON_A_BOARD, "frida", "frida"),
    *(
        (name, CARL_ON_A_BOARD[S.SUBMITTED], "carl", "carl")  # once he has left A's board
        for name in ("request_info", "accept", "reject")
    ),
    ("pay", CARL_ON_A_BOARD[S.GRANTED], "carl", "carl"),
    ("return_report", CARL_ON_A_BOARD[S.REPORT_SUBMITTED], "carl", "carl"),
    ("approve_report", CARL_ON_A_BOARD[S.REPORT_SUBMITTED], "carl", "carl"),
    ("register_repayment", CARL_ON_A_BOARD_CLOSED, "carl", "carl"),
]
DISQUALIFIED = {
    "carl": "You are disqualified in this case (forvaltningsloven § 3); "
    "another case officer must act.",
    "erik": "You are disqualified in this case (forvaltningsloven § 3); "
    "another chair of the council must act.",
    "dorte": "You are disqualified in this case (forvaltningsloven § 3); "
    "another chair of the council must act.",
    "frida": "You are disqualified in this case (forvaltningsloven § 3); "
    "another chair of the committee must act.",
}

# Refused by a condition of the transition (transition, scene, actor, message).
CONDITIONS: list[tuple[str, Scene, str, str]] = [
    (
        "register_repayment",
        CLOSED_WITHOUT_A_CLAIM,
        "carl",
        "There is no outstanding repayment claim on this case.",
    ),
    # Heard on its usage report, the case was decided (granted) long ago.
    (
        "withdraw",
        HEARD_ON_THE_REPORT,
        "anna",
        "The application has been decided; the hearing concerns what followed, so the "
        "application can no longer be withdrawn.",
    ),
]


# --- the rows --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    transition: str
    scene: Scene
    actor: str
    expected: str
    then: str = ""  # after a 403: who repeats the same request
    message: str = ""  # a 400's reason; a disqualified person's 403

    @property
    def id(self) -> str:
        home = next(scene for name, scene, _ in WHO_MAY if name == self.transition)
        where = "" if self.scene is home else f"-{self.scene.name}"
        row_id = f"{self.transition}{where}-by-{self.actor}-{WHO[self.actor]}-{self.expected}"
        return row_id.replace("_", "-")


def _rows() -> list[Row]:
    rows: dict[tuple[str, Scene, str], Row] = {}

    def add(row: Row) -> None:
        # A row named twice must say the same both times: the tables may not contradict.
        same = rows.setdefault((row.transition, row.scene, row.actor), row)
        assert same.expected == row.expected, (same, row)

    for name, scene, may in WHO_MAY:
        for actor in CAST:
            if actor in may:
                add(Row(name, scene, actor, ALLOWED))
            else:
                add(Row(name, scene, actor, FORBIDDEN, then=may[0]))
    for name, scene, actor, then in CONFLICTED:
        add(Row(name, scene, actor, FORBIDDEN, then=then, message=DISQUALIFIED[actor]))
    for name, scene, actor, message in CONDITIONS:
        add(Row(name, scene, actor, UNMET, message=message))
    for name, transition in TRANSITIONS.items():
        actor = next(may[0] for n, _, may in WHO_MAY if n == name)
        for scene in transition.possible_from:
            add(Row(name, scene, actor, ALLOWED))
        possible = {scene.status for scene in transition.possible_from}
        for status in S:
            if status not in possible:
                add(Row(name, at(status), actor, NOT_POSSIBLE))
    ids = [row.id for row in rows.values()]
    assert len(set(ids)) == len(ids), "two rows share a test id"
    return list(rows.values())


ROWS = _rows()


# --- the test --------------------------------------------------------------------------------


def untouched(application: Application, media: Path) -> dict[str, Any]:
    """Everything a refused transition must leave as it was."""
    return {
        **snapshot(application),  # the row (status, version ...), records, history, payouts
        "report lines": UsageReportLine.objects.count(),
        "report attachments": ReportAttachment.objects.count(),
        "claims": list(RepaymentClaim.objects.values_list("pk", "paid_on", "paid_reference")),
        "carry-overs": CarryOver.objects.count(),
        "documents": Document.objects.count(),
        "notifications": Notification.objects.count(),
        "mail": len(mail.outbox),
        "files": sorted(p for p in media.rglob("*") if p.is_file()),
    }


def refusal_message(row: Row) -> str:
    if row.expected == FORBIDDEN:
        return row.message or not_permitted_message(row.transition)
    if row.expected == NOT_POSSIBLE:
        return not_possible_message(row.transition, row.scene.status)
    return row.message


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_transition_permissions(
    row: Row, world: SimpleNamespace, draft: Application, settings: Any
) -> None:
    transition = TRANSITIONS[row.transition]
    application = row.scene.build(world, draft)
    assert application.status == row.scene.status
    actor = getattr(world, row.actor)

    if row.expected == ALLOWED:
        records_before = len(records_of(application))
        done = perform(application, row.transition, user=actor, **transition.data())
        assert done.status == transition.leads_to
        records = records_of(done)
        assert len(records) == records_before + 1
        assert (records[-1].transition, records[-1].actor, records[-1].role) == (
            row.transition,
            actor,
            ACTS_AS[row.actor],
        )
        return

    before = untouched(application, Path(settings.MEDIA_ROOT))
    with override("en"), pytest.raises(ERRORS[row.expected]) as caught:
        perform(application, row.transition, user=actor, **transition.data())

    assert type(caught.value) is ERRORS[row.expected]  # not CaseMovedOn, a 409 of its own
    assert str(caught.value.status_code) == row.expected
    assert caught.value.message == refusal_message(row)
    assert untouched(application, Path(settings.MEDIA_ROOT)) == before

    if row.expected == FORBIDDEN:
        row.scene.lift(world)
        allowed = getattr(world, row.then)
        done = perform(application, row.transition, user=allowed, **transition.data())
        assert done.status == transition.leads_to
        assert records_of(done)[-1].actor == allowed
