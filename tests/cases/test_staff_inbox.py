"""The inbox (issue 17): every column sorts both ways with aria-sort on its header, the sort
links keep the filters, one search box finds cases across rounds by case number,
association, CVR or title, the case officer filter, and constant query counts."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import FLOW_ORDER, Application
from cases.services.assignment import application_assign
from tests.factories import (
    ApplicationFactory,
    AssociationFactory,
    FocusAreaFactory,
    GrantRoundFactory,
)
from workflows import engine

pytestmark = pytest.mark.django_db


def _submit(world: Any, grant_round: Any, association: Any, **fields: Any) -> Application:
    from cases.models import BudgetLine, FocusArea

    application = ApplicationFactory(round=grant_round, association=association, **fields)
    application.focus_areas.set(FocusArea.objects.filter(round=grant_round)[:1])
    if "amount_requested" in fields:  # the budget adds up to the amount requested
        BudgetLine.objects.filter(application=application).delete()
        BudgetLine.objects.create(
            application=application, description="Det hele", amount=fields["amount_requested"]
        )
    user = world.anna if association == world.a else world.bo
    return engine.perform(application, "submit", user=user)


@pytest.fixture
def cases(world: Any) -> dict[str, Application]:
    """Three cases in two of Roskilde's rounds, each column's values in a different order.
    bo represents both associations here, so that he can submit for each."""
    from tests.factories import tie

    tie(world.bo, world.a)
    second = GrantRoundFactory(municipality=world.roskilde, name="Akutpuljen 2027")
    FocusAreaFactory(round=second, name="Motion")
    c = AssociationFactory(name="Cykelklubben", cvr="12345674")
    tie(world.bo, c)
    made = {
        "x": _submit(world, world.round, world.b, title="Besøg", amount_requested=30000),
        "y": _submit(world, second, c, title="Cykler", amount_requested=10000),
        "z": _submit(world, world.round, world.a, title="Aftenskole", amount_requested=20000),
    }
    # Two of them move on: statuses and "waiting since" differ, in another order.
    made["x"] = engine.perform(made["x"], "accept", user=world.carl, reason="OK")
    made["y"] = engine.perform(made["y"], "request_info", user=world.carl, question="Budget?")
    return made


def _rows(client: Any, url: str, **params: str) -> list[str]:
    page = client.get(url, params).content.decode()
    return re.findall(r'<tr data-case="([^"]+)"', page)


COLUMNS = {
    "case_number": lambda a: a.case_number,
    "association": lambda a: a.association.name,
    "title": lambda a: a.title,
    "amount": lambda a: a.amount_requested,
    # In the flow's order (submitted, information requested, in council review), which
    # here is the identifiers' alphabet backwards.
    "status": lambda a: FLOW_ORDER.index(a.status),
    "submitted": lambda a: a.submitted_at,
    "waiting": lambda a: a.waiting_since,
}


@pytest.mark.parametrize("column", COLUMNS)
@pytest.mark.parametrize("descending", [False, True])
def test_every_column_sorts_both_ways(
    world: Any, cases: dict[str, Application], client: Any, column: str, descending: bool
) -> None:
    from cases.selectors.staff import with_waiting_since

    client.force_login(world.carl)
    rows = with_waiting_since(Application.objects.select_related("association"))
    expected = [a.case_number for a in sorted(rows, key=COLUMNS[column], reverse=descending)]
    assert len(set(map(COLUMNS[column], rows))) == 3, "the scene must tell the orders apart"
    sort = f"-{column}" if descending else column

    assert _rows(client, reverse("inbox:case_search"), sort=sort) == expected
    page = client.get(reverse("inbox:case_search"), {"sort": sort}).content.decode()
    state = "descending" if descending else "ascending"
    assert f'aria-sort="{state}" data-sort="{column}"' in page
    assert page.count('aria-sort="none"') == len(COLUMNS) - 1


def test_sort_links_keep_the_filters_and_turn_the_order_round(
    world: Any, cases: dict[str, Application], client: Any
) -> None:
    client.force_login(world.carl)
    page = client.get(
        reverse("inbox:case_search"), {"q": "e", "status": "submitted", "sort": "title"}
    ).content.decode()
    links = dict(re.findall(r'data-sort="(\w+)"><a href="\?([^"]+)"', page))
    title = parse_qs(links["title"].replace("&amp;", "&"))
    assert title == {"q": ["e"], "status": ["submitted"], "sort": ["-title"]}
    amount = parse_qs(links["amount"].replace("&amp;", "&"))
    assert amount == {"q": ["e"], "status": ["submitted"], "sort": ["amount"]}


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("CASE", {"y"}),  # replaced by the case number below
        ("cykelklub", {"y"}),  # the association's name, any case
        ("12345674", {"y"}),  # CVR
        ("aftensk", {"z"}),  # title
    ],
)
def test_one_search_box_finds_across_rounds(
    world: Any, cases: dict[str, Application], client: Any, query: str, found: set[str]
) -> None:
    if query == "CASE":
        query = cases["y"].case_number
    client.force_login(world.carl)
    rows = _rows(client, reverse("inbox:case_search"), q=query)
    assert set(rows) == {cases[k].case_number for k in found}


def test_the_search_says_how_many_and_pages_by_25(world: Any, client: Any) -> None:
    for _ in range(27):
        _submit(world, world.round, world.b)
    client.force_login(world.carl)
    page = client.get(reverse("inbox:case_search")).content.decode()
    assert "Viser 1–25 af 27" in page
    page = client.get(reverse("inbox:case_search"), {"page": 2}).content.decode()
    assert "Viser 26–27 af 27" in page


def test_the_search_never_shows_another_municipalitys_cases(
    world: Any, cases: dict[str, Application], client: Any
) -> None:
    client.force_login(world.helle)
    assert _rows(client, reverse("inbox:case_search")) == []
    client.force_login(world.anna)
    assert client.get(reverse("inbox:case_search")).status_code == 403


def test_the_case_officer_filter(world: Any, cases: dict[str, Application], client: Any) -> None:
    application_assign(application=cases["x"], acting_user=world.carl, case_officer=world.carl)
    client.force_login(world.carl)
    url = reverse("inbox:case_search")
    assert _rows(client, url, officer="mine") == [cases["x"].case_number]
    assert set(_rows(client, url, officer="none")) == {
        cases["y"].case_number,
        cases["z"].case_number,
    }
    assert _rows(client, url, officer=str(world.carl.pk)) == [cases["x"].case_number]
    page = client.get(url).content.decode()
    assert "Sagsbehandler" in page and "Ikke tildelt" in page


def test_the_round_inbox_sorts_and_filters_in_its_own_round(
    world: Any, cases: dict[str, Application], client: Any
) -> None:
    client.force_login(world.carl)
    url = reverse("inbox:round_inbox", args=[world.round.pk])
    assert _rows(client, url, sort="-amount") == [
        cases["x"].case_number,
        cases["z"].case_number,
    ]
    assert _rows(client, url, q="cykel") == []  # another round's case


def test_bad_filter_values_are_ignored_not_a_500(
    world: Any, cases: dict[str, Application], client: Any
) -> None:
    client.force_login(world.carl)
    for params in ({"sort": "password"}, {"officer": "999999"}, {"round": "x"}, {"page": "-1"}):
        assert client.get(reverse("inbox:case_search"), params).status_code == 200


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_search_does_not_grow_with_the_number_of_cases(world: Any, client: Any) -> None:
    client.force_login(world.carl)
    url = reverse("inbox:case_search") + "?q=2026&sort=-waiting&officer=none"
    for _ in range(3):
        _submit(world, world.round, world.b)
    small = _count(client, url)
    for _ in range(30):
        _submit(world, world.round, world.b)
    large = _count(client, url)
    # session, user, staff roles with association ties, the case officers, the page's count,
    # the page's rows (with waiting-since and disqualification annotations), their focus
    # areas, the unread notifications (header), the rounds filter's rounds (with their
    # municipalities)
    assert small == large == 9
