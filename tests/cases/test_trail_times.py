"""Every time in the trail page, its CSV, its JSON and the case file's PDF summary is
Europe/Copenhagen local time (12:00 in winter and 13:00 in summer for 11:00 UTC), and the
exports state the zone."""

from __future__ import annotations

import csv
import datetime
import io
import json
import subprocess
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from cases.models import Application, FocusArea
from workflows import engine

from ..factories import ApplicationFactory, GrantRoundFactory

pytestmark = pytest.mark.django_db

WINTER = datetime.datetime(2027, 1, 15, 11, 0, tzinfo=datetime.UTC)  # 12:00 in Copenhagen
SUMMER = datetime.datetime(2027, 7, 15, 11, 0, tzinfo=datetime.UTC)  # 13:00 in Copenhagen


@pytest.fixture
def winter_and_summer(world: SimpleNamespace) -> Application:
    """Created and submitted at 11:00 UTC in January, accepted at 11:00 UTC in July."""
    grant_round = GrantRoundFactory(
        municipality=world.roskilde,
        opens_at=datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC),
        deadline=datetime.datetime(2027, 2, 1, tzinfo=datetime.UTC),
    )
    focus = FocusArea.objects.create(round=grant_round, name="Børn")
    with time_machine.travel(WINTER, tick=False):
        application = ApplicationFactory(round=grant_round, association=world.a)
        application.focus_areas.set([focus])
        application = engine.perform(application, "submit", user=world.anna)
    with time_machine.travel(SUMMER, tick=False):
        application = engine.perform(application, "accept", user=world.carl, reason="OK")
    return application


def test_the_trail_page_shows_local_times_and_the_zone(
    world: SimpleNamespace, winter_and_summer: Application, as_user: Any
) -> None:
    page = (
        as_user(world.gustav)
        .get(reverse("audit:application_trail", args=[winter_and_summer.pk]))
        .content.decode()
    )
    assert "15.1.2027 12:00:00" in page and "15.7.2027 13:00:00" in page
    assert "11:00:00" not in page
    assert "Europe/Copenhagen" in page


def _export(client: Any, application: Application) -> zipfile.ZipFile:
    response = client.get(reverse("audit:application_export", args=[application.pk]))
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_csv_json_and_pdf_summary_hold_local_times(
    world: SimpleNamespace, winter_and_summer: Application, as_user: Any, tmp_path: Path
) -> None:
    archive = _export(as_user(world.gustav), winter_and_summer)

    rows = list(
        csv.reader(io.StringIO(archive.read("trail.csv").decode("utf-8-sig")), delimiter=";")
    )
    assert rows[0][0] == "Tidspunkt (Europe/Copenhagen)"
    times = {row[0] for row in rows[1:]}
    assert {"15.01.2027 12:00", "15.07.2027 13:00"} <= times
    assert not any("11:00" in t for t in times)

    data = json.loads(archive.read("trail.json"))
    assert data["time_zone"] == "Europe/Copenhagen"
    stamps = {e["at"] for e in data["events"]}
    assert {"2027-01-15T12:00:00+01:00", "2027-07-15T13:00:00+02:00"} <= stamps
    assert not any("T11:00" in s for s in stamps)
    # The records keep the instant they were hashed with (UTC) beside the local time.
    locals_ = {r["at_local"] for r in data["transition_records"]}
    assert locals_ == {"2027-01-15T12:00:00+01:00", "2027-07-15T13:00:00+02:00"}

    path = tmp_path / "summary.pdf"
    path.write_bytes(archive.read("summary.pdf"))
    text = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "15.01.2027 12:00" in text and "15.07.2027 13:00" in text
    trail = text[text.index("15.01.2027") :]  # after the header (which holds today's time)
    assert "11:00" not in trail and "Europe/Copenhagen" in text
