"""The page benchmark's floor (benchmarks/urls.py): a signed-in page with one query of its
own, routed only by the benchmark's URLconf."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

pytestmark = pytest.mark.django_db


def test_the_bare_page_is_the_frame_and_one_query(world: SimpleNamespace, client: Any) -> None:
    client.force_login(world.carl)
    with override_settings(ROOT_URLCONF="benchmarks.urls"):
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/_bench/bare/")
        assert response.status_code == 200
        # the session, the user, and its one query
        assert len(captured) == 3, [q["sql"] for q in captured]
        # every production page is still routed through the benchmark's URLconf
        assert client.get("/").status_code == 200


def test_production_does_not_route_the_bare_page(world: SimpleNamespace, client: Any) -> None:
    client.force_login(world.carl)
    assert client.get("/_bench/bare/").status_code == 404


def test_the_benchmark_signs_in_with_the_second_factor_given(
    world: SimpleNamespace, client: Any
) -> None:
    from accounts.signals import TWO_FACTOR_REQUIRED
    from benchmarks import pages

    assert pages.TWO_FACTOR_REQUIRED == TWO_FACTOR_REQUIRED
    world.roskilde.require_two_factor = True
    world.roskilde.save(update_fields=["require_two_factor"])
    pages.sign_in(client, world.carl)
    assert client.get("/").status_code == 200
