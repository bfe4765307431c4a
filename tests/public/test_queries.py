"""The public pages cost the same queries for 10 grants as for 10,000 (STYLE.md § 6)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Application, Document, DocumentKind, FocusArea
from cases.trail.history import unaudited_writes_allowed

pytestmark = pytest.mark.django_db


def many_grants(world: SimpleNamespace, n: int) -> None:
    """``n`` granted applications with their letters and focus areas, in a few bulk
    INSERTs (no history rows: these are rows to read, not a flow to test)."""
    start = Application.objects.count()
    with unaudited_writes_allowed():
        made = Application.objects.bulk_create(
            [
                Application(
                    municipality=world.roskilde,
                    round=world.round,
                    association=world.a if i % 2 else world.b,
                    case_number=f"9{start + i:07d}"[-12:],
                    status="granted",
                    title=f"Aktivitet {start + i}",
                    purpose="Fællesskab",
                    amount_requested=Decimal("25000"),
                    granted_amount=Decimal("20000") if i % 3 else Decimal("25000"),
                    decided_at=datetime.datetime(2026, 2, 15, 12, tzinfo=datetime.UTC),
                    decision_date=datetime.date(2025 + i % 2, 2, 15),
                )
                for i in range(n)
            ],
            batch_size=500,
        )
        Document.objects.bulk_create(
            [
                Document(
                    application=a,
                    kind=DocumentKind.GRANT,
                    title="Bevilling",
                    pdf="",
                    html="",
                    created_by=world.carl,
                )
                for a in made
            ],
            batch_size=500,
        )
    other = FocusArea.objects.get(round=world.round, name="Børn og unge")
    Link = Application.focus_areas.through
    Link.objects.bulk_create(
        [Link(application=a, focusarea=world.focus) for a in made]
        + [Link(application=a, focusarea=other) for a in made[::2]],
        batch_size=500,
    )
    if connection.vendor == "postgresql":
        # The rows are the test's own, uncommitted: autovacuum cannot see them, so without
        # this the planner knows nothing of 10,000 grants and may pick nested loops that
        # take minutes. A real register's tables have their statistics.
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE cases_application, cases_document, cases_application_focus_areas"
            )


PAGES = [
    ("public:register", {}),
    ("public:register", {"aar": "2026", "fokusomraade": "Ensomhed"}),
    ("public:register_csv", {}),
    ("public:register_json", {}),
    ("public:register_atom", {}),
    ("public:municipality", {}),
]


def _count(client: Any, world: SimpleNamespace, name: str, query: dict[str, str]) -> int:
    cache.clear()  # a cold cache: the page is built
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(name, args=[world.roskilde.slug]), query)
    assert response.status_code == 200
    return len(captured)


def test_each_page_costs_the_same_queries_for_10_and_10000_grants(
    world: SimpleNamespace, client: Any
) -> None:
    many_grants(world, 10)
    small = {(n, str(q)): _count(client, world, n, q) for n, q in PAGES}
    many_grants(world, 9990)
    assert Application.objects.filter(status="granted").count() == 10000
    large = {(n, str(q)): _count(client, world, n, q) for n, q in PAGES}
    # The register: the municipality with its version, the totals per year (which also
    # give the count), the page's rows, their focus areas, the totals per focus area, and
    # the filter's rounds and focus areas; filtered, also the filter's years (unfiltered,
    # the totals per year name them). The files: the municipality, the rows, their focus
    # areas. The feed: the municipality and the newest rows. The front: the municipality
    # and its rounds.
    expected = [7, 8, 3, 3, 2, 2]
    assert small == large, (small, large)
    assert small == {(n, str(q)): count for (n, q), count in zip(PAGES, expected, strict=True)}


def test_the_register_reads_10000_grants_and_sums_them_in_the_database(
    world: SimpleNamespace, client: Any
) -> None:
    many_grants(world, 10000)
    response = client.get(reverse("public:register_json", args=[world.roskilde.slug]))
    body = response.json()
    assert body["count"] == 10000 and len(body["grants"]) == 10000
    page = client.get(
        reverse("public:register", args=[world.roskilde.slug]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "10,000 decisions" in page or "10000 decisions" in page
    # 3334 of 25,000 and 6666 of 20,000, split over two years
    total = sum(Decimal(str(g["amount_granted"])) for g in body["grants"])
    assert total == Decimal("3334") * 25000 + Decimal("6666") * 20000
