"""The scene, built once per module; and the matrix's summary at the end of the run."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import transaction
from django.test.utils import override_settings

from .report import SUMMARY
from .scene import build_scene


@pytest.fixture(scope="module")
def scene(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[SimpleNamespace]:
    """The scene of tests/security/scene.py, once per module, rolled back at its end."""
    media = tmp_path_factory.mktemp("security-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        yield build_scene()
        transaction.set_rollback(True)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not SUMMARY:
        return
    write = terminalreporter.write_line
    terminalreporter.section("permission matrix")
    for line in SUMMARY.get("lines", []):
        write(line)
