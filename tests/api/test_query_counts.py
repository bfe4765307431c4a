"""Every list endpoint runs the same number of queries for 10 and for 200 items.

Per request, besides the rows: the token lookup, the user's roles and association ties
(``roles.profile``), the page count, and one query per prefetched relation.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import AgendaItem, Attachment, BudgetLine, Meeting
from cases.trail.chain import record_transition
from tests.factories import (
    ApplicationFactory,
    AssociationFactory,
    FocusAreaFactory,
    GrantRoundFactory,
    tie,
)


def _count(client: Any, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": 500})
    assert response.status_code == 200, response.content
    body = response.json()
    items = body["results"] if "results" in body else body["items"]
    return len(queries), len(items)


def _applications(world: Any, n: int) -> None:
    for _ in range(n):
        app = ApplicationFactory(round=world.round, association=world.a, complete=False)
        app.focus_areas.set([world.focus])
        BudgetLine.objects.create(application=app, description="Leje", amount=Decimal("100"))


def _rounds(world: Any, n: int) -> None:
    for _ in range(n):
        FocusAreaFactory(round=GrantRoundFactory(municipality=world.roskilde))


def _associations(world: Any, n: int) -> None:
    for _ in range(n):
        tie(world.anna, AssociationFactory())


def _attachments(world: Any, n: int) -> None:
    app = world.list_app
    for i in range(n):
        Attachment.objects.create(
            application=app,
            kind="other",
            file=f"x{i}.pdf",
            original_name="x.pdf",
            size=1,
            content_type="application/pdf",
            uploaded_by=world.anna,
        )


def _trail(world: Any, n: int) -> None:
    for _ in range(n):
        record_transition(
            application=world.list_app,
            flow="conflicts",
            transition="declare_conflict",
            from_state="draft",
            to_state="draft",
            actor=world.dorte,
            role="council_member",
        )


def _meetings(world: Any, n: int) -> None:
    for i in range(n):
        meeting = Meeting.objects.create(
            round=world.round,
            body="council",
            date=datetime.date(2027, 1, 1) + datetime.timedelta(days=i),
        )
        meeting.members_present.set([world.dorte, world.erik])


def _agenda(world: Any, n: int) -> None:
    meeting = world.list_meeting
    start = meeting.agenda_items.count()
    for i in range(n):
        app = ApplicationFactory(
            round=world.round,
            association=world.a if i % 2 else world.b,
            complete=False,
            status="in_council_review",
        )
        app.focus_areas.set([world.focus])
        AgendaItem.objects.create(meeting=meeting, application=app, position=start + i + 1)
        record_transition(
            application=app,
            flow="application",
            transition="recommend",
            from_state="in_council_review",
            to_state="recommended",
            actor=world.erik,
            role="council_chair",
            payload={"meeting": meeting.pk, "outcome": "grant", "amount": "100"},
        )


LISTS: list[tuple[str, str, str, Callable[[Any, int], None]]] = [
    ("applications", "anna", "/api/v1/applications", _applications),
    ("applications (staff)", "carl", "/api/v1/applications", _applications),
    ("rounds", "carl", "/api/v1/rounds", _rounds),
    ("associations", "anna", "/api/v1/associations", _associations),
    ("attachments", "anna", "/api/v1/applications/{app}/attachments", _attachments),
    ("trail", "gustav", "/api/v1/applications/{app}/trail", _trail),
    ("meetings", "carl", "/api/v1/meetings", _meetings),
    ("agenda", "gustav", "/api/v1/meetings/{meeting}", _agenda),
    ("minutes", "gustav", "/api/v1/meetings/{meeting}/minutes", _agenda),
]


@pytest.mark.parametrize("name,user,url,make", LISTS, ids=[row[0] for row in LISTS])
def test_list_queries_do_not_grow_with_the_data(
    world: Any, api: Any, name: str, user: str, url: str, make: Callable[[Any, int], None]
) -> None:
    world.list_app = ApplicationFactory(round=world.round, association=world.a, complete=False)
    world.list_meeting = Meeting.objects.create(
        round=world.round, body="council", date=datetime.date(2026, 2, 1)
    )
    world.list_meeting.members_present.set([world.dorte, world.erik])
    client = api(getattr(world, user))
    target = url.format(app=world.list_app.pk, meeting=world.list_meeting.pk)
    client.get("/api/v1/me")  # the token's first use records last_used_at once
    make(world, 10)
    small, seen_small = _count(client, target)
    make(world, 190)
    large, seen_large = _count(client, target)
    assert seen_large - seen_small == 190
    assert small == large, f"{name}: {small} queries for 10 items, {large} for 200"


def test_the_staff_list_reads_an_index_in_its_own_order(world: Any, api: Any) -> None:
    """The municipality's applications newest first, as ``application_newest_idx`` holds
    them: PostgreSQL reads the first page off the index and stops, instead of joining every
    round and association in the country before the LIMIT (issue 19, 300k applications)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.models import Application

    index = next(i for i in Application._meta.indexes if i.name == "application_newest_idx")
    ApplicationFactory(round=world.round, association=world.a)
    client = api(world.carl)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/api/v1/applications").status_code == 200
    rows = next(
        q["sql"] for q in captured if "LIMIT" in q["sql"] and "cases_application" in q["sql"]
    )
    assert '"cases_application"."municipality_id" IN' in rows
    columns = ", ".join(
        f'"cases_application"."{name.lstrip("-")}" {"DESC" if name.startswith("-") else "ASC"}'
        for name in index.fields[1:]
    )
    assert f"ORDER BY {columns}" in rows
