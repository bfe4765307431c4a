"""The round report and the municipality's years: what the money achieved."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from itertools import cycle
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.documents import charts
from cases.models import (
    Application,
    ApplicationStatus,
    FocusArea,
    GrantRound,
    Payout,
    TargetGroup,
    TargetGroupCode,
    UsageReport,
    UsageReportStatus,
)
from cases.models.after_grant import CarryOver, RepaymentClaim
from cases.selectors.round_report import Figures, municipality_report, round_report
from workflows import engine

from ..conftest import NO_HEARING, advance
from ..factories import ApplicationFactory, AssociationFactory, GrantRoundFactory

pytestmark = pytest.mark.django_db


def _group(code: str) -> TargetGroup:
    return TargetGroup.objects.get(code=code)


def _report(application: Application, world: SimpleNamespace, **fields: Any) -> UsageReport:
    values = {
        "description": "Lektiecafé hver tirsdag",
        "amount_spent": Decimal("0"),
        "submitted_by": world.anna,
        **fields,
    }
    return UsageReport.objects.create(application=application, **values)


def _applied(world: SimpleNamespace, *areas: FocusArea, groups: tuple[str, ...] = ()) -> Any:
    application = ApplicationFactory(round=world.round, association=world.a)
    application.focus_areas.set(list(areas) or [world.focus])
    application.target_groups.set([_group(code) for code in groups])
    return application


@pytest.fixture
def round_with_results(world: SimpleNamespace) -> SimpleNamespace:
    """Six applications in every state that matters, with payouts, reports and claims.

    paid_a   granted 20,000, paid 20,000, an approved report (15,000 spent, 40 reached)
             after a returned one that must not count; repayment claim 5,000 repaid.
             Focus areas: both. Target groups: children and lonely people.
    paid_b   granted 20,000, paid 20,000, an approved report (10,000) and a later
             submitted one (18,000): the approved one counts. Claim 1,000 not yet
             repaid, 2,000 carried over. Target group: older people.
    rejected ineligible.   waiting: submitted.   withdrawn: after submission.
    draft    never submitted: counts nowhere.
    """
    other_area = FocusArea.objects.get(round=world.round, name="Børn og unge")
    paid_a = advance(
        _applied(world, world.focus, other_area, groups=("children", "lonely")), world, "paid"
    )
    _report(paid_a, world, amount_spent=Decimal("99999"), status=UsageReportStatus.RETURNED)
    approved_a = _report(
        paid_a,
        world,
        amount_spent=Decimal("15000"),
        participants_reached=40,
        volunteers_involved=8,
        status=UsageReportStatus.APPROVED,
    )
    RepaymentClaim.objects.create(
        application=paid_a,
        report=approved_a,
        amount=Decimal("5000"),
        due_on=datetime.date(2028, 1, 1),
        paid_on=datetime.date(2027, 12, 1),
        created_by=world.carl,
    )
    paid_b = advance(_applied(world, world.focus, groups=("older",)), world, "paid")
    approved_b = _report(
        paid_b,
        world,
        amount_spent=Decimal("10000"),
        participants_reached=25,
        volunteers_involved=5,
        status=UsageReportStatus.APPROVED,
    )
    _report(paid_b, world, amount_spent=Decimal("18000"), participants_reached=99)
    RepaymentClaim.objects.create(
        application=paid_b,
        report=approved_b,
        amount=Decimal("1000"),
        due_on=datetime.date(2028, 1, 1),
        created_by=world.carl,
    )
    CarryOver.objects.create(
        application=paid_b,
        report=approved_b,
        amount=Decimal("2000"),
        reason="Aktivitet udskudt",
        approved_by=world.carl,
    )
    rejected = advance(_applied(world, other_area), world, "submitted")
    engine.perform(
        rejected, "reject", user=world.carl, reason="Ikke frivilligt socialt arbejde", **NO_HEARING
    )
    advance(_applied(world), world, "submitted")
    withdrawn = advance(_applied(world), world, "submitted")
    engine.perform(withdrawn, "withdraw", user=world.anna)
    _applied(world, world.focus, groups=("children",))  # a draft
    return SimpleNamespace(paid_a=paid_a, paid_b=paid_b)


def test_the_round_adds_up_what_the_money_did(
    world: SimpleNamespace, round_with_results: Any
) -> None:
    total = round_report(world.round).total
    assert (total.received, total.open, total.granted_count) == (5, 1, 2)
    assert (total.refused, total.ineligible, total.withdrawn) == (0, 1, 1)
    assert total.requested == Decimal("100000.00")  # four of 25,000: the withdrawn one is out
    assert total.recommended == Decimal("40000.00")
    assert total.granted == Decimal("40000.00")
    assert total.paid == Decimal("40000.00")
    # The approved reports count: not the returned one, not the later unapproved one.
    assert total.spent == Decimal("25000.00")
    assert (total.reports, total.reports_approved) == (2, 2)
    assert (total.participants_reached, total.volunteers_involved) == (65, 13)
    assert (total.expected_participants, total.expected_volunteers) == (120, 24)
    assert total.repayment_claimed == Decimal("6000.00")
    assert total.repaid == Decimal("5000.00")
    assert total.carried_over == Decimal("2000.00")


def test_the_compiled_breakdowns_add_up_as_the_orms_aggregate(
    world: SimpleNamespace, round_with_results: Any
) -> None:
    """The report runs its breakdowns compiled once (cases/compiled.py); Django's own
    aggregate over the same rows gives the same figures, and a round with only a draft
    (another round, so the compiled statement runs with another id) gives zeros."""
    from cases.selectors.round_report import _aggregates, _annotated

    orm = _annotated(Application.objects.filter(round=world.round)).aggregate(**_aggregates())
    assert round_report(world.round).total == Figures.from_row(orm)
    ApplicationFactory(round=world.other_round, association=world.a)  # a draft only
    assert round_report(world.other_round).total == Figures.from_row({})
    assert Figures.from_row({}).received == 0


def test_a_case_in_hearing_counts_where_its_hearing_returns_to(world: SimpleNamespace) -> None:
    """Heard before a decision, the case is open; heard on its usage report, granted."""
    facts = {"facts": "Ifølge CVR-registret har foreningen ingen bestyrelse."}
    before = advance(_applied(world), world, "in_council_review")
    engine.perform(before, "start_hearing", user=world.carl, **facts)
    after = advance(_applied(world), world, "report_submitted")
    engine.perform(after, "start_hearing", user=world.carl, **facts)
    assert set(Application.objects.values_list("status", flat=True)) == {"in_hearing"}

    total = round_report(world.round).total

    assert (total.received, total.open, total.granted_count) == (2, 1, 1)
    assert total.granted == Decimal("20000.00")


def test_without_an_approved_report_the_latest_submitted_one_counts(
    world: SimpleNamespace,
) -> None:
    application = advance(_applied(world), world, "paid")
    _report(application, world, amount_spent=Decimal("5000"), participants_reached=3)
    _report(application, world, amount_spent=Decimal("7000"), participants_reached=4)
    _report(application, world, amount_spent=Decimal("9000"), status=UsageReportStatus.RETURNED)
    total = round_report(world.round).total
    assert (total.spent, total.participants_reached) == (Decimal("7000.00"), 4)
    assert (total.reports, total.reports_approved, total.reports_awaiting) == (1, 0, 1)


def test_an_application_counts_in_each_of_its_focus_areas_and_target_groups(
    world: SimpleNamespace, round_with_results: Any
) -> None:
    report = round_report(world.round)
    areas = {row.label: row.figures for row in report.by_focus_area}
    assert list(areas) == ["Børn og unge", "Ensomhed"]
    assert areas["Ensomhed"].granted == Decimal("40000.00")  # paid_a and paid_b
    assert areas["Børn og unge"].granted == Decimal("20000.00")  # paid_a
    assert areas["Børn og unge"].ineligible == 1
    assert areas["Ensomhed"].spent == Decimal("25000.00")
    groups = {row.label: row.figures for row in report.by_target_group}
    assert len(groups) == len(TargetGroupCode) + 1  # every category, then "not stated"
    children = groups[str(TargetGroupCode.CHILDREN.label)]
    lonely = groups[str(TargetGroupCode.LONELY.label)]
    older = groups[str(TargetGroupCode.OLDER.label)]
    assert children.granted == lonely.granted == older.granted == Decimal("20000.00")
    assert (children.participants_reached, older.participants_reached) == (40, 25)
    assert groups[str(TargetGroupCode.REFUGEES.label)].received == 0
    not_stated = report.by_target_group[-1].figures
    assert (not_stated.received, not_stated.granted_count) == (3, 0)


def test_the_page_shows_the_figures_charts_and_what_spent_means(
    world: SimpleNamespace, round_with_results: Any, as_user: Any
) -> None:
    response = as_user(world.gustav).get(reverse("reports:round_report", args=[world.round.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "40.000,00" in page and "25.000,00" in page
    assert page.count('role="img"') == 3
    assert 'id="spent-basis"' in page
    assert "<script>" not in page.split("</header>")[1]  # no inline script in the content
    assert reverse("reports:round_report_csv", args=[world.round.pk]) in page


def test_the_csv_has_a_row_per_focus_area_target_group_and_the_total(
    world: SimpleNamespace, round_with_results: Any, as_user: Any
) -> None:
    response = as_user(world.carl).get(reverse("reports:round_report_csv", args=[world.round.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    raw = response.content.decode("utf-8")
    assert raw.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(raw[1:]), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert len(body) == 2 + len(TargetGroupCode) + 1 + 1
    total = body[-1]
    assert total[1] == world.round.name
    assert len(header) == len(body[0])
    assert total[10] == "40000,00"  # Danish decimal comma, no thousands separator
    assert total[2] == "5"  # applications received


def test_only_the_municipalitys_staff_see_the_round_report(
    world: SimpleNamespace, as_user: Any
) -> None:
    urls = [
        reverse("reports:round_report", args=[world.round.pk]),
        reverse("reports:round_report_csv", args=[world.round.pk]),
    ]
    for url in urls:
        # Applicants and another municipality's staff do not learn that the round exists.
        assert as_user(world.anna).get(url).status_code == 404
        assert as_user(world.ivan).get(url).status_code == 404
        # The same request by the municipality's staff in every role is allowed.
        for person in (world.carl, world.dorte, world.erik, world.frida, world.gustav):
            assert as_user(person).get(url).status_code == 200
        # Reading only.
        assert as_user(world.carl).post(url).status_code == 405
    assert (
        as_user(world.carl).get(reverse("reports:round_report", args=[999999])).status_code == 404
    )


def test_the_years_page_is_for_staff_of_the_municipality_chosen(
    world: SimpleNamespace, as_user: Any
) -> None:
    url = reverse("reports:municipality_report")
    assert as_user(world.anna).get(url).status_code == 403
    page = as_user(world.ivan).get(url)
    assert page.status_code == 200
    assert world.naestved.name in page.content.decode()
    assert world.round.name not in page.content.decode()
    # Ivan is no staff in Roskilde: choosing it is like a round he cannot see.
    assert as_user(world.ivan).get(url, {"municipality": world.roskilde.pk}).status_code == 404
    assert as_user(world.ivan).get(url, {"municipality": "x" * 300}).status_code == 404
    assert as_user(world.carl).get(url, {"municipality": world.roskilde.pk}).status_code == 200
    assert as_user(world.carl).post(url).status_code == 405


def test_a_person_on_staff_in_two_municipalities_chooses(
    world: SimpleNamespace, as_user: Any
) -> None:
    from ..factories import give_role

    give_role(world.gustav, world.naestved, "auditor")
    url = reverse("reports:municipality_report")
    page = as_user(world.gustav).get(url).content.decode()
    assert 'name="municipality"' in page
    page = as_user(world.gustav).get(url, {"municipality": world.naestved.pk}).content.decode()
    assert world.other_round.name in page and world.round.name not in page


def test_the_years_stand_side_by_side(world: SimpleNamespace, as_user: Any) -> None:
    last_year = _round_in(world, 2025, "§ 18-puljen 2025")
    older = ApplicationFactory(round=last_year, association=world.b, complete=False)
    _fake_granted(older, world, Decimal("12000"), groups=("older",))
    advance(_applied(world, groups=("older",)), world, "paid")
    report = municipality_report(world.roskilde)
    assert [y.year for y in report.years] == [2025, timezone.localtime(world.round.deadline).year]
    assert [y.figures.granted for y in report.years] == [Decimal("12000.00"), Decimal("20000.00")]
    assert [y.rounds for y in report.years] == [[last_year], [world.round]]
    older_row = next(
        t for t in report.by_target_group if t.label == str(TargetGroupCode.OLDER.label)
    )
    assert [c.granted for c in older_row.cells] == [Decimal("12000.00"), Decimal("20000.00")]
    page = as_user(world.frida).get(reverse("reports:municipality_report")).content.decode()
    assert "2025" in page and "12.000,00" in page and page.count('role="img"') == 2


# --- query counts ------------------------------------------------------------------------


def _round_in(world: SimpleNamespace, year: int, name: str) -> GrantRound:
    deadline = timezone.make_aware(datetime.datetime(year, 10, 1, 12, 0))
    return GrantRoundFactory(
        municipality=world.roskilde,
        name=name,
        opens_at=deadline - datetime.timedelta(days=60),
        deadline=deadline,
    )


def _fake_granted(
    application: Application,
    world: SimpleNamespace,
    amount: Decimal,
    *,
    groups: tuple[str, ...] = (),
    report: bool = False,
) -> None:
    """A granted, paid application written straight to the tables, for building volume fast.

    Tests of the report's arithmetic above drive real transitions; this only has to put
    rows in every table the report reads.
    """
    application.status = ApplicationStatus.PAID
    application.submitted_at = timezone.now()
    application.recommended_amount = application.granted_amount = amount
    application.save()
    application.target_groups.set([_group(code) for code in groups])
    Payout.objects.create(
        application=application,
        paid_on=datetime.date(2027, 3, 1),
        amount=amount,
        reference="UDB",
        registered_by=world.carl,
    )
    if report:
        usage = _report(application, world, amount_spent=amount, participants_reached=10)
        RepaymentClaim.objects.create(
            application=application,
            report=usage,
            amount=Decimal("100"),
            due_on=datetime.date(2028, 1, 1),
            created_by=world.carl,
        )
        CarryOver.objects.create(
            application=application,
            report=usage,
            amount=Decimal("50"),
            reason="x",
            approved_by=world.carl,
        )


def _volume(world: SimpleNamespace, grant_round: GrantRound, n: int) -> None:
    areas = list(grant_round.focus_areas.all()) or [None]
    codes = cycle([c.value for c in TargetGroupCode])
    association = AssociationFactory()
    for i in range(n):
        application = ApplicationFactory(round=grant_round, association=association, complete=False)
        if areas[0] is not None:
            application.focus_areas.set(areas[: 1 + i % 2])
        _fake_granted(
            application,
            world,
            Decimal(1000 + i),
            groups=(next(codes), next(codes)),
            report=i % 3 == 0,
        )


def _queries(client: Any, url: str) -> int:
    # A request first: the session's last-seen stamp is rewritten once a minute
    # (accounts/sessions.py), and building 300 applications can take longer than that.
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
    return len(queries)


def test_the_round_report_costs_the_same_queries_for_10_and_300_applications(
    world: SimpleNamespace, as_user: Any
) -> None:
    """Session and user, the user's roles and ties (access), the round, then the report:
    focus areas, target groups, the total, by focus area, by target group — and the
    notifications badge of the base page."""
    client = as_user(world.gustav)
    page = reverse("reports:round_report", args=[world.round.pk])
    download = reverse("reports:round_report_csv", args=[world.round.pk])
    _volume(world, world.round, 10)
    small = (_queries(client, page), _queries(client, download))
    _volume(world, world.round, 290)
    assert Application.objects.filter(round=world.round).count() == 300
    large = (_queries(client, page), _queries(client, download))
    assert small == large, (small, large)
    assert round_report(world.round).total.received == 300


def test_the_years_page_costs_the_same_queries_for_2_and_6_rounds(
    world: SimpleNamespace, as_user: Any
) -> None:
    client = as_user(world.frida)
    url = reverse("reports:municipality_report")
    for year in (2020, 2021):
        _volume(world, _round_in(world, year, f"Puljen {year}"), 3)
    counts = [_queries(client, url)]
    for year in (2022, 2023, 2024, 2025):
        _volume(world, _round_in(world, year, f"Puljen {year}"), 3)
    counts.append(_queries(client, url))
    assert counts[0] == counts[1], counts
    # 2 and 6 rounds with applications, plus the fixture's round (no applications yet).
    assert len(municipality_report(world.roskilde).years) == 7


# --- charts ------------------------------------------------------------------------------


def test_a_chart_is_accessible_svg_with_exact_figures_and_escaped_labels() -> None:
    svg = str(
        charts.bar_chart(
            chart_id="c",
            title="Penge",
            description="Bevilget pr. fokusområde",
            categories=["<script>alert(1)</script>", "Ensomhed"],
            series=[charts.Series("Bevilget", charts.BLUE, [Decimal("500"), Decimal("1000")])],
        )
    )
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-labelledby="c-title c-desc"' in svg and '<title id="c-title">Penge</title>' in svg
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "style=" not in svg
    widths = [float(w) for w in _attr_values(svg, "rect", "width")]
    assert widths[1] == 2 * widths[0] > 0  # bars are proportional to the figures


def test_a_chart_leaves_out_empty_categories_and_says_when_nothing_is_left() -> None:
    def draw(*values: Decimal) -> str:
        return str(
            charts.bar_chart(
                chart_id="e",
                title="Tom",
                description="Ingen tal",
                categories=[f"Gruppe {i}" for i in range(len(values))],
                series=charts.money_series([[v] * 4 for v in values]),
            )
        )

    svg = draw(Decimal("0"), Decimal("10"))
    assert "Gruppe 1" in svg and "Gruppe 0" not in svg
    assert len(_attr_values(svg, "rect", "width")) == 4
    svg = draw(Decimal("0"))
    assert _attr_values(svg, "rect", "width") == []
    assert str(_("No figures yet.")) in svg


def test_a_long_label_is_wrapped_and_kept_whole_in_its_title() -> None:
    label = "Mennesker med psykiske vanskeligheder og deres pårørende i hele kommunen"
    svg = str(
        charts.bar_chart(
            chart_id="w",
            title="t",
            description="d",
            categories=[label],
            series=[charts.Series("Bevilget", charts.BLUE, [Decimal("1")])],
        )
    )
    assert f"<title>{label}</title>" in svg
    assert svg.count("<tspan") == 2


def _attr_values(svg: str, tag: str, attr: str) -> list[str]:
    import re

    return [
        m.group(1)
        for m in re.finditer(rf'<{tag} [^>]*?{attr}="([^"]+)"', svg)
        if ' y="4" ' not in m.group(0)  # the legend's swatches
    ]
