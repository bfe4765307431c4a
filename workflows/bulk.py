"""Recording a whole agenda at once: the council's recommendations or the committee's decisions.

One submission, all or nothing. Every row runs through ``engine.perform`` in its own
savepoint, so a bad row is rolled back on its own and the remaining rows are still
checked; if any row failed, the whole attempt is rolled back and the caller gets
every row's errors. Nothing is saved, no notification is queued (``on_commit``
callbacks die with the transaction), and no decision letter is left behind.

Decision letters: ``letters.decision_letter_create`` keeps the letter's HTML in the
transaction and prints the PDF after commit, so a rolled-back attempt leaves neither
a row nor a file behind, and a 300-item agenda does not wait for 300 PDFs.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from cases import permissions, roles
from cases.errors import InvalidInput, TransitionError
from cases.models import (
    Application,
    Body,
    ConflictDeclaration,
    ConflictRuling,
    Meeting,
    RecommendationOutcome,
    Role,
    RoundCriterion,
    StatusGroup,
)
from cases.parsing import parse_int
from cases.services.meeting_prep import get_meeting_for_staff
from cases.services.meetings import READY_FOR
from workflows import engine
from workflows.application import ApplicationFlow
from workflows.flow import record_extra
from workflows.meetings import not_quorate, not_yet_held
from workflows.votes import VOTE_FIELDS

logger = logging.getLogger(__name__)

SKIP = "skip"
CENTS = Decimal("0.01")
# What each body records on this page; anything else in a row is refused on that row.
ACTIONS: dict[str, tuple[str, ...]] = {
    Body.COUNCIL: ("recommend",),
    Body.COMMITTEE: ("decide", "send_back"),
}
CHAIR_ROLE: dict[str, str] = {
    Body.COUNCIL: Role.COUNCIL_CHAIR,
    Body.COMMITTEE: Role.COMMITTEE_CHAIR,
}
# A refusal or a cut needs a completed hearing or a § 19 exception (workflows/hearing.py),
# given per row: the grounds differ from case to case.
ROW_FIELDS = (
    "outcome",
    "amount",
    "reason",
    "confirm_overrun",
    "overrun_reason",
    "hearing_exception",
    "hearing_exception_reason",
    "criteria",  # the round's criteria a recommendation rests on (recommend's own field)
    *VOTE_FIELDS,
)


# --- access --------------------------------------------------------------------------------


def get_meeting_for_chair(user: Any, pk: int) -> Meeting:
    """The meeting, for the chair of its body: 404 outside the municipality, 403 for other staff."""
    meeting = get_meeting_for_staff(user, pk)
    if not roles.profile(user).has_role(meeting.round.municipality_id, CHAIR_ROLE[meeting.body]):
        if meeting.body == Body.COUNCIL:
            raise PermissionDenied(_("Only the council's chair records its recommendations."))
        raise PermissionDenied(_("Only the committee's chair records its decisions."))
    return meeting


# --- the page's reads ----------------------------------------------------------------------


@dataclass
class SheetRow:
    position: int
    application: Application
    pending: bool
    conflicted: bool


@dataclass
class Sheet:
    """An agenda as its chair records it, from a fixed number of queries."""

    meeting: Meeting
    rows: list[SheetRow]
    pool: Decimal
    granted_before: Decimal
    chair_present: bool
    # The meeting as a whole (an item's own conflicts can still make it inquorate): its
    # date has not come, or too few of the body's members are present.
    not_held: str = ""
    not_quorate: str = ""
    # The round's criteria a council row may cite, in order (none at a committee meeting).
    criteria: list[RoundCriterion] = field(default_factory=list)

    @property
    def body(self) -> str:
        return self.meeting.body

    @property
    def may_record(self) -> bool:
        return not self.not_held and not self.not_quorate

    @property
    def pending(self) -> list[SheetRow]:
        return [row for row in self.rows if row.pending]

    @property
    def requested(self) -> Decimal:
        return sum((r.application.amount_requested or Decimal(0) for r in self.pending), Decimal(0))

    @property
    def recommended(self) -> Decimal:
        return sum(
            (r.application.recommended_amount or Decimal(0) for r in self.pending), Decimal(0)
        )


def bulk_sheet(meeting: Meeting, user: Any) -> Sheet:
    """Agenda rows with the chair's conflicts, and the round's grants so far (5 queries;
    6 at a council meeting).

    The agenda with its applications and associations; the chair's declared conflicts
    on it; who is present; the body's members (the quorum); the round's grants; at a
    council meeting, the round's criteria its recommendations may cite. Board ties come from the
    user's cached profile, which is what ``permissions.conflicted_member_ids`` reads too.
    """
    wanted = READY_FOR[Body(meeting.body)]
    items = list(
        meeting.agenda_items.select_related("application__association").order_by("position", "id")
    )
    declared = set(
        ConflictDeclaration.objects.filter(member=user, application__agenda_items__meeting=meeting)
        .exclude(ruling=ConflictRuling.NOT_CONFLICTED)
        .values_list("application_id", flat=True)
    )
    who = roles.profile(user)
    board_of = who.board_of | who.represents  # the ties of permissions.DISQUALIFYING_TIE
    present_ids = permissions.present_ids(meeting)
    municipality = meeting.round.municipality
    quorum = permissions.quorum_of(
        permissions.quorum_setting(municipality, meeting.body),
        permissions.meeting_member_ids(meeting),
        set(),
        present_ids,
    )
    body_name = (
        municipality.council_name if meeting.body == Body.COUNCIL else municipality.committee_name
    )
    granted = Application.objects.filter(
        round_id=meeting.round_id, status__in=StatusGroup.GRANTED
    ).aggregate(total=Sum("granted_amount"))["total"]
    return Sheet(
        meeting=meeting,
        rows=[
            SheetRow(
                position=item.position,
                application=item.application,
                pending=item.application.status == wanted,
                conflicted=item.application_id in declared
                or item.application.association_id in board_of,
            )
            for item in items
        ],
        pool=meeting.round.pool_amount,
        granted_before=granted or Decimal(0),
        chair_present=user.pk in present_ids,
        not_held=not_yet_held(meeting),
        not_quorate=not_quorate(quorum, meeting.body, body_name),
        criteria=list(meeting.round.criteria.order_by("position", "id"))
        if meeting.body == Body.COUNCIL
        else [],
    )


def entered_amount(body: str, application: Application, values: Mapping[str, Any]) -> Decimal:
    """What one row, as filled in, recommends or grants. static/js/bulk.js mirrors this."""
    requested = application.amount_requested or Decimal(0)
    outcome = values.get("outcome") or ""
    amount = values.get("amount")
    if body == Body.COUNCIL:
        if outcome == RecommendationOutcome.GRANT:
            return requested
        if outcome == RecommendationOutcome.PARTIAL and isinstance(amount, Decimal):
            return amount
        return Decimal(0)
    if values.get("action") != "decide" or outcome != RecommendationOutcome.GRANT:
        return Decimal(0)
    return amount if isinstance(amount, Decimal) else requested


# --- the write -----------------------------------------------------------------------------


@dataclass
class RowError:
    index: int
    application_id: int | None
    errors: dict[str, list[str]]


@dataclass
class BulkResult:
    recorded: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    general: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.general


def _as_int(value: Any) -> int | None:
    return parse_int(value)


def bulk_record(
    meeting: Meeting,
    rows: Sequence[Mapping[str, Any]],
    *,
    user: Any,
    allocation: Mapping[str, Any] | None = None,
) -> BulkResult:
    """Record every row at ``meeting`` as ``user``, or nothing at all.

    A row: ``application`` (id), ``action`` (council: ``recommend``; committee:
    ``decide`` or ``send_back``; ``skip`` or blank leaves the item alone), the
    transition's fields (``outcome``, ``amount``, ``reason``, ``confirm_overrun``,
    ``overrun_reason``, the vote: ``workflows.votes.VOTE_FIELDS``; a recommendation's
    ``criteria``: ids of the round's criteria, checked by the transition) and ``seen_version``,
    the version of the case the page showed.

    ``allocation``: the allocation assistant's proposal the page was filled from
    (``method``, ``params``, ``proposed``: application id -> amount). Each recommendation
    or decision of an item in it records ``allocation``: the method, its parameters, the
    amount proposed and the amount chosen (docs/allocation.md).
    """
    result = BulkResult()
    kept = False
    with transaction.atomic():
        if any(engine.spends_pool(action) for action in ACTIONS[meeting.body]):
            # The round before any application, as engine.take locks them: a send-back row
            # locking its case before a later decide row locked the round would deadlock
            # with a single decision holding the round and waiting for that case.
            ApplicationFlow.lock_pool(meeting.round_id)
        _record_rows(meeting, rows, user, result, allocation)
        if result.recorded and result.ok:
            kept = True
        else:
            transaction.set_rollback(True)
    if not kept:
        if result.ok:
            result.general.append(_("Nothing was recorded: fill in at least one row."))
        result.recorded = []
    return result


def allocation_payload(
    allocation: Mapping[str, Any] | None,
    body: str,
    application: Application,
    row: Mapping[str, Any],
) -> dict[str, Any]:
    """The record's ``allocation`` for one row: the proposal for it beside what was chosen."""
    proposed = (allocation or {}).get("proposed", {}).get(str(application.pk))
    if proposed is None or row.get("action") not in ("recommend", "decide"):
        return {}
    chosen = entered_amount(body, application, row)
    return {
        "allocation": {
            "method": allocation["method"] if allocation else "",
            "params": dict((allocation or {}).get("params", {})),
            "proposed": Decimal(str(proposed)).quantize(CENTS),
            "chosen": chosen.quantize(CENTS),
        }
    }


def _record_rows(
    meeting: Meeting,
    rows: Sequence[Mapping[str, Any]],
    user: Any,
    result: BulkResult,
    allocation: Mapping[str, Any] | None = None,
) -> None:
    allowed = ACTIONS[meeting.body]
    seen_status = READY_FOR[Body(meeting.body)]
    agenda = {
        item.application_id: item.application
        for item in meeting.agenda_items.select_related("application__round")  # engine.flow_for
    }
    done: set[int] = set()
    for index, row in enumerate(rows):
        action = row.get("action") or SKIP
        if action == SKIP:
            continue
        application_id = _as_int(row.get("application"))

        def fail(
            errors: dict[str, list[str]], index: int = index, pk: Any = application_id
        ) -> None:
            result.errors.append(RowError(index=index, application_id=pk, errors=errors))

        application = agenda.get(application_id) if application_id is not None else None
        if action not in allowed:
            fail({"action": [_("This meeting cannot take that action.")]})
        elif application is None:
            fail({NON_FIELD_ERRORS: [_("The application is not on this meeting's agenda.")]})
        elif application.pk in done:
            fail({NON_FIELD_ERRORS: [_("The application appears twice; record it once.")]})
        else:
            done.add(application.pk)
            data = {k: row[k] for k in ROW_FIELDS if k in row}
            extra = allocation_payload(allocation, meeting.body, application, row)
            try:
                with transaction.atomic(), record_extra(**extra):
                    engine.perform(
                        application,
                        action,
                        user=user,
                        seen_status=seen_status,
                        seen_version=_as_int(row.get("seen_version")),
                        meeting=meeting,
                        **data,
                    )
            except InvalidInput as error:
                fail(error.errors)
            except TransitionError as error:
                fail({NON_FIELD_ERRORS: [error.message]})
            else:
                result.recorded.append(application.pk)
