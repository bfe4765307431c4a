"""A round's decision list on screen and as CSV and XLSX."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Application

from ..conftest import advance
from ..factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def _applications(world: SimpleNamespace, n: int, to: str = "granted") -> list[Application]:
    made = []
    for _ in range(n):
        application = ApplicationFactory(round=world.round, association=world.a)
        application.focus_areas.set([world.focus])
        made.append(advance(application, world, to))
    return made


def _get(client: Any, world: SimpleNamespace, **query: str) -> Any:
    url = reverse("audit:round_decisions", args=[world.round.pk])
    return client.get(url, query)


def test_the_list_shows_amounts_meeting_and_reasons(world: SimpleNamespace, as_user: Any) -> None:
    granted = _applications(world, 2)
    response = _get(as_user(world.gustav), world)
    assert response.status_code == 200
    page = response.content.decode()
    for application in granted:
        assert application.case_number in page
    assert "Som indstillet" in page  # the decision's reasons
    assert "15.02.2026" in page  # the committee meeting that decided (conftest's on_agenda)
    assert "40.000,00" in page  # total granted


def test_csv_and_xlsx_load(world: SimpleNamespace, as_user: Any) -> None:
    from openpyxl import load_workbook

    _applications(world, 2)
    client = as_user(world.carl)
    response = _get(client, world, format="csv")
    assert response["Content-Disposition"].startswith("attachment")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert rows[0][0] in ("Sagsnr.", "Case no.") and len(rows) == 3
    assert rows[1][7] == "20000,00"  # as Danish Excel reads a number
    response = _get(client, world, format="xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.cell(row=3, column=8).value == 20000.0
    assert sheet.max_row == 4


def test_filter_and_sort(world: SimpleNamespace, as_user: Any) -> None:
    granted = _applications(world, 1)
    waiting = _applications(world, 1, to="in_council_review")
    client = as_user(world.gustav)
    page = _get(client, world, outcome="open").content.decode()
    assert waiting[0].case_number in page and granted[0].case_number not in page
    page = _get(client, world, outcome="granted", sort="requested").content.decode()
    assert granted[0].case_number in page and waiting[0].case_number not in page
    assert _get(client, world, sort="nonsense", focus="x").status_code == 200
    assert _get(client, world, focus="9" * 30).status_code == 200


def test_a_case_in_hearing_is_listed_where_its_hearing_returns_to(
    world: SimpleNamespace, as_user: Any
) -> None:
    from workflows import engine

    facts = {"facts": "CVR: ingen bestyrelse."}
    (before,) = _applications(world, 1, to="in_council_review")
    (after,) = _applications(world, 1, to="report_submitted")
    for application in (before, after):
        engine.perform(application, "start_hearing", user=world.carl, **facts)
    client = as_user(world.gustav)

    page = _get(client, world, outcome="open").content.decode()
    assert before.case_number in page and after.case_number not in page
    page = _get(client, world, outcome="granted").content.decode()
    assert after.case_number in page and before.case_number not in page


def test_only_the_municipalitys_staff_see_it(world: SimpleNamespace, as_user: Any) -> None:
    _applications(world, 1)
    assert _get(as_user(world.anna), world).status_code == 404
    assert _get(as_user(world.ivan), world).status_code == 404
    assert _get(as_user(world.ivan), world, format="csv").status_code == 404


def test_the_list_costs_the_same_queries_for_3_and_30_applications(
    world: SimpleNamespace, as_user: Any
) -> None:
    client = as_user(world.gustav)
    counts = []
    _applications(world, 2)
    for n in (3, 27):
        _applications(world, n, to="recommended")
        with CaptureQueriesContext(connection) as queries:
            assert _get(client, world).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
