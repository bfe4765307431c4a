"""The public pages' scene: grants decided through the real flow, and helpers."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache

from tests.conftest import NO_HEARING, advance, on_agenda
from tests.factories import ApplicationFactory
from workflows import engine


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    """The test cache (LocMemCache) lives as long as the process: each test starts empty."""
    cache.clear()
    yield
    cache.clear()


def complete(world: SimpleNamespace, **kw: Any) -> Any:
    """A complete draft of the round (focus area chosen)."""
    kw.setdefault("round", world.round)
    kw.setdefault("association", world.a)
    application = ApplicationFactory(**kw)
    application.focus_areas.set([world.focus])
    return application


def granted(world: SimpleNamespace, title: str = "Lektiecafé for børn", **kw: Any) -> Any:
    """A grant of 20,000 DKK decided by the committee (letter and all)."""
    return advance(complete(world, title=title, **kw), world, "granted")


def refused(world: SimpleNamespace, title: str = "Afslået aktivitet") -> Any:
    application = complete(world, title=title)
    application = advance(application, world, "recommended")
    return engine.perform(
        application,
        "decide",
        user=world.frida,
        outcome="refuse",
        reason="Puljen er brugt",
        **NO_HEARING,
    )


def rejected(world: SimpleNamespace, title: str = "Afvist aktivitet") -> Any:
    application = complete(world, title=title)
    application = advance(application, world, "submitted")
    return engine.perform(
        application,
        "reject",
        user=world.carl,
        reason="Foreningen er ikke frivillig",
        ground_other="Ikke frivilligt baseret",
        **NO_HEARING,
    )


__all__ = ["complete", "granted", "on_agenda", "refused", "rejected"]
