"""List pages run a fixed number of queries, however many applications there are."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ApplicationFactory
from workflows import engine

pytestmark = pytest.mark.django_db


def grow_to(world: Any, n: int, association: Any, submit_as: Any = None) -> None:
    """Make the association have n applications: drafts, or submitted through the flow."""
    from cases.models import Application

    while Application.objects.filter(association=association).count() < n:
        application = ApplicationFactory(
            round=world.round, association=association, complete=submit_as is not None
        )
        application.focus_areas.set([world.focus])
        if submit_as is not None:
            engine.perform(application, "submit", user=submit_as)


def count_queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_applicants_list_does_not_grow_with_the_number_of_applications(
    world: Any, client: Any
) -> None:
    client.force_login(world.anna)
    url = reverse("applications:my_applications")
    grow_to(world, 10, world.a)
    small = count_queries(client, url)
    grow_to(world, 200, world.a)
    large = count_queries(client, url)
    # session, user, staff roles with association ties, applications, their focus areas,
    # anna's associations (for the links)
    assert small == large == 7  # incl. the unread-notifications count in the header


def test_the_inbox_does_not_grow_with_the_number_of_applications(world: Any, client: Any) -> None:
    client.force_login(world.carl)
    url = reverse("inbox:round_inbox", args=[world.round.pk])
    grow_to(world, 10, world.a, submit_as=world.anna)
    small = count_queries(client, url)
    grow_to(world, 200, world.a, submit_as=world.anna)
    large = count_queries(client, url)
    # session, user, staff roles with association ties, the round, the filter's focus areas,
    # the page's count, the page's rows, their focus areas, status counts, totals,
    # the round's conditions and criteria, the case officers to assign to (issue 17)
    assert small == large == 14


def querysets_built(client: Any, url: str) -> int:
    """How many querysets a request builds: work in Python that a query count misses."""
    from unittest import mock

    from django.db.models.query import QuerySet

    real = QuerySet.__init__
    built = 0

    def counting(self: Any, *args: Any, **kwargs: Any) -> None:
        nonlocal built
        built += 1
        real(self, *args, **kwargs)

    with mock.patch.object(QuerySet, "__init__", counting):
        assert client.get(url).status_code == 200
    return built


def test_the_inbox_builds_no_queryset_per_row(world: Any, client: Any) -> None:
    """The rows' focus areas are a prefetched list: ``focus_areas.all`` in the template
    built a queryset per row (issue 19)."""
    client.force_login(world.carl)
    url = reverse("inbox:round_inbox", args=[world.round.pk])
    grow_to(world, 2, world.a, submit_as=world.anna)
    small = querysets_built(client, url)
    grow_to(world, 20, world.a, submit_as=world.anna)  # still one page (25 rows)
    assert querysets_built(client, url) == small
