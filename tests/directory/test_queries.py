"""The directory's pages and files cost the same queries for 10 entries as for 1,000
(STYLE.md § 6)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Association, DirectoryEntry, DirectoryFocusArea, TargetGroup
from cases.trail.history import unaudited_writes_allowed

pytestmark = pytest.mark.django_db


def many_entries(world: SimpleNamespace, n: int) -> None:
    """``n`` published entries, each with two target groups and a focus area, in a few bulk
    INSERTs (no history rows: rows to read, not a flow to test)."""
    start = Association.objects.count()
    groups = list(TargetGroup.objects.order_by("id")[:3])
    with unaudited_writes_allowed():
        associations = Association.objects.bulk_create(
            [
                Association(
                    name=f"Forening {start + i:05d}",
                    cvr=f"9{start + i:07d}",
                    address="Vej 1",
                    postal_code="4000",
                    city="Roskilde",
                    contact_person="Person",
                    email="p@example.org",
                    phone="12345678",
                )
                for i in range(n)
            ],
            batch_size=500,
        )
        entries = DirectoryEntry.objects.bulk_create(
            [
                DirectoryEntry(
                    association=a,
                    municipality=world.roskilde,
                    description="Frivilligt socialt arbejde",
                    seeks_volunteers=bool(i % 2),
                    published=True,
                )
                for i, a in enumerate(associations)
            ],
            batch_size=500,
        )
        DirectoryFocusArea.objects.bulk_create(
            [DirectoryFocusArea(entry=e, name="Ensomhed") for e in entries], batch_size=500
        )
    Link = DirectoryEntry.target_groups.through
    Link.objects.bulk_create(
        [Link(directoryentry=e, targetgroup=groups[i % 3]) for i, e in enumerate(entries)]
        + [Link(directoryentry=e, targetgroup=groups[(i + 1) % 3]) for i, e in enumerate(entries)],
        batch_size=500,
    )


def _pages(world: SimpleNamespace) -> list[tuple[str, list[Any], dict[str, str]]]:
    slug = world.roskilde.slug
    first = DirectoryEntry.objects.order_by("pk").values_list("association_id", flat=True)[0]
    return [
        ("directory:public_list", [slug], {}),
        (
            "directory:public_list",
            [slug],
            {
                "soeg": "forening",
                "frivillige": "on",
                "fokusomraade": "Ensomhed",
                "maalgruppe": "children",
            },
        ),
        ("directory:public_entry", [slug, first], {}),
        ("directory:public_json", [slug], {}),
        ("directory:public_csv", [slug], {}),
    ]


def _counts(client: Any, world: SimpleNamespace) -> dict[str, int]:
    counts = {}
    for name, args, query in _pages(world):
        cache.clear()  # a cold cache: the page is built
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse(name, args=args), query)
        assert response.status_code == 200, name
        counts[f"{name} {sorted(query)}"] = len(captured)
    return counts


def test_each_page_costs_the_same_queries_for_10_and_1000_entries(
    world: SimpleNamespace, client: Any
) -> None:
    many_entries(world, 10)
    small = _counts(client, world)
    many_entries(world, 990)
    assert DirectoryEntry.objects.filter(published=True).count() == 1000
    large = _counts(client, world)
    assert small == large, (small, large)
    # The list: the municipality with its version, the count, the page's rows, their target
    # groups, their focus areas, and the focus areas to filter on. The association's page:
    # the municipality, the entry, its target groups, its focus areas, its grants. The files:
    # the municipality, the rows, their target groups, their focus areas.
    assert list(small.values()) == [6, 6, 5, 4, 4]


def test_the_list_shows_fifty_of_a_thousand(world: SimpleNamespace, client: Any) -> None:
    many_entries(world, 1000)
    page = client.get(
        reverse("directory:public_list", args=[world.roskilde.slug]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "1,000 associations" in page or "1000 associations" in page
    assert page.count('class="pf-directory-item"') == 50
    assert "page 1 of 20" in page
