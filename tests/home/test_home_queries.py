"""Every home runs a fixed number of queries, the same at 10 cases as at 300."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.home.scene import grow, work

pytestmark = pytest.mark.django_db

# Every page: the session, the user, the user's staff roles and association ties (the
# profile, cases/roles.py: one statement), the unread notifications in the header.
FRAME = 4


def queries(client: Any, user: Any) -> tuple[int, list[str]]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("home:home"))
    assert response.status_code == 200
    return len(captured), [q["sql"] for q in captured.captured_queries]


def at_10_and_300(world: SimpleNamespace, client: Any, user: Any) -> tuple[int, int]:
    work(world)
    grow(world, 10)
    small, _ = queries(client, user)
    grow(world, 300)
    large, sql = queries(client, user)
    assert small == large, "\n".join(sql)
    return small, large


def test_the_associations_home_does_not_grow_with_the_cases(world: Any, client: Any) -> None:
    small, _ = at_10_and_300(world, client, world.anna)
    # FRAME; the associations; their applications counted per association and state; open
    # hearings; payouts; the open rounds
    assert small == FRAME + 5


def test_the_case_officers_home_does_not_grow_with_the_cases(world: Any, client: Any) -> None:
    small, _ = at_10_and_300(world, client, world.carl)
    # FRAME; the rounds with work; their applications counted per round and kind of work;
    # expired hearings; overdue claims; the coming meetings; applications per status; the
    # time each open case entered its state (the median waiting time)
    assert small == FRAME + 7


def test_the_council_members_home_does_not_grow_with_the_cases(world: Any, client: Any) -> None:
    small, _ = at_10_and_300(world, client, world.dorte)
    # FRAME; the coming council meetings with the sheet's counts as subqueries
    assert small == FRAME + 1


def test_the_council_chairs_home_does_not_grow_with_the_cases(world: Any, client: Any) -> None:
    small, _ = at_10_and_300(world, client, world.erik)
    # FRAME; the member's sheets (1); declarations awaiting a ruling; the next council
    # meetings; for the next one the chair's overview (members present, agenda, assessments,
    # the council's members, board ties, declarations)
    assert small == FRAME + 1 + 2 + 6


def test_the_committees_home_does_not_grow_with_the_cases(world: Any, client: Any) -> None:
    small, _ = at_10_and_300(world, client, world.frida)
    # FRAME; the next committee meetings; their agendas' totals; the rounds' grants
    assert small == FRAME + 3


def test_the_auditors_home_does_not_grow_with_the_cases(world: Any, client: Any) -> None:
    small, _ = at_10_and_300(world, client, world.gustav)
    # FRAME; the latest decisions; the last check of the whole trail
    assert small == FRAME + 2


def test_the_managers_home_does_not_grow_with_the_cases(world: Any, client: Any) -> None:
    from cases.models import Role
    from tests.factories import UserFactory, give_role

    manager = UserFactory(username="lone")
    give_role(manager, world.roskilde, Role.MANAGER)
    small, _ = at_10_and_300(world, client, manager)
    # FRAME; the case officers' declared ties awaiting a ruling
    assert small == FRAME + 1
