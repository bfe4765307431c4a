"""Reads for the screens, each a fixed number of queries however much data there is."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Sum

from cases import roles
from cases.access import visible_applications
from cases.models import Application, ApplicationStatus, FocusArea, GrantRound
from cases.selectors.staff import inbox_rows
from cases.trail.models import TransitionRecord


def applications_for_applicant(user: Any) -> QuerySet[Application]:
    """The applicant's own applications (one query for the rows, one for focus areas)."""
    return (
        Application.objects.filter(association_id__in=roles.profile(user).represents)
        .select_related("round", "association")
        .prefetch_related("focus_areas")
        .order_by("-created_at")
    )


def round_inbox(*, grant_round: GrantRound) -> QuerySet[Application]:
    """A round's applications for the case officer, every status (the screen's filters,
    web/inbox/filters.py, leave drafts out unless asked for)."""
    # Whether each case waits on a disqualified case officer or chair, and since when it
    # has waited: annotated on the page's rows query (fvl. § 3), so the inbox's query
    # count does not change.
    return inbox_rows(Application.objects.filter(round=grant_round)).order_by(
        "submitted_at", "case_number"
    )


def round_status_counts(grant_round: GrantRound) -> dict[str, int]:
    rows = (
        Application.objects.filter(round=grant_round)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["status"]: row["n"] for row in rows}


def round_totals(grant_round: GrantRound) -> dict[str, Any]:
    return (
        Application.objects.filter(round=grant_round)
        .exclude(status__in=[ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN])
        .aggregate(requested=Sum("amount_requested"), granted=Sum("granted_amount"))
    )


def application_detail(user: Any, pk: int) -> Application | None:
    return (
        visible_applications(user)
        # "feedback": the questionnaire's answer (issue 20), joined: no query of its own.
        .select_related(
            "round", "association", "municipality", "registered_by", "case_officer", "feedback"
        )
        .prefetch_related(
            "focus_areas",
            "target_groups",
            "budget_lines",
            "attachments",
            "payouts",
            "usage_reports",
            "documents",
            "hearings__attachments",
            Prefetch(
                "transition_records",
                queryset=TransitionRecord.objects.order_by("seq"),
                to_attr="timeline",
            ),
        )
        .filter(pk=pk)
        .first()
    )


def focus_areas_of(grant_round: GrantRound) -> QuerySet[FocusArea]:
    return FocusArea.objects.filter(round=grant_round).order_by("name")


def open_rounds_for(user: Any) -> QuerySet[GrantRound]:
    from django.utils import timezone

    now = timezone.now()
    return (
        GrantRound.objects.filter(opens_at__lte=now, deadline__gte=now)
        .select_related("municipality")
        .order_by("deadline")
    )
