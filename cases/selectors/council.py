"""Reads for the council's screens: a member's assessment sheet and the chair's overview.

Both pages show a whole agenda (up to a few hundred items), so each is built from a
fixed number of queries: the agenda, the assessments and the conflicts of all items
are fetched once each, never per item.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from cases import roles
from cases.models import (
    AgendaItem,
    Application,
    ApplicationStatus,
    Assessment,
    AssociationMember,
    Body,
    ConflictDeclaration,
    ConflictRuling,
    ConflictSource,
    CriteriaScoring,
    CriterionVerdict,
    Meeting,
    Role,
    RoundCriterion,
    StaffRole,
)
from cases.roles import profile
from cases.selectors.criteria import (
    CriterionSummary,
    assessed_criteria,
    meeting_values,
    summarise,
)
from cases.services.meeting_prep import get_meeting_for_staff

COUNCIL_ROLES = (Role.COUNCIL_MEMBER, Role.COUNCIL_CHAIR)
BODY_ROLES = (*COUNCIL_ROLES, Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR)
# Who reads the chair's overview: the chair acts on it, the others only read.
OVERVIEW_ROLES = (Role.COUNCIL_CHAIR, Role.CASE_OFFICER, Role.AUDITOR)


# --- access --------------------------------------------------------------------------------


def get_council_meeting_for(
    user: Any, pk: int, *, roles: tuple[str, ...], message: str = ""
) -> Meeting:
    """A council meeting of the user's municipality: 404 outside it, 403 without one of ``roles``."""
    meeting = get_meeting_for_staff(user, pk)
    # A committee meeting has no assessments: for these screens it does not exist.
    if meeting.body != Body.COUNCIL:
        raise Http404(_("No such council meeting."))
    if not profile(user).has_role(meeting.round.municipality_id, *roles):
        raise PermissionDenied(
            message or _("This page is for the members of the volunteer council.")
        )
    return meeting


def agenda_application(meeting: Meeting, application_pk: int) -> Application:
    item = (
        AgendaItem.objects.select_related("application__association", "application__municipality")
        .filter(meeting=meeting, application_id=application_pk)
        .first()
    )
    if item is None:
        raise Http404(_("The application is not on this meeting's agenda."))
    return item.application


# --- one member's sheet --------------------------------------------------------------------


@dataclass
class SheetItem:
    """One agenda item as one member sees it on their assessment sheet."""

    position: int
    application: Application
    assessment: Assessment | None
    declaration: ConflictDeclaration | None
    board_tie: bool
    # Filled in by the view: the bound or unbound forms of this item.
    form: Any = None
    declare_form: Any = None

    @property
    def conflicted(self) -> bool:
        return self.board_tie or bool(self.declaration and self.declaration.excludes_member)

    @property
    def conflict_pending(self) -> bool:
        return bool(
            not self.board_tie
            and self.declaration
            and self.declaration.source == ConflictSource.DECLARED
            and self.declaration.ruling == ConflictRuling.PENDING
        )

    @property
    def may_declare(self) -> bool:
        # One declaration per member and application; a board tie needs none.
        return not self.board_tie and self.declaration is None

    @property
    def open_for_assessment(self) -> bool:
        return self.application.status == ApplicationStatus.IN_COUNCIL_REVIEW


def assessment_sheet(
    meeting: Meeting, member: Any, *, application_pk: int | None = None
) -> list[SheetItem]:
    """The agenda with the member's own assessments and conflicts (3 queries).

    The member's board ties come from their cached profile, which is what
    ``permissions.conflicted_member_ids`` reads too, so the sheet and the service agree.
    """
    items = meeting.agenda_items.select_related("application__association").order_by(
        "position", "id"
    )
    assessments = Assessment.objects.filter(meeting=meeting, member=member)
    declarations = ConflictDeclaration.objects.filter(
        member=member, application__agenda_items__meeting=meeting
    )
    if meeting.round.criteria_scoring != CriteriaScoring.NONE:
        assessments = assessments.prefetch_related("criterion_values")
    if application_pk is not None:
        items = items.filter(application_id=application_pk)
        assessments = assessments.filter(application_id=application_pk)
        declarations = declarations.filter(application_id=application_pk)
    own = {a.application_id: a for a in assessments}
    declared = {d.application_id: d for d in declarations}
    board_of = roles.profile(member).board_of
    return [
        SheetItem(
            position=item.position,
            application=item.application,
            assessment=own.get(item.application_id),
            declaration=declared.get(item.application_id),
            board_tie=item.application.association_id in board_of,
        )
        for item in items
    ]


# --- the chair's overview ------------------------------------------------------------------


@dataclass
class Cell:
    member: Any
    conflicted: bool
    assessment: Assessment | None
    # The member's value per criterion, (criterion, "4" or "Partly"), when the round has them.
    values: list[tuple[RoundCriterion, str]] = field(default_factory=list)


@dataclass
class OverviewRow:
    position: int
    application: Application
    cells: list[Cell]
    counts: dict[str, int]
    lowest: Decimal | None
    median: Decimal | None
    highest: Decimal | None
    quorum: dict[str, Any]
    conflicted_ids: set[int]
    declarations: list[ConflictDeclaration] = field(default_factory=list)
    criteria: list[CriterionSummary] = field(default_factory=list)


@dataclass
class Overview:
    members: list[Any]
    rows: list[OverviewRow]
    requested: Decimal
    median_total: Decimal
    pool: Decimal
    declarations: list[ConflictDeclaration]
    criteria: list[RoundCriterion] = field(default_factory=list)

    @property
    def remaining(self) -> Decimal:
        return self.pool - self.median_total


def _stats(amounts: list[Decimal]) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    if not amounts:
        return None, None, None
    return min(amounts), Decimal(statistics.median(amounts)), max(amounts)


def assessments_overview(meeting: Meeting) -> Overview:
    """Every item with every present member's assessment, counts and quorum (6 queries).

    The quorum is ``workflows.permissions.council_quorum`` computed for all items at once:
    the council's members are read once and the conflicts of all items in one query
    each for board ties and declarations, instead of three queries per item.
    """
    municipality = meeting.round.municipality
    members = list(
        get_user_model()
        .objects.filter(meetings_attended=meeting)
        .order_by("first_name", "last_name", "username")
    )
    items = list(
        meeting.agenda_items.select_related("application__association").order_by("position", "id")
    )
    assessed: dict[tuple[int, int], Assessment] = {
        (a.application_id, a.member_id): a for a in Assessment.objects.filter(meeting=meeting)
    }
    council_ids = set(
        StaffRole.objects.filter(
            municipality_id=municipality.pk, role__in=COUNCIL_ROLES
        ).values_list("user_id", flat=True)
    )
    board: dict[int, set[int]] = defaultdict(set)
    for association_id, user_id in AssociationMember.objects.filter(
        is_board_member=True, association__applications__agenda_items__meeting=meeting
    ).values_list("association_id", "user_id"):
        board[association_id].add(user_id)
    declarations = list(
        ConflictDeclaration.objects.filter(application__agenda_items__meeting=meeting)
        .select_related("member", "ruled_by", "application__municipality")
        .order_by("created_at", "id")
    )
    declared: dict[int, list[ConflictDeclaration]] = defaultdict(list)
    for declaration in declarations:
        declared[declaration.application_id].append(declaration)

    present = {m.pk for m in members}
    rows = []
    for item in items:
        application = item.application
        # The same rule as permissions.conflicted_member_ids: board ties always, declarations
        # until the body rules they are no conflict.
        conflicted = set(board[application.association_id]) | {
            d.member_id for d in declared[application.pk] if d.excludes_member
        }
        cells = [Cell(m, m.pk in conflicted, assessed.get((application.pk, m.pk))) for m in members]
        counted = [c.assessment for c in cells if c.assessment and not c.conflicted]
        expected = (present & council_ids) - conflicted
        counts = {
            outcome: sum(1 for a in counted if a.outcome == outcome)
            for outcome in ("grant", "partial", "refuse")
        }
        counts["missing"] = len({m for m in expected if (application.pk, m) not in assessed})
        lowest, median, highest = _stats([a.amount for a in counted])
        eligible = council_ids - conflicted
        required = municipality.council_quorum or (len(eligible) // 2 + 1)
        quorate = present & eligible
        rows.append(
            OverviewRow(
                position=item.position,
                application=application,
                cells=cells,
                counts=counts,
                quorum={
                    "met": len(quorate) >= required,
                    "present": sorted(quorate),
                    "required": required,
                    "conflicted": sorted(conflicted & present),
                },
                conflicted_ids=conflicted,
                declarations=declared[application.pk],
                lowest=lowest,
                median=median,
                highest=highest,
            )
        )
    criteria = assessed_criteria(meeting.round)
    if criteria:
        _add_criteria(meeting, criteria, rows)
    return Overview(
        criteria=criteria,
        members=members,
        rows=rows,
        requested=sum((r.application.amount_requested or Decimal("0") for r in rows), Decimal("0")),
        median_total=sum((r.median or Decimal("0") for r in rows), Decimal("0")),
        pool=meeting.round.pool_amount,
        declarations=declarations,
    )


def _add_criteria(
    meeting: Meeting, criteria: list[RoundCriterion], rows: list[OverviewRow]
) -> None:
    """Each row's summary per criterion (conflicted members not counted) and each cell's
    own values: the round's criteria and every value at the meeting, one query each."""
    values = meeting_values(meeting)
    summaries = summarise(
        criteria,
        meeting.round.criteria_scoring,
        values,
        application_ids=[row.application.pk for row in rows],
        excluded={row.application.pk: row.conflicted_ids for row in rows},
    )
    labels = dict(CriterionVerdict.choices)
    own: dict[tuple[int, int], dict[int, str]] = defaultdict(dict)
    for application_id, member_id, criterion_id, score, verdict in values:
        own[(application_id, member_id)][criterion_id] = (
            str(score) if score is not None else str(labels.get(verdict, verdict))
        )
    for row in rows:
        row.criteria = summaries.get(row.application.pk, [])
        for cell in row.cells:
            mine = own.get((row.application.pk, cell.member.pk), {})
            cell.values = [(c, mine[c.pk]) for c in criteria if c.pk in mine]
