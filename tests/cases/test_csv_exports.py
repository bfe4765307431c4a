"""Issue 17, item 7: every CSV export opens right in Danish Excel by default (';', amounts
as "20000,00", UTF-8 with BOM, dates as 2026-02-15), with a clearly marked standard CSV
(',', "20000.00", no BOM) beside it. The API's JSON is another matter and stays as it is."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils.translation import override

from cases.documents import cells

from ..conftest import advance
from ..factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def _granted(world: SimpleNamespace) -> None:
    application = ApplicationFactory(round=world.round, association=world.a)
    application.focus_areas.set([world.focus])
    advance(application, world, "granted")


def _decisions(client: Any, world: SimpleNamespace, **query: str) -> str:
    url = reverse("audit:round_decisions", args=[world.round.pk])
    response = client.get(url, {"format": "csv", **query})
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8")


def test_the_decision_list_is_for_danish_excel_unless_standard_is_chosen(
    world: SimpleNamespace, as_user: Any
) -> None:
    _granted(world)
    client = as_user(world.carl)

    danish = _decisions(client, world)
    assert danish.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(danish[1:]), delimiter=";"))
    assert rows[1][5:8] == ["25000,00", "20000,00", "20000,00"]

    standard = _decisions(client, world, csv="standard")
    assert not standard.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(standard), delimiter=","))
    assert rows[1][5:8] == ["25000.00", "20000.00", "20000.00"]

    # Anything else asked for is the default, not an error.
    assert _decisions(client, world, csv="nonsense") == danish


def test_the_round_report_offers_both_and_writes_each_as_promised(
    world: SimpleNamespace, as_user: Any
) -> None:
    _granted(world)
    client = as_user(world.carl)
    url = reverse("reports:round_report_csv", args=[world.round.pk])
    page = client.get(reverse("reports:round_report", args=[world.round.pk])).content.decode()
    assert "Hent som CSV til dansk Excel" in page
    assert f"{url}?csv=standard" in page and "Standard-CSV (komma, decimalpunktum)" in page

    danish = client.get(url).content.decode("utf-8")
    total = list(csv.reader(io.StringIO(danish[1:]), delimiter=";"))[-1]
    assert danish.startswith("\ufeff") and total[8] == "25000,00"  # requested

    standard = client.get(url, {"csv": "standard"}).content.decode("utf-8")
    total = list(csv.reader(io.StringIO(standard), delimiter=","))[-1]
    assert not standard.startswith("\ufeff") and total[8] == "25000.00"


def test_the_decision_page_links_both_choices(world: SimpleNamespace, as_user: Any) -> None:
    page = as_user(world.carl).get(reverse("audit:round_decisions", args=[world.round.pk]))
    text = page.content.decode()
    assert 'id="decisions-csv"' in text and "csv=standard" in text


def test_dates_and_times_are_written_as_excel_reads_them_in_copenhagen_time() -> None:
    moment = datetime.datetime(2026, 2, 15, 13, 30, tzinfo=ZoneInfo("UTC"))
    rows = [[datetime.date(2026, 2, 15), moment, Decimal("-500.5"), 3, "=1+1"]]
    with override("da"):
        danish = cells.csv_text(rows)
        standard = cells.csv_text(rows, dialect=cells.STANDARD)
    assert danish == "\ufeff2026-02-15;2026-02-15 14:30;-500,50;3;'=1+1\r\n"
    assert standard == "2026-02-15,2026-02-15 14:30,-500.50,3,'=1+1\r\n"
