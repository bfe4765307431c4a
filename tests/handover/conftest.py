"""Hand-overs (issue 18, item 6): the journal switched on, into the test's own folder."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from cases.models import Application


@pytest.fixture
def journal_on(settings: Any, tmp_path: Path) -> Path:
    settings.PULJEFLOW_JOURNAL = "folder"
    settings.PULJEFLOW_JOURNAL_KLE = "15.00.00"
    return Path(settings.PULJEFLOW_JOURNAL_DIR)


def case_folder(root: Path, application: Application) -> Path:
    return root / str(application.municipality_id) / application.case_number


def case_json(root: Path, application: Application) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (case_folder(root, application) / "case.json").read_text(encoding="utf-8")
    )
    return data


def documents_by_key(root: Path, application: Application) -> dict[str, dict[str, Any]]:
    return {d["key"]: d for d in case_json(root, application)["documents"]}


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Any:
    """Run the work done after commit (the hand-over tasks, in process)."""

    def run(action: Any, *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


__all__ = ["SimpleNamespace", "case_folder", "case_json", "documents_by_key"]
