"""Reads for "Mine opgaver", the home of each role: what needs the user now.

One function per role, each returning plain data (``Item``: a count, how long the oldest
has waited, the next deadline, where the work is done). Every function runs a fixed
number of queries however many cases there are: the counts, sums and oldest dates are
aggregated in the database (``Count``/``Min``/``Sum`` with ``filter=Q(...)`` over
``values().annotate()``), grouped per association, round or meeting, never per case.
Waiting times come from the transition records: a case has waited in its state since
its last record (``entered_at``).

Here: the shared pieces and the association's home; the case officer's is in
``home_staff.py``, the council's, its chair's, the committee's and the auditor's in
``home_bodies.py``.
"""

from __future__ import annotations

import datetime
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
from cases.compiled import CompiledList
from cases.models import (
    Application,
    ApplicationStatus,
    Association,
    Feedback,
    GrantRound,
    Hearing,
    Payout,
    StatusGroup,
)
from cases.selectors.feedback import open_since as feedback_open_since
from cases.trail.models import TransitionRecord

S = ApplicationStatus
ZERO = Decimal("0")
# A decision the association has received: granted (whatever came after), refused or rejected.
DECIDED = (*StatusGroup.GRANTED, S.REFUSED, S.INELIGIBLE)


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


def entered_at() -> Subquery:
    """When the case entered the state it is in: the time of its last transition record."""
    return Subquery(
        TransitionRecord.objects.filter(application=OuterRef("pk"))
        .order_by("-seq")
        .values("created_at")[:1],
        output_field=DateTimeField(),
    )


def last_transition() -> Subquery:
    return Subquery(
        TransitionRecord.objects.filter(application=OuterRef("pk"))
        .order_by("-seq")
        .values("transition")[:1]
    )


def count_of(queryset: QuerySet[Any]) -> Coalesce:
    """COUNT(*) of ``queryset`` as a scalar subquery (no GROUP BY, no join fan-out)."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def one_or_many(one_id: int | None, count: int, one: Target, many: Target) -> Target:
    """A single case opens directly; several open the list that holds them."""
    return one if count == 1 and one_id is not None else many


def task(
    key: str,
    count: int,
    one_id: int | None,
    one: str,
    many: Target,
    *,
    args_after: tuple[Any, ...] = (),
    cases: int | None = None,
    **facts: Any,
) -> Item:
    """An item of ``count`` things, its link the page ``one`` of the single case (with
    ``args_after`` after the case's id) or, for several, ``many``; ``cases`` when the things
    are counted otherwise than by case (payouts)."""
    target = one_or_many(
        one_id, count if cases is None else cases, Target(one, (one_id, *args_after)), many
    )
    return Item(key, count, target, **facts)


# --- the association ------------------------------------------------------------------------


@dataclass
class AssociationHome:
    association: Association
    items: list[Item]
    granted_total: Decimal
    open_rounds: list[GrantRound] = field(default_factory=list)


# The association's home reads three aggregates per association. Each is compiled once
# per number of associations the user represents (cases/compiled.py): building and
# compiling the first, seventeen filtered aggregates, took longer than running it.
COUNTS = (
    "drafts",
    "drafts_one",
    "drafts_deadline",
    "asked",
    "asked_one",
    "asked_since",
    "decided",
    "decided_one",
    "decided_latest",
    "owed",
    "owed_one",
    "owed_overdue",
    "owed_since",
    "owed_deadline",
    "granted",
    "feedback",
    "feedback_one",
)


def _counts(ids: list[int], now: Any, today: Any, since: Any) -> QuerySet[Any]:
    """The association's applications counted per state: one row per association, the
    association's id first, then ``COUNTS`` in order."""
    draft = Q(status=S.DRAFT)
    asked = Q(status=S.INFO_REQUESTED)
    decided = Q(status__in=DECIDED)
    owed = Q(status__in=StatusGroup.REPORT_OWED)
    # Issue 20, voice: decided within the days the questionnaire stays open, not answered.
    open_feedback = decided & Q(decided_at__gte=since, answered=False)
    overdue = owed & Q(round__report_deadline__lt=today)
    counted = {
        "drafts": Count("id", filter=draft),
        "drafts_one": Max("id", filter=draft),
        "drafts_deadline": Min("round__deadline", filter=draft & Q(round__deadline__gte=now)),
        "asked": Count("id", filter=asked),
        "asked_one": Max("id", filter=asked),
        "asked_since": Min("entered", filter=asked),
        "decided": Count("id", filter=decided),
        "decided_one": Max("id", filter=decided),
        "decided_latest": Max("entered", filter=decided),
        "owed": Count("id", filter=owed),
        "owed_one": Max("id", filter=owed),
        "owed_overdue": Count("id", filter=overdue),
        "owed_since": Min("round__report_deadline", filter=overdue),
        "owed_deadline": Min("round__report_deadline", filter=owed & ~overdue),
        "granted": Sum("granted_amount", filter=Q(status__in=StatusGroup.GRANTED)),
        # Issue 20, voice: decided, the questionnaire neither answered nor declined.
        "feedback": Count("id", filter=open_feedback),
        "feedback_one": Max("id", filter=open_feedback),
    }
    return (
        Application.objects.filter(association_id__in=ids)
        .annotate(entered=entered_at())
        # Issue 20: the questionnaire answered or declined (a subquery: no query of its own).
        .annotate(answered=Exists(Feedback.objects.filter(application=OuterRef("pk"))))
        .values_list("association_id")
        .annotate(**{name: counted[name] for name in COUNTS})
        .order_by()
    )


def _hearings(ids: list[int]) -> QuerySet[Any]:
    return (
        Hearing.objects.filter(application__association_id__in=ids, outcome="")
        .values_list("application__association_id")
        .annotate(n=Count("id"), one=Max("application_id"), since=Min("started_at"))
        .annotate(deadline=Min("deadline"))
        .order_by()
    )


def _payouts(ids: list[int]) -> QuerySet[Any]:
    return (
        Payout.objects.filter(application__association_id__in=ids)
        .values_list("application__association_id")
        .annotate(n=Count("id"), one=Max("application_id"), total=Sum("amount"))
        .annotate(latest=Max("paid_on"), cases=Count("application_id", distinct=True))
        .order_by()
    )


COUNTED = CompiledList(_counts, dates=("today",), datetimes=("now", "since"))
HEARINGS = CompiledList(_hearings)
PAYOUTS = CompiledList(_payouts)
HEARING_NAMES = ("n", "one", "since", "deadline")
PAYOUT_NAMES = ("n", "one", "total", "latest", "cases")


def _by_association(rows: list[tuple[Any, ...]], names: tuple[str, ...]) -> dict[int, Any]:
    return {row[0]: dict(zip(names, row[1:], strict=True)) for row in rows}


def association_homes(user: Any) -> list[AssociationHome]:
    """One section per association the user represents (5 queries, whatever the cases).

    1 the associations; 2 their applications, counted per association and state;
    3 open hearings; 4 payouts; 5 the rounds open for applications.
    """
    ids = sorted(roles.profile(user).represents)
    if not ids:
        return []
    now = timezone.now()
    today = timezone.localdate()
    associations = list(Association.objects.filter(pk__in=ids).order_by("name"))
    rows = _by_association(
        COUNTED.rows(ids, now=now, today=today, since=feedback_open_since()), COUNTS
    )
    hearings = _by_association(HEARINGS.rows(ids), HEARING_NAMES)
    payouts = _by_association(PAYOUTS.rows(ids), PAYOUT_NAMES)
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
            task(
                "drafts",
                one("drafts", 0),
                one("drafts_one"),
                "applications:application_edit",
                mine,
                deadline=one("drafts_deadline"),
            ),
            task(
                "questions",
                one("asked", 0),
                one("asked_one"),
                "applications:application_act",
                mine,
                args_after=("provide_info",),
                since=one("asked_since"),
            ),
            task(
                "hearings",
                hearing.get("n", 0),
                hearing.get("one"),
                "hearings:hearing_answer",
                mine,
                since=hearing.get("since"),
                deadline=hearing.get("deadline"),
            ),
            task(
                "decisions",
                one("decided", 0),
                one("decided_one"),
                "applications:application_detail",
                mine,
                latest=one("decided_latest"),
            ),
            task(
                "feedback",
                one("feedback", 0),
                one("feedback_one"),
                "feedback:feedback_answer",
                mine,
            ),
            task(
                "payouts",
                payout.get("n", 0),
                payout.get("one"),
                "applications:application_detail",
                mine,
                cases=payout.get("cases", 0),
                latest=payout.get("latest"),
                amount=payout.get("total"),
            ),
            task(
                "reports",
                one("owed", 0),
                one("owed_one"),
                "applications:application_detail",
                mine,
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
