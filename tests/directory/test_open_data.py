"""The directory as open data: the JSON against its documented schema
(docs/schemas/association-directory.schema.json), the CSV with the same fields."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jsonschema
import pytest
from django.urls import reverse

from cases.models import TargetGroupCode
from cases.selectors.directory import FIELDS
from tests.directory.conftest import listed

pytestmark = pytest.mark.django_db

SCHEMA_PATH = (
    Path(__file__).resolve().parents[2] / "docs" / "schemas" / "association-directory.schema.json"
)
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
ENTRY = SCHEMA["$defs"]["entry"]
VALIDATOR = jsonschema.Draft202012Validator(
    SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)


def test_the_schema_is_valid_and_names_the_fields_the_code_writes() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert tuple(ENTRY["properties"]) == FIELDS
    assert ENTRY["required"] == list(FIELDS)
    assert ENTRY["properties"]["target_groups"]["items"]["enum"] == TargetGroupCode.values


def test_the_json_validates_against_the_schema(world: SimpleNamespace, client: Any) -> None:
    listed(world, contact_email="kontakt@lektiecafe.example", contact_phone="+45 11223344")
    listed(
        world,
        world.b,
        whole_municipality=True,
        area="",
        seeks_volunteers=False,
        website="",
        target_groups=[],
        focus_areas=[],
    )
    response = client.get(reverse("directory:public_json", args=[world.roskilde.slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Access-Control-Allow-Origin"] == "*"
    document = response.json()
    assert [e.message for e in VALIDATOR.iter_errors(document)] == []
    assert document["count"] == 2
    first = next(a for a in document["associations"] if a["association"] == "Lektiecaféen")
    assert first["contact_email"] == "kontakt@lektiecafe.example"
    assert first["target_groups"] == ["children"]
    # the schema can fail: a field it does not know is an error
    document["associations"][0]["contact_person"] = "x"
    assert list(VALIDATOR.iter_errors(document))


def test_the_csv_has_the_documented_fields_in_order(world: SimpleNamespace, client: Any) -> None:
    listed(world)
    response = client.get(reverse("directory:public_csv", args=[world.roskilde.slug]))
    assert response["Content-Disposition"] == (
        f'attachment; filename="foreninger-{world.roskilde.slug}.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert tuple(rows[0]) == FIELDS
    assert len(rows) == 2
    assert rows[1][FIELDS.index("focus_areas")] == "Børn og unge"
