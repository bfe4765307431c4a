"""The scene, built once for the whole of tests/security (matrix, CSRF, admin).

The matrix's summary is printed at the end of the run by tests/conftest.py (it has to be
a conftest the xdist controller loads; see tests/security/report.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import transaction
from django.test.utils import override_settings

from .scene import build_scene


@pytest.fixture(scope="package")
def scene(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[SimpleNamespace]:
    """The scene of tests/security/scene.py, once for this package, rolled back at its end.

    Every test (and every request of the matrix) runs in a savepoint of its own inside
    this transaction, so no test sees another's writes. Under xdist the package's modules
    share the ``xdist_group`` "security", so one worker builds the scene once.
    """
    media = tmp_path_factory.mktemp("security-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        yield build_scene()
        transaction.set_rollback(True)
