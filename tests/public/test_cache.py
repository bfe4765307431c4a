"""The public pages are cached per page, and a decision makes every cached copy stale at
once, in every process (the version in the database is part of the key)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import PublicationVersion, RoundCondition
from tests.conftest import NO_HEARING, advance
from tests.public.conftest import complete, granted
from workflows import engine

pytestmark = pytest.mark.django_db


def _version(world: SimpleNamespace) -> int:
    row = PublicationVersion.objects.filter(municipality=world.roskilde).first()
    return row.version if row else 0


def _main(response: Any) -> bytes:
    """The page's content (the frame holds a fresh CSRF token on every response)."""
    body = response.content
    start = body.find(b"<main")
    return body[start : body.find(b"</main>")] if start >= 0 else body


def _get(client: Any, url: str) -> tuple[Any, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(captured)


@pytest.mark.parametrize(
    "name",
    ["public:register", "public:register_json", "public:register_csv", "public:register_atom"],
)
def test_a_cached_page_costs_one_query_and_a_decision_shows_at_once(
    world: SimpleNamespace, client: Any, name: str
) -> None:
    granted(world, title="Første bevilling")
    url = reverse(name, args=[world.roskilde.slug])
    first, built = _get(client, url)
    again, served = _get(client, url)
    assert served == 1 < built  # only the municipality with its version
    assert _main(again) == _main(first)
    waiting = advance(complete(world, title="Anden bevilling"), world, "recommended")
    assert "Anden bevilling" not in _get(client, url)[0].content.decode()
    engine.perform(
        waiting,
        "decide",
        user=world.frida,
        outcome="grant",
        amount="20000",
        reason="Som indstillet",
        **NO_HEARING,
    )
    assert "Anden bevilling" in _get(client, url)[0].content.decode()


def test_the_decision_bumps_the_version_in_the_database(world: SimpleNamespace) -> None:
    waiting = advance(complete(world), world, "recommended")
    before = _version(world)
    engine.perform(
        waiting,
        "decide",
        user=world.frida,
        outcome="refuse",
        reason="Puljen er brugt",
        **NO_HEARING,
    )
    assert _version(world) == before + 1


def test_a_transition_that_changes_nothing_public_leaves_the_version(
    world: SimpleNamespace,
) -> None:
    application = complete(world)
    before = _version(world)
    advance(application, world, "in_council_review")
    assert _version(world) == before


def _process(name: str) -> Any:
    """The cache of one web process: a LocMemCache of its own (``make run`` runs several)."""
    backend = "django.core.cache.backends.locmem.LocMemCache"
    return override_settings(CACHES={"default": {"BACKEND": backend, "LOCATION": name}})


def test_a_decision_made_in_one_process_shows_in_another_with_its_own_cache(
    world: SimpleNamespace, client: Any
) -> None:
    granted(world, title="Første bevilling")
    url = reverse("public:register", args=[world.roskilde.slug])
    with _process("b"):
        _get(client, url)
        assert _get(client, url)[1] == 1  # process b serves its cached copy
    with _process("a"):
        waiting = advance(complete(world, title="Anden bevilling"), world, "recommended")
        engine.perform(
            waiting,
            "decide",
            user=world.frida,
            outcome="grant",
            amount="20000",
            reason="Som indstillet",
            **NO_HEARING,
        )
    with _process("b"):  # nothing told process b's cache; the version in the key did
        assert "Anden bevilling" in _get(client, url)[0].content.decode()
        cache.clear()


def test_a_changed_round_shows_on_its_call_page_at_once(
    world: SimpleNamespace, client: Any
) -> None:
    url = reverse("public:call", args=[world.roskilde.slug, world.round.pk])
    assert "Bor i kommunen" not in _get(client, url)[0].content.decode()
    assert _get(client, url)[1] == 1
    RoundCondition.objects.create(round=world.round, text="Bor i kommunen")
    assert "Bor i kommunen" in _get(client, url)[0].content.decode()
    world.round.name = "Ny titel på puljen"
    world.round.save()
    assert "Ny titel på puljen" in _get(client, url)[0].content.decode()


def test_each_language_has_its_own_copy(world: SimpleNamespace, client: Any) -> None:
    url = reverse("public:register", args=[world.roskilde.slug])
    danish = client.get(url, HTTP_ACCEPT_LANGUAGE="da").content.decode()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Tilskudsregister" in danish and "Grants register" in english


UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        # Nothing listens on port 1: every cache call fails at once, as while Redis restarts.
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


@pytest.mark.parametrize("name", ["public:municipality", "public:register"])
def test_the_pages_are_served_while_the_cache_is_unreachable(
    world: SimpleNamespace, client: Any, name: str
) -> None:
    granted(world, title="Første bevilling")
    with override_settings(CACHES=UNREACHABLE_REDIS):
        cache.close()
        response = client.get(reverse(name, args=[world.roskilde.slug]))
    assert response.status_code == 200
    assert "Første bevilling" in response.content.decode() or name == "public:municipality"
