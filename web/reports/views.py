"""The round report and the municipality's years side by side: what the money achieved.

For the municipality's staff in every role (case officers, council, committee,
auditors), like the round's decision list: another municipality's round answers 404,
and a person with no staff role anywhere gets 403 on the years page. GET only.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cases import access, roles
from cases.documents import cells, charts
from cases.models import Municipality
from cases.selectors import round_report as report_selectors
from cases.uploads import harden_download


@login_required
@require_safe
def round_report(request: HttpRequest, pk: int) -> HttpResponse:
    grant_round = access.get_round_for_staff(request.user, pk)
    report = report_selectors.round_report(grant_round)
    return render(
        request,
        "reports/round_report.html",
        {"round": grant_round, "report": report, **_round_charts(report)},
    )


@login_required
@require_safe
def round_report_csv(request: HttpRequest, pk: int) -> HttpResponse:
    grant_round = access.get_round_for_staff(request.user, pk)
    report = report_selectors.round_report(grant_round)
    dialect = cells.dialect_named(request.GET.get("csv"))
    response = HttpResponse(
        report_selectors.as_csv(report, dialect), content_type="text/csv; charset=utf-8"
    )
    stem = slugify(f"{grant_round.name}-rapport") or "rapport"
    response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
    return harden_download(response)


@login_required
@require_safe
def municipality_report(request: HttpRequest) -> HttpResponse:
    municipality, choices = _municipality_for(request.user, request.GET.get("municipality", ""))
    report = report_selectors.municipality_report(municipality)
    return render(
        request,
        "reports/municipality_report.html",
        {
            "municipality": municipality,
            "choices": choices,
            "report": report,
            **_year_charts(report),
        },
    )


def _municipality_for(user: Any, raw: str) -> tuple[Municipality, list[Municipality]]:
    """The user's municipality, or the one they chose among those they are staff in."""
    ids = roles.profile(user).municipality_ids
    if not ids:
        raise PermissionDenied(_("This page is for the municipality's staff."))
    choices = list(Municipality.objects.filter(pk__in=ids).order_by("name"))
    if not raw:
        return choices[0], choices
    chosen = next((m for m in choices if str(m.pk) == raw), None)
    if chosen is None:
        raise Http404(_("No such municipality."))
    return chosen, choices


def _round_charts(report: report_selectors.RoundReport) -> dict[str, Any]:
    areas, groups = report.by_focus_area, report.by_target_group
    return {
        "chart_areas": charts.bar_chart(
            chart_id="chart-focus-areas",
            title=_("Money by focus area"),
            description=_(
                "Requested, granted, paid and spent per focus area; the table below has the figures."
            ),
            categories=[r.label for r in areas],
            series=charts.money_series([r.figures.money for r in areas]),
        ),
        "chart_groups": charts.bar_chart(
            chart_id="chart-target-groups",
            title=_("Money by target group"),
            description=_(
                "Requested, granted, paid and spent per target group; the table below has the figures."
            ),
            categories=[r.label for r in groups],
            series=charts.money_series([r.figures.money for r in groups]),
        ),
        "chart_reach": charts.bar_chart(
            chart_id="chart-reach",
            title=_("Participants by target group"),
            description=_(
                "Participants expected in the granted applications and reached according to the usage reports, per target group; the table below has the figures."
            ),
            categories=[r.label for r in groups],
            series=_reach_series([r.figures for r in groups]),
            fmt=charts.count_short,
        ),
    }


def _year_charts(report: report_selectors.MunicipalityReport) -> dict[str, Any]:
    years = [str(y.year) for y in report.years]
    return {
        "chart_years": charts.bar_chart(
            chart_id="chart-years",
            title=_("Money by year"),
            description=_(
                "Requested, granted, paid and spent per year; the table below has the figures."
            ),
            categories=years,
            series=charts.money_series([y.figures.money for y in report.years]),
        ),
        "chart_year_reach": charts.bar_chart(
            chart_id="chart-year-reach",
            title=_("Participants by year"),
            description=_(
                "Participants expected in the granted applications and reached according to the usage reports, per year; the table below has the figures."
            ),
            categories=years,
            series=_reach_series([y.figures for y in report.years]),
            fmt=charts.count_short,
        ),
    }


def _reach_series(figures: list[report_selectors.Figures]) -> list[charts.Series]:
    return [
        charts.Series(
            _("Participants expected"), charts.GREY, [f.expected_participants for f in figures]
        ),
        charts.Series(
            _("Participants reached"), charts.BLUE, [f.participants_reached for f in figures]
        ),
    ]
