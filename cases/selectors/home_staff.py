"""Reads for the case officer's home ("Mine opgaver"): the work per round, the pool as a
gauge, applications per status and the median waiting time per open state.

A fixed number of queries, as every home (see cases/selectors/home.py).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
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
    Body,
    GrantRound,
    Hearing,
    Meeting,
    RepaymentClaim,
    Role,
    StatusGroup,
)
from cases.selectors.home import (
    DECIDED,
    ZERO,
    Item,
    Target,
    entered_at,
    last_transition,
    task,
)

S = ApplicationStatus
ROUNDS_SHOWN = 12  # the rounds with work, the latest first

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


_WORK_COLUMNS = (
    "id", "round_id", "status", "case_officer_id", "amount_requested", "recommended_amount",
    "granted_amount", "entered", "last", "on_council", "on_committee",
)  # fmt: skip
_UNFINISHED = {S.DRAFT, *StatusGroup.FINISHED}


def _work_kinds(row: tuple[Any, ...], user_id: int) -> list[str]:
    """The kinds of work an application is (new, answers, mine, agenda, reports)."""
    _pk, _round, status, officer, *_amounts, _entered, last, on_council, on_committee = row
    kinds = []
    if status == S.SUBMITTED:
        kinds.append("answers" if last == "provide_info" else "new")
    if officer == user_id and status not in _UNFINISHED:
        kinds.append("mine")
    if (status == S.IN_COUNCIL_REVIEW and not on_council) or (
        status == S.RECOMMENDED and not on_committee
    ):
        kinds.append("agenda")
    if status == S.REPORT_SUBMITTED:
        kinds.append("reports")
    return kinds


def _work_per_round(rows: Any, user_id: int) -> dict[int, dict[str, Any]]:
    """Per round: ``<kind>_n``, ``<kind>_one`` (the largest id), ``<kind>_since`` (the
    earliest entry into the state), and the requested/recommended/granted sums.

    Summed here, not in SQL: as COUNT/MIN … FILTER the database evaluated the trail
    subqueries once per FILTER (a dozen times a row), and the plan's cost estimate crossed
    PostgreSQL's JIT threshold: ~250 ms of JIT compiling on every request (issue 19). The
    rows are the page's own (ROUNDS_SHOWN rounds of one municipality).
    """
    open_or_decided = {*StatusGroup.OPEN, *DECIDED}
    granted = set(StatusGroup.GRANTED)
    per_round: dict[int, dict[str, Any]] = {}
    for row in rows:
        pk, round_id, status, _officer, requested, recommended, granted_amount, entered = row[:8]
        found = per_round.setdefault(round_id, {})
        for kind in _work_kinds(row, user_id):
            found[f"{kind}_n"] = found.get(f"{kind}_n", 0) + 1
            found[f"{kind}_one"] = max(found.get(f"{kind}_one") or pk, pk)
            if entered is not None:
                since = found.get(f"{kind}_since")
                found[f"{kind}_since"] = entered if since is None else min(since, entered)
        for key, amount, counts in (
            ("requested", requested, status in open_or_decided),
            ("recommended", recommended, status == S.RECOMMENDED),
            ("granted", granted_amount, status in granted),
        ):
            if counts and amount is not None:
                found[key] = found.get(key, ZERO) + amount
    return per_round


# officer_home's seven reads, each compiled once per number of ids (cases/compiled.py):
# Django built them anew on every request, in more time than the database ran them.
def _rounds(municipalities: list[int], now: Any) -> QuerySet[GrantRound]:
    active = ~Q(applications__status__in=(S.DRAFT, *StatusGroup.FINISHED))
    return (
        GrantRound.objects.filter(municipality_id__in=municipalities)
        .annotate(active=Count("applications", filter=active))
        .filter(Q(active__gt=0) | Q(deadline__gte=now))
        .select_related("municipality")
        .order_by("-deadline", "-id")[:ROUNDS_SHOWN]
    )


def _work(round_ids: list[int]) -> QuerySet[Any]:
    # The meetings of these rounds only (an application is put on its own round's
    # meetings, cases.services.meetings): PostgreSQL runs this EXISTS as a hashed subplan,
    # which read every agenda item in the country (issue 19).
    def on_agenda(body: str) -> Exists:
        return Exists(
            AgendaItem.objects.filter(
                application=OuterRef("pk"), meeting__body=body, meeting__round_id__in=round_ids
            )
        )

    return (
        Application.objects.filter(round_id__in=round_ids)
        .annotate(
            entered=entered_at(),
            last=last_transition(),
            on_council=on_agenda(Body.COUNCIL),
            on_committee=on_agenda(Body.COMMITTEE),
        )
        .values_list(*_WORK_COLUMNS)
    )


def _expired(round_ids: list[int], today: Any) -> QuerySet[Any]:
    return (
        Hearing.objects.filter(application__round_id__in=round_ids, outcome="", deadline__lt=today)
        .values("application__round_id")
        .annotate(n=Count("id"), one=Max("application_id"), since=Min("deadline"))
        .order_by()
        .values_list("application__round_id", "n", "one", "since")
    )


def _claims(round_ids: list[int], today: Any) -> QuerySet[Any]:
    return (
        RepaymentClaim.objects.filter(
            application__round_id__in=round_ids, paid_on__isnull=True, due_on__lt=today
        )
        .values("application__round_id")
        .annotate(n=Count("id"), one=Max("application_id"), since=Min("due_on"))
        .annotate(amount=Sum("amount"))
        .order_by()
        .values_list("application__round_id", "n", "one", "since", "amount")
    )


_ROUNDS = CompiledList(_rounds, datetimes=("now",))
_WORK = CompiledList(_work)
_EXPIRED = CompiledList(_expired, dates=("today",))
_CLAIMS = CompiledList(_claims, dates=("today",))
_MEETINGS = CompiledList(
    lambda round_ids, today: Meeting.objects.filter(
        round_id__in=round_ids, date__gte=today
    ).order_by("date", "id"),
    dates=("today",),
)
_STATUS_COUNTS = CompiledList(
    lambda round_ids: (
        Application.objects.filter(round_id__in=round_ids)
        .exclude(status=S.DRAFT)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("status", "n")
    )
)
_ENTERED = CompiledList(
    lambda round_ids: (
        Application.objects.filter(round_id__in=round_ids, status__in=StatusGroup.OPEN)
        .annotate(entered=entered_at())
        .values_list("status", "entered")
    )
)


def officer_home(user: Any) -> OfficerHome | None:
    """Per round of the municipalities the user is case officer in (7 queries, whatever
    the cases): 1 the rounds with work; 2 their applications counted per round and kind
    of work, with the amounts (the rounds' rows, summed in Python: see ``_work_per_round``);
    3 expired hearings; 4 overdue repayment claims; 5 the
    coming meetings; 6 applications per status; 7 the time each open case entered its
    state (for the median waiting time per state: a median is not portable SQL, so the
    rows come back, two columns each, and Python takes the median)."""
    who = roles.profile(user)
    municipalities = [m for m, r in who.roles.items() if Role.CASE_OFFICER in r]
    if not municipalities:
        return None
    now = timezone.now()
    today = timezone.localdate()
    rounds = _ROUNDS.objects(sorted(municipalities), now=now)
    if not rounds:
        return OfficerHome(rounds=[], status_counts={}, median_days={})
    round_ids = [r.pk for r in rounds]
    per_round = _work_per_round(_WORK.rows(round_ids), user.pk)
    expired = {
        round_id: {"n": n, "one": one, "since": since}
        for round_id, n, one, since in _EXPIRED.rows(round_ids, today=today)
    }
    claims = {
        round_id: {"n": n, "one": one, "since": since, "amount": amount}
        for round_id, n, one, since, amount in _CLAIMS.rows(round_ids, today=today)
    }
    next_meeting: dict[int, Meeting] = {}
    for meeting in _MEETINGS.objects(round_ids, today=today):
        next_meeting.setdefault(meeting.round_id, meeting)
    status_counts = dict(_STATUS_COUNTS.rows(round_ids))
    waited: dict[str, list[float]] = defaultdict(list)
    for status, entered in _ENTERED.rows(round_ids):
        if entered is not None:
            waited[status].append((now - entered).total_seconds() / 86400)
    median_days = {status: statistics.median(days) for status, days in waited.items()}

    result = []
    for grant_round in rounds:
        row = per_round.get(grant_round.pk, {})
        inbox = Target("inbox:round_inbox", (grant_round.pk,))

        def filtered(status: str, r: GrantRound = grant_round) -> Target:
            return Target("inbox:round_inbox", (r.pk,), f"status={status}")

        items = [
            task(
                key,
                row.get(f"{key}_n", 0),
                row.get(f"{key}_one"),
                "applications:application_detail",
                many,
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
            task(
                "reports",
                row.get("reports_n", 0),
                row.get("reports_one"),
                "after_grant:report_approve",
                filtered(S.REPORT_SUBMITTED),
                since=row.get("reports_since"),
            )
        )
        hearing = expired.get(grant_round.pk, {})
        items.append(
            task(
                "hearings_expired",
                hearing.get("n", 0),
                hearing.get("one"),
                "applications:application_detail",
                filtered(S.IN_HEARING),
                since=hearing.get("since"),
                overdue=hearing.get("n", 0),
            )
        )
        claim = claims.get(grant_round.pk, {})
        items.append(
            task(
                "claims_overdue",
                claim.get("n", 0),
                claim.get("one"),
                "applications:application_detail",
                inbox,
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
