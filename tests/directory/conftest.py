"""The directory's scene: entries published through the service, as the screens do."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache

from cases.services.directory import directory_entry_publish
from tests.api.conftest import api  # noqa: F401  (the API client fixture)


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    """The test cache (LocMemCache) lives as long as the process: each test starts empty."""
    cache.clear()
    yield
    cache.clear()


def entry_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "description": "Vi laver lektiehjælp for børn i 4.-9. klasse hver tirsdag.",
        "target_groups": ["children"],
        "focus_areas": ["Børn og unge"],
        "whole_municipality": False,
        "area": "4000 Roskilde",
        "seeks_volunteers": True,
        "volunteers_text": "Vi mangler frivillige til matematik.",
        "website": "https://lektiecafe.example",
        "contact_email": "",
        "contact_phone": "",
    }
    data.update(overrides)
    return data


def listed(
    world: SimpleNamespace, association: Any = None, user: Any = None, **overrides: Any
) -> Any:
    """The association (A by default) listed in Roskilde's directory by its representative."""
    association = association or world.a
    user = user or (world.anna if association == world.a else world.bo)
    return directory_entry_publish(
        association=association,
        municipality=world.roskilde,
        acting_user=user,
        data=entry_data(**overrides),
    )


__all__ = ["entry_data", "listed"]
