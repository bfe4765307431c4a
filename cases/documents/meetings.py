"""The agenda (dagsorden) and the minutes (referat / beslutningsprotokol) of a meeting.

Both are assembled from what the system holds, in a fixed number of queries however
long the agenda is, and drawn twice from the same context: as a page, and as an A4
PDF printed by WeasyPrint from a print template (rendered on request, never stored).

The minutes are read from the case trail, not from the applications' current fields:
a recommendation or decision belongs to this meeting when its transition record says
so (``payload["meeting"]``, written by ``recommend`` and ``decide``). ``send_back``
records no meeting; it is attributed to the committee meeting that ``decide`` would
have picked at that moment: the latest-dated committee meeting with the case on its
agenda among those that already existed when the case was sent back. That is the
meeting where the chair had it in front of them; a send-back done before any
committee meeting was created belongs to no meeting's minutes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, Sum
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cases.documents.allocation_minutes import allocation_sections
from cases.documents.letters import print_pdf
from cases.models import (
    AgendaItem,
    Application,
    Assessment,
    AssociationMember,
    Body,
    ConflictDeclaration,
    ConflictRuling,
    ConflictSource,
    FocusArea,
    Meeting,
    RecommendationOutcome,
    Role,
    StaffRole,
    StatusGroup,
)
from cases.models.hearings import standing
from cases.permissions import DISQUALIFYING_TIE, quorum_of, quorum_setting
from cases.selectors.criteria import CriterionSummary, criterion_titles, item_summaries
from cases.services.meeting_prep import BODY_ROLES, MEETING_TRANSITIONS, body_name, display
from cases.trail.models import TransitionRecord

AGENDA_TEMPLATE = "documents/agenda.html"
MINUTES_TEMPLATE = "documents/minutes.html"


@dataclass
class Conflict:
    """One member's tie to the association behind one agenda item."""

    member: Any
    source: str
    reason: str
    ruling: str = ""
    ruled_by: Any = None
    ruling_reason: str = ""
    present: bool = False

    @property
    def is_board_tie(self) -> bool:
        return self.source == ConflictSource.BOARD_TIE

    @property
    def excludes(self) -> bool:
        # A known board tie always excludes; a declared one until the body rules otherwise.
        return self.is_board_tie or self.ruling != ConflictRuling.NOT_CONFLICTED

    @property
    def source_label(self) -> str:
        return str(ConflictSource(self.source).label)

    @property
    def ruling_label(self) -> str:
        return str(ConflictRuling(self.ruling).label) if self.ruling else ""


@dataclass
class Action:
    """A recommendation, decision or send-back recorded at this meeting."""

    record: TransitionRecord
    heading: str
    outcome_label: str
    amount: Decimal | None
    reasons: str
    overrun: dict[str, Any] | None = None
    # The criteria the recommendation rests on (payload["criteria"]), by title.
    criteria: list[str] = field(default_factory=list)


@dataclass
class Row:
    number: int
    application: Application
    conflicts: list[Conflict] = field(default_factory=list)
    left: list[Any] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    assessments: list[tuple[str, int]] = field(default_factory=list)
    criteria: list[CriterionSummary] = field(default_factory=list)
    # permissions.meeting_quorum for this item, from what the page has read already.
    quorum: dict[str, Any] = field(default_factory=dict)

    @property
    def focus_areas(self) -> list[FocusArea]:
        return list(self.application.focus_areas.all())

    @property
    def recommendation_label(self) -> str:
        outcome = self.application.recommendation_outcome
        return str(RecommendationOutcome(outcome).label) if outcome else ""


def _amount(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    return Decimal(str(value))


def _members(meeting: Meeting) -> tuple[dict[int, Any], dict[int, list[str]]]:
    """The body's members (one query) and, per member, their roles on it."""
    order = BODY_ROLES[meeting.body]  # member before chair
    users: dict[int, Any] = {}
    held: dict[int, list[str]] = defaultdict(list)
    for staff in StaffRole.objects.filter(
        municipality_id=meeting.round.municipality_id, role__in=order
    ).select_related("user"):
        users[staff.user_id] = staff.user
        held[staff.user_id].append(staff.role)
    member_roles = {
        user_id: [str(Role(r).label) for r in sorted(roles, key=order.index)]
        for user_id, roles in held.items()
    }
    return users, member_roles


def _items(meeting: Meeting) -> list[AgendaItem]:
    """The agenda in order, with each application's association and focus areas (two queries)."""
    return list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("application__association")
        .prefetch_related(
            Prefetch("application__focus_areas", queryset=FocusArea.objects.order_by("name"))
        )
        .order_by("position", "id")
    )


def _conflicts(
    applications: list[Application], members: dict[int, Any], present: set[int]
) -> dict[int, list[Conflict]]:
    """Per application, the body members' known board ties and declared ties (two queries)."""
    found: dict[tuple[int, int], Conflict] = {}
    by_association: dict[int, list[int]] = defaultdict(list)
    for application in applications:
        by_association[application.association_id].append(application.pk)
    board_ties = AssociationMember.objects.filter(
        DISQUALIFYING_TIE,
        association_id__in=list(by_association),
        user_id__in=list(members),
    ).values_list("association_id", "user_id")
    for association_id, user_id in board_ties:
        for application_id in by_association[association_id]:
            found[(application_id, user_id)] = Conflict(
                member=members[user_id],
                source=ConflictSource.BOARD_TIE,
                reason=str(ConflictSource.BOARD_TIE.label),
                present=user_id in present,
            )
    declarations = ConflictDeclaration.objects.filter(
        application_id__in=[a.pk for a in applications], member_id__in=list(members)
    ).select_related("ruled_by")
    for declaration in declarations.order_by("created_at", "id"):
        key = (declaration.application_id, declaration.member_id)
        known = found.get(key)
        found[key] = Conflict(
            member=members[declaration.member_id],
            # A board tie stays a board tie whatever else is declared about it.
            source=known.source if known else declaration.source,
            reason=declaration.reason,
            ruling=""
            if known or declaration.source != ConflictSource.DECLARED
            else declaration.ruling,
            ruled_by=declaration.ruled_by,
            ruling_reason=declaration.ruling_reason,
            present=declaration.member_id in present,
        )
    result: dict[int, list[Conflict]] = defaultdict(list)
    for (application_id, _member_id), conflict in sorted(
        found.items(), key=lambda kv: (kv[0][0], display(kv[1].member).lower())
    ):
        result[application_id].append(conflict)
    return result


def _header(meeting: Meeting) -> dict[str, Any]:
    municipality = meeting.round.municipality
    members, member_roles = _members(meeting)
    present = list(meeting.members_present.order_by("first_name", "last_name", "username"))
    present_ids = {p.pk for p in present}
    return {
        "meeting": meeting,
        "municipality": municipality,
        "grant_round": meeting.round,
        "body_name": body_name(municipality, meeting.body),
        "is_committee": meeting.body == Body.COMMITTEE,
        "is_council": meeting.body == Body.COUNCIL,
        "members": members,
        "present": [(p, member_roles.get(p.pk, [])) for p in present],
        "present_ids": present_ids,
        "absent": [
            (u, member_roles[pk])
            for pk, u in sorted(members.items(), key=lambda kv: display(kv[1]).lower())
            if pk not in present_ids
        ],
    }


def _rows(meeting: Meeting, header: dict[str, Any]) -> list[Row]:
    items = _items(meeting)
    applications = [item.application for item in items]
    conflicts = _conflicts(applications, header["members"], header["present_ids"])
    setting = quorum_setting(header["municipality"], meeting.body)
    rows = []
    for number, item in enumerate(items, start=1):
        row = Row(number=number, application=item.application)
        row.conflicts = conflicts.get(item.application_id, [])
        row.left = [c.member for c in row.conflicts if c.excludes and c.present]
        row.quorum = quorum_of(
            setting,
            set(header["members"]),
            {c.member.pk for c in row.conflicts if c.excludes},
            header["present_ids"],
        )
        rows.append(row)
    return rows


def _granted_in_round(meeting: Meeting) -> Decimal:
    total = (
        Application.objects.filter(round_id=meeting.round_id)
        .annotate(standing=standing())  # a granted case heard on its report stands granted
        .filter(standing__in=StatusGroup.GRANTED)
        .aggregate(total=Sum("granted_amount"))["total"]
    )
    return total or Decimal("0")


def _totals(meeting: Meeting, rows: list[Row]) -> dict[str, Decimal]:
    pool = meeting.round.pool_amount
    granted = _granted_in_round(meeting)
    return {
        "requested": sum(
            (r.application.amount_requested or Decimal("0") for r in rows), Decimal(0)
        ),
        "recommended": sum(
            (r.application.recommended_amount or Decimal("0") for r in rows), Decimal(0)
        ),
        "pool": pool,
        "granted": granted,
        "remaining": pool - granted,
    }


def agenda_context(meeting: Meeting) -> dict[str, Any]:
    """Everything the agenda shows. Queries: the body's members, members present, the
    items, their focus areas, board ties, declarations, the round's grants — seven,
    whatever the number of items (the meeting itself comes with its round and municipality).
    """
    header = _header(meeting)
    rows = _rows(meeting, header)
    # Per criterion, the council's values beside each item: two more queries, only for a
    # round assessed per criterion.
    criteria, summaries = item_summaries(
        meeting,
        [row.application.pk for row in rows],
        {row.application.pk: {c.member.pk for c in row.conflicts if c.excludes} for row in rows},
    )
    for row in rows:
        row.criteria = summaries.get(row.application.pk, [])
    return {
        **header,
        "rows": rows,
        "totals": _totals(meeting, rows),
        "criteria": criteria,
        "not_quorate": [row for row in rows if not row.quorum["met"]],
    }


# --- the minutes ------------------------------------------------------------------------


def _decision_label(outcome: str, amount: Decimal | None, requested: Decimal) -> str:
    if outcome == RecommendationOutcome.GRANT and amount is not None and amount < requested:
        return _("Granted in part")
    if outcome == RecommendationOutcome.GRANT:
        return _("Granted in full")
    return _("Refused")


def _action(record: TransitionRecord, application: Application) -> Action:
    payload = record.payload if isinstance(record.payload, dict) else {}
    requested = application.amount_requested or Decimal("0")
    if record.transition == "recommend":
        outcome = payload.get("outcome", "")
        return Action(
            record=record,
            heading=_("Recommendation"),
            outcome_label=str(RecommendationOutcome(outcome).label)
            if outcome in RecommendationOutcome.values
            else outcome,
            amount=_amount(payload.get("amount")),
            reasons=record.reason,
        )
    if record.transition == "decide":
        amount = _amount(payload.get("amount"))
        overrun = payload.get("overrun")
        return Action(
            record=record,
            heading=_("Decision"),
            outcome_label=_decision_label(payload.get("outcome", ""), amount, requested),
            amount=amount,
            reasons=record.reason,
            overrun={
                "total": _amount(overrun.get("total")),
                "pool": _amount(overrun.get("pool")),
                "reason": overrun.get("reason", ""),
            }
            if isinstance(overrun, dict)
            else None,
        )
    return Action(
        record=record,
        heading=_("Sent back to the council"),
        outcome_label=_("Sent back to the council"),
        amount=None,
        reasons=record.reason,
    )


def _send_back_meetings(meeting: Meeting, application_ids: list[int]) -> dict[int, list[Any]]:
    """Per application, the committee meetings with it on their agenda: (date, created, pk)."""
    result: dict[int, list[Any]] = defaultdict(list)
    rows = AgendaItem.objects.filter(
        application_id__in=application_ids, meeting__body=Body.COMMITTEE
    ).values_list("application_id", "meeting_id", "meeting__date", "meeting__created_at")
    for application_id, meeting_id, date, created_at in rows:
        result[application_id].append((date, meeting_id, created_at))
    return result


def _belongs_here(
    record: TransitionRecord, meeting: Meeting, send_back_meetings: dict[int, list[Any]]
) -> bool:
    payload = record.payload if isinstance(record.payload, dict) else {}
    if record.transition != "send_back":
        return payload.get("meeting") == meeting.pk
    if meeting.body != Body.COMMITTEE:
        return False
    existing = [
        (date, meeting_id)
        for date, meeting_id, created_at in send_back_meetings.get(record.application_id, [])
        if created_at <= record.created_at
    ]
    return bool(existing) and max(existing)[1] == meeting.pk


def _ruling(
    record: TransitionRecord, meeting: Meeting, members: dict[int, Any], rows: dict[int, Row]
) -> dict[str, Any] | None:
    """A ruling on a member's declared tie recorded at this meeting, as its minutes say it:
    the member concerned, the ruling and reasons, who took part, who recorded it."""
    payload = record.payload if isinstance(record.payload, dict) else {}
    if payload.get("meeting") != meeting.pk:
        return None

    def name(user_id: Any) -> str:
        member = members.get(user_id)
        return display(member) if member is not None else str(user_id)

    ruling = payload.get("ruling", "")
    return {
        "case_number": rows[record.application_id].application.case_number,
        "member": name(payload.get("member")),
        "ruling": str(ConflictRuling(ruling).label) if ruling in ConflictRuling.values else "",
        "ruling_reason": record.reason,
        "participants": sorted(name(pk) for pk in payload.get("participants", [])),
        "recorded_by": record.actor_name,
    }


def minutes_context(meeting: Meeting) -> dict[str, Any]:
    """The agenda's context plus what was recorded at the meeting: the meeting's
    recommendations / decisions / send-backs (one query for the trail, one for the
    committee agendas of its cases) and the council's individual assessments (one query).
    """
    context = agenda_context(meeting)
    rows: list[Row] = context["rows"]
    by_application = {row.application.pk: row for row in rows}
    ids = list(by_application)
    # The body's rulings on its members' declared ties (fvl. § 6) come from the same query.
    records = TransitionRecord.objects.filter(
        Q(flow="application", transition__in=MEETING_TRANSITIONS)
        | Q(flow="conflicts", transition="rule_conflict"),
        application_id__in=ids,
    ).order_by("created_at", "seq")
    send_backs = _send_back_meetings(meeting, ids) if meeting.body == Body.COMMITTEE else {}
    members: dict[int, Any] = context["members"]
    context["rulings"] = []
    for record in records:
        if record.flow == "conflicts":
            ruling = _ruling(record, meeting, members, by_application)
            if ruling is not None:
                context["rulings"].append(ruling)
            continue
        if not _belongs_here(record, meeting, send_backs):
            continue
        row = by_application[record.application_id]
        row.actions.append(_action(record, row.application))
        # Who was conflicted when the council recommended stays as recorded then.
        conflicted = (
            record.payload.get("conflicted", []) if isinstance(record.payload, dict) else []
        )
        for member_id in conflicted:
            member = members.get(member_id)
            if member is not None and member not in row.left:
                row.left.append(member)
    if meeting.body == Body.COUNCIL:
        labels = dict(RecommendationOutcome.choices)
        counts = (
            Assessment.objects.filter(meeting=meeting)
            .values_list("application_id", "outcome")
            .annotate(n=Count("id"))
            .order_by()
        )
        found: dict[int, dict[str, int]] = defaultdict(dict)
        for application_id, outcome, n in counts:
            found[application_id][outcome] = n
        for application_id, per_outcome in found.items():
            if application_id in by_application:
                by_application[application_id].assessments = [
                    (str(labels[o]), per_outcome[o]) for o in labels if o in per_outcome
                ]
    _cited_criteria(rows)
    decided_here = [a for row in rows for a in row.actions if a.record.transition == "decide"]
    recommended_here = [
        a for row in rows for a in row.actions if a.record.transition == "recommend"
    ]
    context["totals"]["granted_here"] = sum(
        (a.amount or Decimal("0") for a in decided_here), Decimal(0)
    )
    context["totals"]["recommended_here"] = sum(
        (a.amount or Decimal("0") for a in recommended_here), Decimal(0)
    )
    context["dealt_with"] = sum(1 for row in rows if row.actions)
    context["allocations"] = allocation_sections(rows)  # issue 20: the »Fordeling« section
    return context


def _cited_criteria(rows: list[Row]) -> None:
    """The titles of the criteria a recommendation cites (one query, only if any cites)."""
    cited = {
        id(action): action.record.payload.get("criteria") or []
        for row in rows
        for action in row.actions
        if isinstance(action.record.payload, dict)
    }
    titles = criterion_titles(pk for ids in cited.values() for pk in ids)
    for row in rows:
        for action in row.actions:
            action.criteria = [titles[pk] for pk in cited.get(id(action), []) if pk in titles]


# --- files --------------------------------------------------------------------


def pdf_filename(kind: str, meeting: Meeting) -> str:
    """dagsorden-frivillighedsradet-2027-02-01.pdf (the words in the user's language)."""
    word = _("agenda") if kind == "agenda" else _("minutes")
    name = body_name(meeting.round.municipality, meeting.body)
    return f"{slugify(word)}-{slugify(name)}-{meeting.date:%Y-%m-%d}.pdf"


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """An A4 PDF/A (tagged, like the letters), printed without any network access."""
    return print_pdf(render_to_string(template, context))
