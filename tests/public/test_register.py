"""The grants register: what it shows (final decisions only), its filters, totals and pages."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from cases.models import Application, FocusArea
from cases.selectors import public as selectors
from cases.trail.history import unaudited_writes_allowed
from tests.conftest import advance
from tests.factories import ApplicationFactory, GrantRoundFactory
from tests.public.conftest import complete, granted, refused, rejected

pytestmark = pytest.mark.django_db


def _register(client: Any, world: SimpleNamespace, **query: Any) -> Any:
    return client.get(
        reverse("public:register", args=[world.roskilde.slug]), query, HTTP_ACCEPT_LANGUAGE="en"
    )


def test_an_anonymous_visitor_sees_a_grant_once_it_is_decided(
    world: SimpleNamespace, client: Any
) -> None:
    advance(complete(world, title="Strikkeklub"), world, "recommended")
    page = _register(client, world)
    assert page.status_code == 200
    assert "Strikkeklub" not in page.content.decode()  # recommended, not decided
    granted(world, title="Lektiecafé for børn")
    page = _register(client, world).content.decode()
    assert "Lektiecafé for børn" in page
    assert "Lektiecaféen" in page  # the association's name
    assert "DKK 20,000.00" in page
    assert "§ 18-puljen 2027" in page
    with translation.override("en"):  # the committee's date, as the page writes dates
        assert date_format(datetime.date(2026, 2, 15), "DATE_FORMAT") in page


@pytest.mark.parametrize("to", ["draft", "submitted", "in_council_review", "recommended"])
def test_nothing_before_a_decision_is_shown(world: SimpleNamespace, to: str) -> None:
    advance(complete(world), world, to)
    assert not selectors.published(world.roskilde).exists()


def test_a_grant_stays_in_the_register_after_payout_and_report(world: SimpleNamespace) -> None:
    application = granted(world)
    for state in ("paid", "report_submitted", "closed"):
        application = advance(application, world, state)
        assert list(selectors.published(world.roskilde)) == [application], state


def test_a_granted_status_without_its_decision_letter_is_not_shown(
    world: SimpleNamespace,
) -> None:
    # A row that says granted but has no letter has not been notified: not final.
    ApplicationFactory(
        round=world.round,
        association=world.a,
        status="granted",
        granted_amount=Decimal("1000"),
        decision_date=datetime.date(2026, 3, 1),
    )
    assert not selectors.published(world.roskilde).exists()
    granted(world)
    assert selectors.published(world.roskilde).count() == 1


def test_refusals_and_rejections_stay_out_unless_the_municipality_publishes_them(
    world: SimpleNamespace, client: Any
) -> None:
    refused(world, title="Afslået aktivitet")
    rejected(world, title="Afvist aktivitet")
    granted(world)
    page = _register(client, world).content.decode()
    assert "Afslået aktivitet" not in page and "Afvist aktivitet" not in page
    world.roskilde.publish_refusals = True
    world.roskilde.save()
    page = _register(client, world).content.decode()
    assert "Afslået aktivitet" in page and "Afvist aktivitet" in page
    outcomes = {r["title"]: r["outcome"] for r in _json(client, world)["grants"]}
    assert outcomes == {
        "Afslået aktivitet": "refused",
        "Afvist aktivitet": "rejected",
        "Lektiecafé for børn": "partially_granted",  # 20,000 of the 25,000 asked for
    }


def _json(client: Any, world: SimpleNamespace, **query: Any) -> Any:
    return client.get(reverse("public:register_json", args=[world.roskilde.slug]), query).json()


def test_another_municipalitys_grants_are_not_in_the_register(
    world: SimpleNamespace, client: Any
) -> None:
    granted(world)
    response = client.get(reverse("public:register_json", args=[world.naestved.slug]))
    assert response.json()["grants"] == []


def test_it_filters_by_year_round_and_focus_area(world: SimpleNamespace, client: Any) -> None:
    first = granted(world, title="Lektiecafé")
    later_round = GrantRoundFactory(municipality=world.roskilde, name="§ 18-puljen 2028")
    other_area = FocusArea.objects.create(round=later_round, name="Sundhed")
    second = ApplicationFactory(round=later_round, association=world.a, title="Motion for ældre")
    second.focus_areas.set([other_area])
    advance(second, world, "granted")
    # The committee met on 15 February 2026 for both; move the second's decision a year on
    # as it would stand after a meeting in 2027 (the date is not what is tested here).
    with unaudited_writes_allowed():
        Application.objects.filter(pk=second.pk).update(decision_date=datetime.date(2027, 2, 15))

    def titles(**query: Any) -> set[str]:
        return {g["title"] for g in _json(client, world, **query)["grants"]}

    assert titles() == {"Lektiecafé", "Motion for ældre"}
    assert titles(aar=2026) == {"Lektiecafé"}
    assert titles(aar=2027) == {"Motion for ældre"}
    assert titles(pulje=first.round_id) == {"Lektiecafé"}
    assert titles(fokusomraade="Sundhed") == {"Motion for ældre"}
    assert titles(fokusomraade="Ensomhed", aar=2027) == set()
    page = _register(client, world, aar=2027).content.decode()
    assert "Motion for ældre" in page and "Lektiecafé</strong>" not in page
    # The year filter offers every year the register has, newest first, whether it is
    # filtered or not (unfiltered, the years come from the totals per year).
    for shown in (_register(client, world), _register(client, world, aar=2027)):
        select = shown.content.decode().split('id="id_aar"')[1].split("</select>")[0]
        assert re.findall(r'<option value="(\d+)"', select) == ["2027", "2026"]


def test_a_bad_filter_gets_a_message_beside_the_field_not_a_crash(
    world: SimpleNamespace, client: Any
) -> None:
    response = _register(client, world, aar="nittenhundrede")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_aar-error"' in page and "Choose a year from the list" in page
    response = client.get(
        reverse("public:register_json", args=[world.roskilde.slug]), {"pulje": "x"}
    )
    assert response.status_code == 400
    assert response.json()["error"].startswith("pulje: ")  # the parameter, and what to do
    response = client.get(reverse("public:register_csv", args=[world.roskilde.slug]), {"aar": "x"})
    assert response.status_code == 400


def test_the_totals_per_year_and_focus_area_come_with_a_chart_and_a_table(
    world: SimpleNamespace, client: Any
) -> None:
    granted(world, title="Et")
    granted(world, title="To")
    rows = selectors.published(world.roskilde)
    assert selectors.totals_per_year(rows) == [
        selectors.Total("2026", 2, Decimal("40000.00"), rows=2)
    ]
    assert selectors.totals_per_focus_area(rows) == [
        selectors.Total("Ensomhed", 2, Decimal("40000.00"))
    ]
    page = _register(client, world).content.decode()
    assert page.count('<svg class="pf-chart"') == 2
    assert "DKK 40,000.00" in page


def test_the_register_pages_by_fifty_and_says_how_many_there_are(
    world: SimpleNamespace, client: Any
) -> None:
    from tests.public.test_queries import many_grants

    many_grants(world, 51)
    page = _register(client, world).content.decode()
    assert "51 decisions" in page and "page 1 of 2" in page
    assert page.count('<tr id="sag-') == 50
    second = _register(client, world, side=2).content.decode()
    assert second.count('<tr id="sag-') == 1


def test_a_signed_in_user_sees_the_same_register_with_their_own_header(
    world: SimpleNamespace, client: Any
) -> None:
    granted(world)
    anonymous = _register(client, world).content.decode()
    assert 'id="nav-login"' in anonymous and "Log out" not in anonymous
    client.force_login(world.carl)
    signed_in = _register(client, world).content.decode()
    assert "Lektiecafé for børn" in signed_in
    assert 'id="nav-login"' not in signed_in and "Log out" in signed_in


def test_an_unknown_municipality_is_a_404(client: Any, db: Any) -> None:
    assert client.get("/ingen-kommune/tilskud/").status_code == 404
    assert client.get("/ingen-kommune/tilskud.json").status_code == 404


def test_nobody_may_post_to_the_public_pages(world: SimpleNamespace, client: Any) -> None:
    slug = world.roskilde.slug
    for name, args in [
        ("public:municipality", [slug]),
        ("public:call", [slug, world.round.pk]),
        ("public:register", [slug]),
        ("public:register_csv", [slug]),
        ("public:register_json", [slug]),
        ("public:register_atom", [slug]),
        ("public:index", []),
    ]:
        assert client.post(reverse(name, args=args)).status_code == 405, name
        assert client.get(reverse(name, args=args)).status_code == 200, name
