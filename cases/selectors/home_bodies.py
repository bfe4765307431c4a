"""Reads for the homes of the council, its chair, the committee and the auditor.

A fixed number of queries, as every home (see cases/selectors/home.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    Exists,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.utils import timezone

from cases import roles
from cases.compiled import CompiledList
from cases.models import (
    AgendaItem,
    Application,
    ApplicationStatus,
    Assessment,
    Body,
    ConflictDeclaration,
    ConflictRuling,
    ConflictSource,
    Meeting,
    Role,
    StatusGroup,
)
from cases.selectors.council import assessments_overview
from cases.selectors.home import ZERO, Item, Target, count_of, task
from cases.trail.models import TrailCheck, TransitionRecord
from cases.trail.verify import DECISIONS

S = ApplicationStatus
COUNCIL_ROLES = (Role.COUNCIL_MEMBER, Role.COUNCIL_CHAIR)
COMMITTEE_ROLES = (Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR)
RECENT_DECISIONS = 20

# --- the council ----------------------------------------------------------------------------


@dataclass
class SheetWork:
    """A coming council meeting and how much of the member's assessment sheet is left."""

    meeting: Meeting
    open_items: int
    assessed: int
    conflicted: int

    @property
    def to_fill(self) -> int:
        return max(self.open_items - self.assessed - self.conflicted, 0)


def council_sheets(user: Any) -> list[SheetWork] | None:
    """The coming council meetings the member is registered for, each with the items still
    to assess on their sheet (1 query: the counts are scalar subqueries per meeting)."""
    who = roles.profile(user)
    municipalities = [m for m, r in who.roles.items() if r & set(COUNCIL_ROLES)]
    if not municipalities:
        return None
    today = timezone.localdate()
    ties = who.board_of | who.represents  # the ties of permissions.DISQUALIFYING_TIE
    open_items = AgendaItem.objects.filter(
        meeting=OuterRef("pk"), application__status=S.IN_COUNCIL_REVIEW
    )
    assessed = Assessment.objects.filter(
        meeting=OuterRef("pk"), member=user, application__status=S.IN_COUNCIL_REVIEW
    )
    declared = ConflictDeclaration.objects.filter(
        member=user, application=OuterRef("application")
    ).exclude(ruling=ConflictRuling.NOT_CONFLICTED)
    conflicted = open_items.filter(Q(application__association_id__in=ties) | Exists(declared))
    meetings = (
        Meeting.objects.filter(
            body=Body.COUNCIL,
            round__municipality_id__in=municipalities,
            date__gte=today,
            members_present=user,
        )
        .select_related("round")
        .annotate(
            open_items=count_of(open_items),
            assessed=count_of(assessed),
            conflicted=count_of(conflicted),
        )
        .order_by("date", "id")
    )
    return [
        SheetWork(meeting=m, open_items=m.open_items, assessed=m.assessed, conflicted=m.conflicted)
        for m in meetings
    ]


@dataclass
class Readiness:
    """The chair's view of the next council meeting: which items are ready to recommend."""

    meeting: Meeting
    items: int
    all_sheets: int
    quorate: int


@dataclass
class ChairHome:
    rulings: Item
    readiness: list[Readiness]


def chair_home(user: Any) -> ChairHome | None:
    """Declarations awaiting the council's ruling (1 query) and, for the next council
    meeting in each municipality the user chairs, the items with every sheet in and a
    quorum (1 query, then ``assessments_overview``'s fixed 6 per meeting)."""
    who = roles.profile(user)
    municipalities = [m for m, r in who.roles.items() if Role.COUNCIL_CHAIR in r]
    if not municipalities:
        return None
    today = timezone.localdate()
    pending = (
        ConflictDeclaration.objects.filter(
            application__municipality_id__in=municipalities,
            ruling=ConflictRuling.PENDING,
            source=ConflictSource.DECLARED,
        )
        .filter(Q(role__in=COUNCIL_ROLES) | Q(role=""))
        .exclude(member=user)
        .aggregate(n=Count("id"), one=Max("id"), since=Min("created_at"))
    )
    next_meetings: dict[int, Meeting] = {}
    for meeting in (
        Meeting.objects.filter(
            body=Body.COUNCIL, round__municipality_id__in=municipalities, date__gte=today
        )
        .select_related("round__municipality")
        .order_by("date", "id")
    ):
        next_meetings.setdefault(meeting.round.municipality_id, meeting)
    readiness = []
    for meeting in next_meetings.values():
        overview = assessments_overview(meeting)
        readiness.append(
            Readiness(
                meeting=meeting,
                items=len(overview.rows),
                all_sheets=sum(1 for row in overview.rows if row.counts["missing"] == 0),
                quorate=sum(1 for row in overview.rows if row.quorum["met"]),
            )
        )
    first = next(iter(next_meetings.values()), None)
    many = (
        Target("council:meeting_assessments", (first.pk,))
        if first
        else Target("council:manager_conflicts")
    )
    rulings = task(
        "rulings",
        pending["n"],
        pending["one"],
        "council:conflict_rule",
        many,
        since=pending["since"],
    )
    return ChairHome(rulings=rulings, readiness=readiness)


# --- the committee --------------------------------------------------------------------------


@dataclass
class CommitteeMeeting:
    meeting: Meeting
    items: int
    to_decide: int
    requested: Decimal
    recommended: Decimal
    granted_in_round: Decimal
    # The chair records the decisions at the meeting (the bulk page); members read.
    chairs: bool = False

    @property
    def pool(self) -> Decimal:
        return self.meeting.round.pool_amount

    @property
    def left(self) -> Decimal:
        return self.pool - self.granted_in_round


def committee_home(user: Any) -> list[CommitteeMeeting] | None:
    """The next committee meeting per municipality, and any meeting already held whose
    decisions are not yet recorded, with each agenda's totals against the round's pool
    (3 queries: the meetings, the agendas' sums, the rounds' grants)."""
    who = roles.profile(user)
    municipalities = [m for m, r in who.roles.items() if r & set(COMMITTEE_ROLES)]
    if not municipalities:
        return None
    today = timezone.localdate()
    held_undecided = Q(date__lt=today, agenda_items__application__status=S.RECOMMENDED)
    next_meetings: dict[int, Meeting] = {}
    meetings: list[Meeting] = []
    for meeting in (
        Meeting.objects.filter(body=Body.COMMITTEE, round__municipality_id__in=municipalities)
        .filter(Q(date__gte=today) | held_undecided)
        .distinct()
        .select_related("round__municipality")
        .order_by("date", "id")
    ):
        if meeting.date < today:
            meetings.append(meeting)  # held, and the decisions are still to be recorded
        elif meeting.round.municipality_id not in next_meetings:
            next_meetings[meeting.round.municipality_id] = meeting
            meetings.append(meeting)
    if not meetings:
        return []
    sums = {
        row["meeting_id"]: row
        for row in AgendaItem.objects.filter(meeting__in=meetings)
        .values("meeting_id")
        .annotate(
            items=Count("id"),
            to_decide=Count("id", filter=Q(application__status=S.RECOMMENDED)),
            requested=Sum("application__amount_requested"),
            recommended=Sum("application__recommended_amount"),
        )
        .order_by()
    }
    granted = {
        row["round_id"]: row["granted"]
        for row in Application.objects.filter(
            round_id__in={m.round_id for m in meetings}, status__in=StatusGroup.GRANTED
        )
        .values("round_id")
        .annotate(granted=Sum("granted_amount"))
        .order_by()
    }
    return [
        CommitteeMeeting(
            meeting=m,
            items=sums.get(m.pk, {}).get("items", 0),
            to_decide=sums.get(m.pk, {}).get("to_decide", 0),
            requested=sums.get(m.pk, {}).get("requested") or ZERO,
            recommended=sums.get(m.pk, {}).get("recommended") or ZERO,
            granted_in_round=granted.get(m.round_id) or ZERO,
            chairs=who.has_role(m.round.municipality_id, Role.COMMITTEE_CHAIR),
        )
        for m in meetings
    ]


# --- the auditor ----------------------------------------------------------------------------


@dataclass
class AuditorHome:
    decisions: list[TransitionRecord]
    trail_check: TrailCheck | None


def _recent(municipalities: list[int]) -> QuerySet[Any]:
    latest = (
        TransitionRecord.objects.filter(
            transition__in=DECISIONS, application__municipality_id__in=municipalities
        )
        .order_by("-created_at", "-id")
        .values("pk")[:RECENT_DECISIONS]
    )
    # The latest ids first, then their applications and associations (still one query):
    # joined before the LIMIT, PostgreSQL hashed every association in the country. Only
    # the columns the table shows: a record's state is a copy of the whole case, and the
    # case and association rows are wide (reading them all doubled the home's time).
    return (
        TransitionRecord.objects.filter(pk__in=latest)
        .select_related("application__association")
        .only(
            "application__case_number",
            "application__association__name",
            "created_at",
            "to_state",
            "payload",
        )
        .order_by("-created_at", "-id")
    )


# The auditor's home reads it on every visit: compiled once per number of municipalities.
RECENT = CompiledList(_recent)


def auditor_home(user: Any) -> AuditorHome | None:
    """The latest decisions in the user's municipalities and the last check of the whole
    trail (2 queries)."""
    who = roles.profile(user)
    municipalities = [m for m, r in who.roles.items() if Role.AUDITOR in r]
    if not municipalities:
        return None
    decisions = RECENT.objects(sorted(municipalities))
    return AuditorHome(decisions=decisions, trail_check=TrailCheck.objects.filter(scope="").first())


# --- the manager ----------------------------------------------------------------------------


def manager_home(user: Any) -> Item | None:
    """The case officers' declared ties awaiting the manager's ruling (fvl. § 6; 1 query)."""
    who = roles.profile(user)
    municipalities = [m for m, r in who.roles.items() if Role.MANAGER in r]
    if not municipalities:
        return None
    pending = ConflictDeclaration.objects.filter(
        application__municipality_id__in=municipalities,
        role=Role.CASE_OFFICER,
        source=ConflictSource.DECLARED,
        ruling=ConflictRuling.PENDING,
    ).aggregate(n=Count("id"), one=Max("id"), since=Min("created_at"))
    return task(
        "officer_rulings",
        pending["n"],
        pending["one"],
        "council:conflict_rule",
        Target("council:manager_conflicts"),
        since=pending["since"],
    )
