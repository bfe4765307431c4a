"""Exports for requests for access: one case's complete file, and a whole round."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse

from cases.models import Application
from cases.services import round_exports
from cases.trail.models import TransitionRecord

from ..conftest import advance
from ..factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def _zip(response: Any) -> zipfile.ZipFile:
    assert response.status_code == 200, response.status_code
    assert response["Content-Disposition"].startswith("attachment")
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "summary.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def _check_case(
    archive: zipfile.ZipFile, application: Application, tmp_path: Path, folder=""
) -> None:
    names = archive.namelist()
    text = _pdf_text(archive.read(f"{folder}summary.pdf"), tmp_path)
    assert application.case_number in text and application.association.name in text
    rows = list(
        csv.reader(
            io.StringIO(archive.read(f"{folder}trail.csv").decode("utf-8-sig")), delimiter=";"
        )
    )
    assert rows[0][:3] == ["Tidspunkt (Europe/Copenhagen)", "Art", "Hvad"] and len(rows) > 4
    data = json.loads(archive.read(f"{folder}trail.json"))
    records = TransitionRecord.objects.filter(application=application).order_by("seq")
    assert [r["hash"] for r in data["transition_records"]] == [r.hash for r in records]
    assert any(n.startswith(f"{folder}documents/") and n.endswith(".pdf") for n in names)
    assert any(n.startswith(f"{folder}attachments/") for n in names) == bool(
        application.attachments.exists()
    )
    for name in names:
        assert ".." not in name and not name.startswith("/")


def test_a_case_file_holds_summary_documents_and_trail(
    world: SimpleNamespace, draft: Application, as_user: Any, tmp_path: Path
) -> None:
    granted = advance(draft, world, "granted")
    response = as_user(world.gustav).get(reverse("audit:application_export", args=[granted.pk]))
    archive = _zip(response)
    _check_case(archive, granted, tmp_path)
    letter = next(n for n in archive.namelist() if n.startswith("documents/"))
    assert archive.read(letter).startswith(b"%PDF")


def test_a_full_rounds_export_opens(world: SimpleNamespace, as_user: Any, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    cases = []
    for _ in range(3):
        application = ApplicationFactory(round=world.round, association=world.a)
        application.focus_areas.set([world.focus])
        cases.append(advance(application, world, "granted"))
    # Made by the worker (tests/cases/test_round_exports.py: asked for, made, downloaded).
    export, _ = round_exports.request_export(world.round, world.carl, "da")
    export = round_exports.build(export.pk)
    assert export is not None
    with export.file.open("rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    decisions = list(
        csv.reader(io.StringIO(archive.read("decisions.csv").decode("utf-8-sig")), delimiter=";")
    )
    assert len(decisions) == 4
    assert load_workbook(io.BytesIO(archive.read("decisions.xlsx"))).active.max_row == 5
    for application in cases:
        _check_case(archive, application, tmp_path, f"{application.case_number}/")


def test_exports_are_for_the_municipalitys_staff(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    granted = advance(draft, world, "granted")
    url = reverse("audit:application_export", args=[granted.pk])
    assert as_user(world.anna).get(url).status_code == 403
    assert as_user(world.bo).get(url).status_code == 404
    assert as_user(world.helle).get(url).status_code == 404
    assert (
        as_user(world.ivan).get(reverse("audit:round_export", args=[world.round.pk])).status_code
        == 404
    )
