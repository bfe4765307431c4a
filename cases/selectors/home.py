"""Reads for "Mine opgaver", the home of each role: what needs the user now.

One function per role, each returning plain data (``Item``: a count, how long the oldest
has waited, the next deadline, where the work is done). Every function runs a fixed
number of queries however many cases there are: the counts, sums and oldest dates are
aggregated in the database (``Count``/``Min``/``Sum`` with ``filter=Q(...)`` over
``values().annotate()``), grouped per association, round or meeting, never per case.
Waiting times come from the transition records: a case has waited in its state since
its last record (``entered``).
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from cases import roles
from cases.models import (
    AgendaItem,
    Application,
    ApplicationStatus,
    Assessment,
    Association,
    Body,
    ConflictDeclaration,
    ConflictRuling,
    ConflictSource,
    GrantRound,
    Hearing,
    Meeting,
    Payout,
    RepaymentClaim,
    Role,
    StatusGroup,
)
from cases.selectors.council import assessments_overview
from cases.trail.models import TrailCheck, TransitionRecord
from cases.trail.verify import DECISIONS

S = ApplicationStatus
ZERO = Decimal("0")
COUNCIL_ROLES = (Role.COUNCIL_MEMBER, Role.COUNCIL_CHAIR)
COMMITTEE_ROLES = (Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR)
# A decision the association has received: granted (whatever came after), refused or rejected.
DECIDED = (*StatusGroup.GRANTED, S.REFUSED, S.INELIGIBLE)
# How many rounds the case officer's home shows: those with work, the latest first.
ROUNDS_SHOWN = 12
RECENT_DECISIONS = 20


@dataclass
class Target:
    """Where an item's work is done: a URL name of the screens, its arguments, a query."""

    name: str
    args: tuple[Any, ...] = ()
    query: str = ""

    @property
    def href(self) -> str:
        url = reverse(self.name, args=self.args)
        return f"{url}?{self.query}" if self.query else url


@dataclass
class Item:
    """One thing that needs the user; ``key`` names it (the template has the words)."""

    key: str
    count: int
    target: Target
    since: datetime.datetime | datetime.date | None = None  # the oldest has waited since
    deadline: datetime.datetime | datetime.date | None = None  # the next deadline
    overdue: int = 0  # how many of them are past their deadline
    amount: Decimal | None = None
    latest: datetime.datetime | datetime.date | None = None  # the newest (decisions, payouts)


def _entered() -> Subquery:
    """When the case entered the state it is in: the time of its last transition record."""
    return Subquery(
        TransitionRecord.objects.filter(application=OuterRef("pk"))
        .order_by("-seq")
        .values("created_at")[:1],
        output_field=DateTimeField(),
    )


def _last_transition() -> Subquery:
    return Subquery(
        TransitionRecord.objects.filter(application=OuterRef("pk"))
        .order_by("-seq")
        .values("transition")[:1]
    )


def _count(queryset: QuerySet[Any]) -> Coalesce:
    """COUNT(*) of ``queryset`` as a scalar subquery (no GROUP BY, no join fan-out)."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _one_or_many(one_id: int | None, count: int, one: Target, many: Target) -> Target:
    """A single case opens directly; several open the list that holds them."""
    return one if count == 1 and one_id is not None else many


# --- the association ------------------------------------------------------------------------


@dataclass
class AssociationHome:
    association: Association
    items: list[Item]
    granted_total: Decimal
    open_rounds: list[GrantRound] = field(default_factory=list)


def association_homes(user: Any) -> list[AssociationHome]:
    """One section per association the user represents (5 queries, whatever the cases).

    1 the associations; 2 their applications, counted per association and state;
    3 open hearings; 4 payouts; 5 the rounds open for applications.
    """
    ids = roles.profile(user).represents
    if not ids:
        return []
    now = timezone.now()
    today = timezone.localdate()
    associations = list(Association.objects.filter(pk__in=ids).order_by("name"))
    draft = Q(status=S.DRAFT)
    asked = Q(status=S.INFO_REQUESTED)
    decided = Q(status__in=DECIDED)
    owed = Q(status__in=StatusGroup.REPORT_OWED)
    overdue = owed & Q(round__report_deadline__lt=today)
    rows = {
        row["association_id"]: row
        for row in Application.objects.filter(association_id__in=ids)
        .annotate(entered=_entered())
        .values("association_id")
        .annotate(
            drafts=Count("id", filter=draft),
            drafts_one=Max("id", filter=draft),
            drafts_deadline=Min("round__deadline", filter=draft & Q(round__deadline__gte=now)),
            asked=Count("id", filter=asked),
            asked_one=Max("id", filter=asked),
            asked_since=Min("entered", filter=asked),
            decided=Count("id", filter=decided),
            decided_one=Max("id", filter=decided),
            decided_latest=Max("entered", filter=decided),
            owed=Count("id", filter=owed),
            owed_one=Max("id", filter=owed),
            owed_overdue=Count("id", filter=overdue),
            owed_since=Min("round__report_deadline", filter=overdue),
            owed_deadline=Min("round__report_deadline", filter=owed & ~overdue),
            granted=Sum("granted_amount", filter=Q(status__in=StatusGroup.GRANTED)),
        )
        .order_by()
    }
    hearings = {
        row["application__association_id"]: row
        for row in Hearing.objects.filter(application__association_id__in=ids, outcome="")
        .values("application__association_id")
        .annotate(n=Count("id"), one=Max("application_id"), since=Min("started_at"))
        .annotate(deadline=Min("deadline"))
        .order_by()
    }
    payouts = {
        row["application__association_id"]: row
        for row in Payout.objects.filter(application__association_id__in=ids)
        .values("application__association_id")
        .annotate(n=Count("id"), one=Max("application_id"), total=Sum("amount"))
        .annotate(latest=Max("paid_on"), cases=Count("application_id", distinct=True))
        .order_by()
    }
    open_rounds = list(
        GrantRound.objects.filter(opens_at__lte=now, deadline__gte=now)
        .select_related("municipality")
        .order_by("deadline")
    )
    mine = Target("applications:my_applications")
    homes = []
    for association in associations:
        row = rows.get(association.pk, {})
        hearing = hearings.get(association.pk, {})
        payout = payouts.get(association.pk, {})
        one = row.get
        items = [
            Item(
                "drafts",
                one("drafts", 0),
                _one_or_many(
                    one("drafts_one"),
                    one("drafts", 0),
                    Target("applications:application_edit", (one("drafts_one"),)),
                    mine,
                ),
                deadline=one("drafts_deadline"),
            ),
            Item(
                "questions",
                one("asked", 0),
                _one_or_many(
                    one("asked_one"),
                    one("asked", 0),
                    Target("applications:application_act", (one("asked_one"), "provide_info")),
                    mine,
                ),
                since=one("asked_since"),
            ),
            Item(
                "hearings",
                hearing.get("n", 0),
                _one_or_many(
                    hearing.get("one"),
                    hearing.get("n", 0),
                    Target("hearings:hearing_answer", (hearing.get("one"),)),
                    mine,
                ),
                since=hearing.get("since"),
                deadline=hearing.get("deadline"),
            ),
            Item(
                "decisions",
                one("decided", 0),
                _one_or_many(
                    one("decided_one"),
                    one("decided", 0),
                    Target("applications:application_detail", (one("decided_one"),)),
                    mine,
                ),
                latest=one("decided_latest"),
            ),
            Item(
                "payouts",
                payout.get("n", 0),
                _one_or_many(
                    payout.get("one"),
                    payout.get("cases", 0),
                    Target("applications:application_detail", (payout.get("one"),)),
                    mine,
                ),
                latest=payout.get("latest"),
                amount=payout.get("total"),
            ),
            Item(
                "reports",
                one("owed", 0),
                _one_or_many(
                    one("owed_one"),
                    one("owed", 0),
                    Target("applications:application_detail", (one("owed_one"),)),
                    mine,
                ),
                since=one("owed_since"),
                deadline=one("owed_deadline"),
                overdue=one("owed_overdue", 0),
            ),
        ]
        homes.append(
            AssociationHome(
                association=association,
                items=items,
                granted_total=one("granted") or ZERO,
                open_rounds=open_rounds,
            )
        )
    return homes


# --- the case officer -----------------------------------------------------------------------


@dataclass
class RoundWork:
    round: GrantRound
    items: list[Item]
    requested: Decimal
    recommended: Decimal
    granted: Decimal

    @property
    def left(self) -> Decimal:
        return self.round.pool_amount - self.granted


@dataclass
class OfficerHome:
    rounds: list[RoundWork]
    status_counts: dict[str, int]
    median_days: dict[str, float]


def officer_home(user: Any) -> OfficerHome | None:
    """Per round of the municipalities the user is case officer in (7 queries, whatever
    the cases): 1 the rounds with work; 2 their applications counted per round and kind
    of work, with the amounts; 3 expired hearings; 4 overdue repayment claims; 5 the
    coming meetings; 6 applications per status; 7 the time each open case entered its
    state (for the median waiting time per state: a median is not portable SQL, so the
    rows come back, two columns each, and Python takes the median)."""
    who = roles.profile(user)
    municipalities = [m for m, r in who.roles.items() if Role.CASE_OFFICER in r]
    if not municipalities:
        return None
    now = timezone.now()
    today = timezone.localdate()
    active = ~Q(applications__status__in=(S.DRAFT, *StatusGroup.FINISHED))
    rounds = list(
        GrantRound.objects.filter(municipality_id__in=municipalities)
        .annotate(active=Count("applications", filter=active))
        .filter(Q(active__gt=0) | Q(deadline__gte=now))
        .select_related("municipality")
        .order_by("-deadline", "-id")[:ROUNDS_SHOWN]
    )
    if not rounds:
        return OfficerHome(rounds=[], status_counts={}, median_days={})
    round_ids = [r.pk for r in rounds]
    council_agenda = AgendaItem.objects.filter(
        application=OuterRef("pk"), meeting__body=Body.COUNCIL
    )
    committee_agenda = AgendaItem.objects.filter(
        application=OuterRef("pk"), meeting__body=Body.COMMITTEE
    )
    submitted = Q(status=S.SUBMITTED)
    fresh = submitted & ~Q(last="provide_info")
    answered = submitted & Q(last="provide_info")
    assigned = Q(case_officer=user) & ~Q(status__in=(S.DRAFT, *StatusGroup.FINISHED))
    unplaced = Q(status=S.IN_COUNCIL_REVIEW, on_council=False) | Q(
        status=S.RECOMMENDED, on_committee=False
    )
    review = Q(status=S.REPORT_SUBMITTED)
    kinds = {"new": fresh, "answers": answered, "mine": assigned, "agenda": unplaced}
    kinds["reports"] = review
    aggregates: dict[str, Any] = {}
    for key, condition in kinds.items():
        aggregates[f"{key}_n"] = Count("id", filter=condition)
        aggregates[f"{key}_one"] = Max("id", filter=condition)
        aggregates[f"{key}_since"] = Min("entered", filter=condition)
    per_round = {
        row["round_id"]: row
        for row in Application.objects.filter(round_id__in=round_ids)
        .annotate(
            entered=_entered(),
            last=_last_transition(),
            on_council=Exists(council_agenda),
            on_committee=Exists(committee_agenda),
        )
        .values("round_id")
        .annotate(
            **aggregates,
            requested=Sum("amount_requested", filter=Q(status__in=(*StatusGroup.OPEN, *DECIDED))),
            recommended=Sum("recommended_amount", filter=Q(status=S.RECOMMENDED)),
            granted=Sum("granted_amount", filter=Q(status__in=StatusGroup.GRANTED)),
        )
        .order_by()
    }
    expired = {
        row["application__round_id"]: row
        for row in Hearing.objects.filter(
            application__round_id__in=round_ids, outcome="", deadline__lt=today
        )
        .values("application__round_id")
        .annotate(n=Count("id"), one=Max("application_id"), since=Min("deadline"))
        .order_by()
    }
    claims = {
        row["application__round_id"]: row
        for row in RepaymentClaim.objects.filter(
            application__round_id__in=round_ids, paid_on__isnull=True, due_on__lt=today
        )
        .values("application__round_id")
        .annotate(n=Count("id"), one=Max("application_id"), since=Min("due_on"))
        .annotate(amount=Sum("amount"))
        .order_by()
    }
    next_meeting: dict[int, Meeting] = {}
    for meeting in Meeting.objects.filter(round_id__in=round_ids, date__gte=today).order_by(
        "date", "id"
    ):
        next_meeting.setdefault(meeting.round_id, meeting)
    status_counts = {
        row["status"]: row["n"]
        for row in Application.objects.filter(round_id__in=round_ids)
        .exclude(status=S.DRAFT)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    }
    waited: dict[str, list[float]] = defaultdict(list)
    for status, entered in (
        Application.objects.filter(round_id__in=round_ids, status__in=StatusGroup.OPEN)
        .annotate(entered=_entered())
        .values_list("status", "entered")
    ):
        if entered is not None:
            waited[status].append((now - entered).total_seconds() / 86400)
    median_days = {status: statistics.median(days) for status, days in waited.items()}

    result = []
    for grant_round in rounds:
        row = per_round.get(grant_round.pk, {})
        inbox = Target("inbox:round_inbox", (grant_round.pk,))

        def case(pk: int | None) -> Target:
            return Target("applications:application_detail", (pk,))

        def filtered(status: str, r: GrantRound = grant_round) -> Target:
            return Target("inbox:round_inbox", (r.pk,), f"status={status}")

        items = [
            Item(
                key,
                row.get(f"{key}_n", 0),
                _one_or_many(
                    row.get(f"{key}_one"), row.get(f"{key}_n", 0), case(row.get(f"{key}_one")), many
                ),
                since=row.get(f"{key}_since"),
            )
            for key, many in (
                ("new", filtered(S.SUBMITTED)),
                ("answers", filtered(S.SUBMITTED)),
                ("mine", inbox),
            )
        ]
        meeting = next_meeting.get(grant_round.pk)
        items.append(
            Item(
                "agenda",
                row.get("agenda_n", 0),
                Target("meetings:meeting_detail", (meeting.pk,))
                if meeting
                else Target("meetings:meeting_list", (grant_round.pk,)),
                since=row.get("agenda_since"),
                deadline=meeting.date if meeting else None,
            )
        )
        items.append(
            Item(
                "reports",
                row.get("reports_n", 0),
                _one_or_many(
                    row.get("reports_one"),
                    row.get("reports_n", 0),
                    Target("after_grant:report_approve", (row.get("reports_one"),)),
                    filtered(S.REPORT_SUBMITTED),
                ),
                since=row.get("reports_since"),
            )
        )
        hearing = expired.get(grant_round.pk, {})
        items.append(
            Item(
                "hearings_expired",
                hearing.get("n", 0),
                _one_or_many(
                    hearing.get("one"),
                    hearing.get("n", 0),
                    case(hearing.get("one")),
                    filtered(S.IN_HEARING),
                ),
                since=hearing.get("since"),
                overdue=hearing.get("n", 0),
            )
        )
        claim = claims.get(grant_round.pk, {})
        items.append(
            Item(
                "claims_overdue",
                claim.get("n", 0),
                _one_or_many(claim.get("one"), claim.get("n", 0), case(claim.get("one")), inbox),
                since=claim.get("since"),
                overdue=claim.get("n", 0),
                amount=claim.get("amount"),
            )
        )
        result.append(
            RoundWork(
                round=grant_round,
                items=items,
                requested=row.get("requested") or ZERO,
                recommended=row.get("recommended") or ZERO,
                granted=row.get("granted") or ZERO,
            )
        )
    return OfficerHome(rounds=result, status_counts=status_counts, median_days=median_days)


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
            open_items=_count(open_items),
            assessed=_count(assessed),
            conflicted=_count(conflicted),
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
    rulings = Item(
        "rulings",
        pending["n"],
        _one_or_many(
            pending["one"], pending["n"], Target("council:conflict_rule", (pending["one"],)), many
        ),
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

    @property
    def pool(self) -> Decimal:
        return self.meeting.round.pool_amount

    @property
    def left(self) -> Decimal:
        return self.pool - self.granted_in_round


def committee_home(user: Any) -> list[CommitteeMeeting] | None:
    """The next committee meeting per municipality, with its agenda's totals against the
    round's pool (3 queries: the meetings, the agendas' sums, the rounds' grants)."""
    who = roles.profile(user)
    municipalities = [m for m, r in who.roles.items() if r & set(COMMITTEE_ROLES)]
    if not municipalities:
        return None
    today = timezone.localdate()
    next_meetings: dict[int, Meeting] = {}
    for meeting in (
        Meeting.objects.filter(
            body=Body.COMMITTEE, round__municipality_id__in=municipalities, date__gte=today
        )
        .select_related("round__municipality")
        .order_by("date", "id")
    ):
        next_meetings.setdefault(meeting.round.municipality_id, meeting)
    if not next_meetings:
        return []
    meetings = list(next_meetings.values())
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
        )
        for m in meetings
    ]


# --- the auditor ----------------------------------------------------------------------------


@dataclass
class AuditorHome:
    decisions: list[TransitionRecord]
    trail_check: TrailCheck | None


def auditor_home(user: Any) -> AuditorHome | None:
    """The latest decisions in the user's municipalities and the last check of the whole
    trail (2 queries)."""
    who = roles.profile(user)
    municipalities = [m for m, r in who.roles.items() if Role.AUDITOR in r]
    if not municipalities:
        return None
    decisions = list(
        TransitionRecord.objects.filter(
            transition__in=DECISIONS, application__municipality_id__in=municipalities
        )
        .select_related("application__association")
        .order_by("-created_at", "-id")[:RECENT_DECISIONS]
    )
    return AuditorHome(decisions=decisions, trail_check=TrailCheck.objects.filter(scope="").first())
