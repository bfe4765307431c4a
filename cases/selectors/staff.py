"""Reads for the staff's screens of issue 17: the case officers one can assign to, the
inbox across rounds (with how long each case has waited), and the payouts; and a
person's exports of a round.

Each is a fixed number of queries whatever the number of cases.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery, Sum

from cases import disqualification, roles
from cases.models import Application, GrantRound, Role, RoundExport, StatusGroup
from cases.trail.models import TransitionRecord


def case_officers_of(municipality_ids: Iterable[int]) -> QuerySet[Any]:
    """The active case officers of the municipalities (one query when evaluated)."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            staff_roles__role=Role.CASE_OFFICER,
            staff_roles__municipality_id__in=list(municipality_ids),
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def with_waiting_since(queryset: QuerySet[Application]) -> QuerySet[Application]:
    """Annotate ``waiting_since``: when the case entered the state it is in (the last
    record of the trail that changed its state), for the inbox's column and its sort."""
    entered = (
        TransitionRecord.objects.filter(application_id=OuterRef("pk"))
        .exclude(from_state=F("to_state"))
        .order_by("-seq")
        .values("created_at")[:1]
    )
    return queryset.annotate(waiting_since=Subquery(entered))


def inbox_rows(queryset: QuerySet[Application]) -> QuerySet[Application]:
    """What an inbox row shows, fetched with the rows: association, round, case officer,
    focus areas (one more query, as ``focus_area_list``), waiting since and whether it waits on a disqualified
    person (annotations)."""
    return disqualification.with_waiting(
        with_waiting_since(
            # A list (to_attr), not the manager: ``focus_areas.all`` per row in the
            # template built a queryset each time even when prefetched (~0.5 ms a row).
            queryset.select_related("association", "round", "case_officer").prefetch_related(
                Prefetch("focus_areas", to_attr="focus_area_list")
            )
        )
    )


def staff_cases(user: Any) -> QuerySet[Application]:
    """Every case of every round of the user's municipalities: the search across rounds."""
    ids = roles.profile(user).municipality_ids
    return inbox_rows(Application.objects.filter(municipality_id__in=ids)).order_by(
        "submitted_at", "case_number"
    )


# --- payouts ---------------------------------------------------------------------------------


@dataclass
class PayoutTotals:
    granted: Decimal = Decimal("0")
    paid: Decimal = Decimal("0")

    @property
    def remaining(self) -> Decimal:
        return self.granted - self.paid

    def add(self, granted: Decimal, paid: Decimal) -> None:
        self.granted += granted
        self.paid += paid


@dataclass
class RoundPayouts:
    round: GrantRound
    cases: list[Application] = field(default_factory=list)
    totals: PayoutTotals = field(default_factory=PayoutTotals)


def _money(value: Any) -> Decimal:
    # SQLite's SUM loses the scale; PostgreSQL keeps it: the same on both.
    return Decimal(value or 0).quantize(Decimal("0.01"))


def payout_overview(municipality_ids: Iterable[int]) -> dict[str, Any]:
    """Per granted case, per round and in all: granted, paid, remaining. One query.

    Each case carries ``paid`` and ``remaining``; rounds come newest first, cases by number.
    """
    rows = (
        Application.objects.filter(
            municipality_id__in=list(municipality_ids),
            status__in=StatusGroup.GRANTED,
        )
        .exclude(granted_amount__isnull=True)
        .select_related("round", "association")
        .annotate(paid_sum=Sum("payouts__amount"))
        .order_by("-round__deadline", "round_id", "case_number")
    )
    rounds: dict[int, RoundPayouts] = {}
    total = PayoutTotals()
    for application in rows:
        granted = _money(application.granted_amount)
        paid = _money(application.paid_sum)
        application.paid = paid
        application.remaining = granted - paid
        group = rounds.setdefault(application.round_id, RoundPayouts(application.round))
        group.cases.append(application)
        group.totals.add(granted, paid)
        total.add(granted, paid)
    return {"rounds": list(rounds.values()), "total": total}


def round_exports_of(grant_round: GrantRound, user: Any, limit: int = 20) -> list[RoundExport]:
    """The user's latest exports of the round, newest first: one query."""
    return list(
        RoundExport.objects.filter(grant_round=grant_round, requested_by_id=user.pk)[:limit]
    )
