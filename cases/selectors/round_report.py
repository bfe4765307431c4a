"""What the money achieved: a round's figures, and a municipality's years side by side.

Every figure is computed in the database with a fixed number of aggregate queries,
whatever the number of applications:

- one query per breakdown (the whole round, by focus area, by target group; for
  the years: by year, by year and target group, by year and focus area name);
- each application carries its payouts, repayment claims and carry-overs as
  correlated ``SUM`` subqueries and its counted usage report as ``LIMIT 1``
  subqueries, and the breakdown sums those over its ``GROUP BY``.

Which usage report counts: per application the latest *approved* report, or,
when none is approved yet, the latest submitted one that was not returned for
correction. The page says how many of the counted reports are approved.

An application with two focus areas (or target groups) counts in both, so the
rows of a breakdown add up to more than the total; the pages say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.compiled import Compiled
from cases.documents import cells
from cases.models import (
    Application,
    ApplicationStatus,
    FocusArea,
    GrantRound,
    Municipality,
    Payout,
    StatusGroup,
    TargetGroup,
    TargetGroupCode,
    UsageReport,
    UsageReportStatus,
)
from cases.models.after_grant import CarryOver, RepaymentClaim
from cases.models.hearings import standing

S = ApplicationStatus
ZERO = Decimal("0")
MONEY_OUT: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)


@dataclass
class Figures:
    """One column or row of the report. Amounts in DKK, counts in applications or people."""

    received: int = 0  # submitted at some point (drafts never count)
    open: int = 0
    granted_count: int = 0
    refused: int = 0
    ineligible: int = 0
    withdrawn: int = 0
    requested: Decimal = ZERO  # not withdrawn
    recommended: Decimal = ZERO
    granted: Decimal = ZERO
    paid: Decimal = ZERO
    spent: Decimal = ZERO
    reports: int = 0  # applications with a counted usage report
    reports_approved: int = 0
    repayment_claimed: Decimal = ZERO
    repaid: Decimal = ZERO
    carried_over: Decimal = ZERO
    expected_participants: int = 0  # promised by the granted applications
    expected_volunteers: int = 0
    participants_reached: int = 0  # from the counted usage reports
    volunteers_involved: int = 0

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Figures:
        values: dict[str, Any] = {}
        for f in fields(cls):
            value = row.get(f.name)
            if value is None:
                value = ZERO if f.type == "Decimal" else 0
            elif f.type == "Decimal":
                value = Decimal(value).quantize(Decimal("0.01"))
            else:
                value = int(value)
            values[f.name] = value
        return cls(**values)

    @property
    def reports_awaiting(self) -> int:
        return self.reports - self.reports_approved

    @property
    def money(self) -> list[Decimal]:
        """The four amounts the charts compare."""
        return [self.requested, self.granted, self.paid, self.spent]


@dataclass
class Row:
    label: str
    figures: Figures


@dataclass
class RoundReport:
    grant_round: GrantRound
    total: Figures
    by_focus_area: list[Row]
    by_target_group: list[Row]


@dataclass
class Year:
    year: int
    rounds: list[GrantRound]
    figures: Figures

    @property
    def pool(self) -> Decimal:
        return sum((r.pool_amount for r in self.rounds), ZERO)


@dataclass
class YearTable:
    """Rows (a target group or a focus area name) × years."""

    label: str
    cells: list[Figures] = field(default_factory=list)


@dataclass
class MunicipalityReport:
    municipality: Municipality
    years: list[Year]
    by_target_group: list[YearTable]
    by_focus_area: list[YearTable]


# --- the per-application figures, as subqueries -------------------------------------------


def _sum_of(model: Any, column: str, **filters: Any) -> Subquery:
    rows = (
        model.objects.filter(application=OuterRef("pk"), **filters)
        .order_by()
        .values("application")
        .annotate(total=Sum(column))
        .values("total")
    )
    return Subquery(rows, output_field=MONEY_OUT)


def _counted_report() -> QuerySet[UsageReport]:
    """The application's counted report first: approved before submitted, then the latest."""
    return (
        UsageReport.objects.filter(application=OuterRef("pk"))
        .exclude(status=UsageReportStatus.RETURNED)
        .annotate(
            approved_first=Case(
                When(status=UsageReportStatus.APPROVED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("approved_first", "-submitted_at", "-id")
    )


def _annotated(applications: QuerySet[Application]) -> QuerySet[Application]:
    report = _counted_report()
    return applications.filter(submitted_at__isnull=False).annotate(
        pay_total=_sum_of(Payout, "amount"),
        claim_total=_sum_of(RepaymentClaim, "amount"),
        repaid_total=_sum_of(RepaymentClaim, "amount", paid_on__isnull=False),
        carry_total=_sum_of(CarryOver, "amount"),
        report_spent=Subquery(report.values("amount_spent")[:1], output_field=MONEY_OUT),
        report_reached=Subquery(
            report.values("participants_reached")[:1], output_field=IntegerField()
        ),
        report_volunteers=Subquery(
            report.values("volunteers_involved")[:1], output_field=IntegerField()
        ),
        report_status=Subquery(report.values("status")[:1]),
        # A case in hearing counts where its hearing returns to: open before a decision,
        # granted when the hearing is on its usage report.
        standing=standing(),
    )


def _aggregates() -> dict[str, Any]:
    granted = Q(standing__in=StatusGroup.GRANTED)
    return {
        "received": Count("id"),
        "open": Count("id", filter=Q(standing__in=StatusGroup.OPEN)),
        "granted_count": Count("id", filter=granted),
        "refused": Count("id", filter=Q(status=S.REFUSED)),
        "ineligible": Count("id", filter=Q(status=S.INELIGIBLE)),
        "withdrawn": Count("id", filter=Q(status=S.WITHDRAWN)),
        "requested": Sum("amount_requested", filter=~Q(status=S.WITHDRAWN)),
        "recommended": Sum("recommended_amount", filter=~Q(status=S.WITHDRAWN)),
        "granted": Sum("granted_amount", filter=granted),
        "paid": Sum("pay_total"),
        "spent": Sum("report_spent"),
        "reports": Count("report_status"),
        "reports_approved": Count("id", filter=Q(report_status=UsageReportStatus.APPROVED)),
        "repayment_claimed": Sum("claim_total"),
        "repaid": Sum("repaid_total"),
        "carried_over": Sum("carry_total"),
        "expected_participants": Sum("participants", filter=granted),
        "expected_volunteers": Sum("volunteers", filter=granted),
        "participants_reached": Sum("report_reached"),
        "volunteers_involved": Sum("report_volunteers"),
    }


class _Breakdown:
    """One breakdown (``GROUP BY keys``) of the applications of one round or municipality,
    built and compiled once per connection (``cases.compiled``): Django builds these
    twenty aggregates over nine correlated subqueries in several milliseconds, more than
    the database takes to run them. Each row comes back as a dict of the keys and figures.
    """

    def __init__(self, scope: str, *keys: str) -> None:
        self.scope = scope
        self.names = (*keys, *_aggregates())
        self.compiled = Compiled(self._build, scope)

    def _build(self, **ids: Any) -> QuerySet[Any]:
        applications = Application.objects.filter(**{f"{self.scope}_id": ids[self.scope]})
        if self.scope == "municipality":
            applications = applications.annotate(
                year=ExtractYear("round__deadline", tzinfo=timezone.get_default_timezone())
            )
        keys = self.names[: len(self.names) - len(_aggregates())]
        return (
            _annotated(applications)
            .values(*keys)
            .annotate(**_aggregates())
            .order_by()
            .values_list(*self.names)
        )

    def rows(self, pk: int) -> list[dict[str, Any]]:
        ids: dict[str, Any] = {self.scope: pk}
        return [dict(zip(self.names, row, strict=True)) for row in self.compiled.rows(**ids)]


# The round's total is its one group (GROUP BY the round): no rows for a round without a
# submitted application, as the figures of an empty breakdown row.
ROUND_TOTAL = _Breakdown("round", "round")
ROUND_BY_AREA = _Breakdown("round", "focus_areas")
ROUND_BY_GROUP = _Breakdown("round", "target_groups")
YEARS = _Breakdown("municipality", "year")
YEARS_BY_GROUP = _Breakdown("municipality", "year", "target_groups")
YEARS_BY_AREA = _Breakdown("municipality", "year", "focus_areas__name")


# --- a round -------------------------------------------------------------------------------


_TARGET_GROUPS = Compiled(lambda: TargetGroup.objects.values_list("pk", "code"))
_FOCUS_AREAS = Compiled(
    lambda grant_round: (
        FocusArea.objects.filter(round_id=grant_round).order_by("name").values_list("pk", "name")
    ),
    "grant_round",
)


def target_group_labels() -> dict[int | None, str]:
    """Labels of the fixed categories in their order, keyed by row id (one query)."""
    labels = dict(TargetGroupCode.choices)
    return {pk: str(labels.get(code, code)) for pk, code in _TARGET_GROUPS.rows()}


def round_report(grant_round: GrantRound) -> RoundReport:
    """Five queries: focus areas, target groups, the total, by focus area, by target group."""
    areas = dict(_FOCUS_AREAS.rows(grant_round=grant_round.pk))
    groups = target_group_labels()
    total_rows = ROUND_TOTAL.rows(grant_round.pk)
    by_area = {r["focus_areas"]: r for r in ROUND_BY_AREA.rows(grant_round.pk)}
    by_group = {r["target_groups"]: r for r in ROUND_BY_GROUP.rows(grant_round.pk)}
    return RoundReport(
        grant_round=grant_round,
        total=Figures.from_row(total_rows[0] if total_rows else {}),
        by_focus_area=_rows(areas, by_area),
        by_target_group=_rows(groups, by_group),
    )


def _rows(labels: dict[Any, str], found: dict[Any, dict[str, Any]]) -> list[Row]:
    """Every category in its order (empty ones too), then those without any, if there are."""
    rows = [Row(label, Figures.from_row(found.get(key, {}))) for key, label in labels.items()]
    if None in found:
        rows.append(Row(_("Not stated"), Figures.from_row(found[None])))
    return rows


# --- a municipality's years ----------------------------------------------------------------


def municipality_report(municipality: Municipality) -> MunicipalityReport:
    """Five queries: rounds, target groups, by year, by year × target group, by year × focus area.

    A round belongs to the year of its deadline (Copenhagen time).
    """
    rounds = list(GrantRound.objects.filter(municipality=municipality).order_by("deadline"))
    year_of = {r.pk: r.deadline.astimezone(timezone.get_default_timezone()).year for r in rounds}
    years = sorted(set(year_of.values()))
    groups = target_group_labels()
    per_year = {r["year"]: r for r in YEARS.rows(municipality.pk)}
    per_group = {(r["year"], r["target_groups"]): r for r in YEARS_BY_GROUP.rows(municipality.pk)}
    per_area = {(r["year"], r["focus_areas__name"]): r for r in YEARS_BY_AREA.rows(municipality.pk)}

    def table(
        labels: dict[Any, str], found: dict[tuple[int, Any], dict[str, Any]]
    ) -> list[YearTable]:
        tables = [
            YearTable(label, [Figures.from_row(found.get((y, key), {})) for y in years])
            for key, label in labels.items()
        ]
        if any(key is None for _y, key in found):
            tables.append(
                YearTable(
                    _("Not stated"), [Figures.from_row(found.get((y, None), {})) for y in years]
                )
            )
        return tables

    area_names = sorted({name for _y, name in per_area if name is not None})
    return MunicipalityReport(
        municipality=municipality,
        years=[
            Year(
                y, [r for r in rounds if year_of[r.pk] == y], Figures.from_row(per_year.get(y, {}))
            )
            for y in years
        ],
        by_target_group=table(groups, per_group),
        by_focus_area=table({name: name for name in area_names}, per_area),
    )


# --- CSV -----------------------------------------------------------------------------------


def csv_columns() -> list[tuple[str, str]]:
    return [
        ("received", _("Applications received")),
        ("open", _("Not yet decided")),
        ("granted_count", _("Granted (applications)")),
        ("refused", _("Refused")),
        ("ineligible", _("Ineligible")),
        ("withdrawn", _("Withdrawn")),
        ("requested", _("Requested (DKK)")),
        ("recommended", _("Recommended (DKK)")),
        ("granted", _("Granted (DKK)")),
        ("paid", _("Paid (DKK)")),
        ("spent", _("Spent (DKK)")),
        ("reports", _("Usage reports counted")),
        ("reports_approved", _("of which approved")),
        ("repayment_claimed", _("Repayment claimed (DKK)")),
        ("repaid", _("Repaid (DKK)")),
        ("carried_over", _("Carried over (DKK)")),
        ("expected_participants", _("Participants expected")),
        ("participants_reached", _("Participants reached")),
        ("expected_volunteers", _("Volunteers expected")),
        ("volunteers_involved", _("Volunteers involved")),
    ]


def as_csv(report: RoundReport, dialect: cells.Dialect = cells.DANISH_EXCEL) -> str:
    """One row per focus area, per target group, and the total; for Danish Excel unless asked."""
    columns = csv_columns()

    def line(kind: str, row: Row) -> list[Any]:
        return [kind, row.label, *(getattr(row.figures, key) for key, _l in columns)]

    return cells.csv_text(
        [
            [_("Breakdown"), _("Name"), *(label for _key, label in columns)],
            *(line(_("Focus area"), row) for row in report.by_focus_area),
            *(line(_("Target group"), row) for row in report.by_target_group),
            line(_("Total"), Row(report.grant_round.name, report.total)),
        ],
        dialect=dialect,
    )
