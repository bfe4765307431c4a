"""A round's decision list: every application with requested, recommended and granted
amounts, the deciding meeting and the reasons — on screen, as CSV and as XLSX."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.documents import cells
from cases.models import Application, ApplicationStatus, GrantRound, Meeting, StatusGroup
from cases.models.hearings import standing
from cases.trail.models import TransitionRecord

SORTS = {
    "case": ("case_number",),
    "association": ("association__name", "case_number"),
    "requested": ("-amount_requested", "case_number"),
    "granted": ("-granted_amount", "case_number"),
    "status": ("status", "case_number"),
}

OUTCOMES = {
    "granted": gettext_lazy("Granted"),
    "refused": gettext_lazy("Refused"),
    "open": gettext_lazy("Not yet decided"),
}


@dataclass
class Row:
    application: Application
    focus: str
    meeting: str

    def cells(self) -> list[Any]:
        a = self.application
        return [
            a.case_number,
            a.association.name,
            a.title,
            self.focus,
            str(a.get_status_display()),
            a.amount_requested,
            a.recommended_amount,
            a.granted_amount,
            self.meeting,
            a.recommendation_reasons,
            a.decision_reasons,
        ]


def headers() -> list[str]:
    return [
        _("Case no."),
        _("Association"),
        _("Title"),
        _("Focus areas"),
        _("Status"),
        _("Requested (DKK)"),
        _("Recommended (DKK)"),
        _("Granted (DKK)"),
        _("Decided by"),
        _("Council's reasons"),
        _("Reasons for the decision"),
    ]


def decision_rows(
    grant_round: GrantRound, *, outcome: str = "", focus: int | None = None, sort: str = "case"
) -> list[Row]:
    """Four queries whatever the size of the round."""
    applications: QuerySet[Application] = (
        Application.objects.filter(round=grant_round)
        .exclude(status=ApplicationStatus.DRAFT)
        .select_related("association")
        .prefetch_related("focus_areas")
        .order_by(*SORTS.get(sort, SORTS["case"]))
    )
    # A granted case heard on its usage report stands granted (``standing``).
    applications = applications.annotate(standing=standing())
    if outcome == "granted":
        applications = applications.filter(standing__in=StatusGroup.GRANTED)
    elif outcome == "refused":
        applications = applications.filter(status=ApplicationStatus.REFUSED)
    elif outcome == "open":
        applications = applications.exclude(
            standing__in=[*StatusGroup.GRANTED, ApplicationStatus.REFUSED]
        )
    if focus:
        applications = applications.filter(focus_areas=focus)
    decided_at: dict[int, Any] = {}
    for application_id, transition, meeting_id in TransitionRecord.objects.filter(
        application__round=grant_round, transition__in=["decide", "decide_directly"]
    ).values_list("application_id", "transition", "payload__meeting"):
        decided_at[application_id] = meeting_id if transition == "decide" else "administration"
    meetings = {
        m.pk: m
        for m in Meeting.objects.filter(
            pk__in=[v for v in decided_at.values() if isinstance(v, int)]
        )
    }
    rows = []
    for application in applications:
        where = decided_at.get(application.pk)
        if where == "administration":
            label = _("The administration (quick pool)")
        elif where in meetings:
            label = _("Committee meeting %(date)s") % {
                "date": meetings[where].date.strftime("%d.%m.%Y")
            }
        else:
            label = ""
        focus_names = ", ".join(f.name for f in application.focus_areas.all())
        rows.append(Row(application, focus_names, label))
    return rows


def totals(rows: list[Row]) -> dict[str, Decimal]:
    def total(attr: str) -> Decimal:
        return sum((getattr(r.application, attr) or Decimal("0") for r in rows), Decimal("0"))

    return {
        "requested": total("amount_requested"),
        "recommended": total("recommended_amount"),
        "granted": total("granted_amount"),
    }


def csv_lines(rows: list[Row], dialect: cells.Dialect = cells.DANISH_EXCEL) -> Iterator[str]:
    """The decision list as CSV, line by line (for a streaming response)."""
    return cells.csv_lines([headers(), *(row.cells() for row in rows)], dialect=dialect)


def as_csv(rows: list[Row], dialect: cells.Dialect = cells.DANISH_EXCEL) -> str:
    return "".join(csv_lines(rows, dialect))


def write_xlsx(rows: list[Row], title: str, target: Any) -> None:
    """The decision list as XLSX into ``target``; amounts as numbers, so the sheet can add
    them up."""
    cells.write_xlsx(
        target,
        sheet_title=_("Decisions"),
        title=title,
        headers=headers(),
        rows=(row.cells() for row in rows),
    )
