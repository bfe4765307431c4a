"""The register as open data: the CSV, the JSON and the Atom feed, against the documented
schema (docs/schemas/grants-register.schema.json, validated with jsonschema)."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jsonschema
import pytest
from django.urls import reverse

from cases.selectors.public import FIELDS
from tests.public.conftest import granted, refused

pytestmark = pytest.mark.django_db

SCHEMA_PATH = (
    Path(__file__).resolve().parents[2] / "docs" / "schemas" / "grants-register.schema.json"
)
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
GRANT = SCHEMA["$defs"]["grant"]
VALIDATOR = jsonschema.Draft202012Validator(
    SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)


def _scene(world: SimpleNamespace) -> None:
    granted(world, title="Lektiecafé for børn")
    granted(world, title='=HYPERLINK("x")')  # a formula stays text in the CSV
    refused(world, title="Afslået")
    world.roskilde.publish_refusals = True
    world.roskilde.save()


def _get(client: Any, world: SimpleNamespace, name: str, **query: str) -> Any:
    return client.get(reverse(name, args=[world.roskilde.slug]), query)


def test_the_schema_is_valid_and_names_the_fields_the_code_writes() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert tuple(GRANT["properties"]) == FIELDS
    assert GRANT["required"] == list(FIELDS)


def test_the_json_validates_against_the_schema(world: SimpleNamespace, client: Any) -> None:
    _scene(world)
    response = _get(client, world, "public:register_json")
    assert response["Content-Type"].startswith("application/json")
    assert response["Access-Control-Allow-Origin"] == "*"
    document = response.json()
    errors = [e.message for e in VALIDATOR.iter_errors(document)]
    assert errors == []
    assert document["count"] == 3
    assert {g["outcome"] for g in document["grants"]} == {"partially_granted", "refused"}
    refusal = next(g for g in document["grants"] if g["outcome"] == "refused")
    assert refusal["amount_granted"] == 0


def test_a_document_with_a_wrong_field_fails_the_schema() -> None:
    # The validator can fail: a renamed field or a wrong type is caught.
    row = dict.fromkeys(FIELDS, "x")
    assert list(jsonschema.Draft202012Validator(GRANT).iter_errors(row))


def _typed(row: dict[str, str], decimal_comma: bool) -> dict[str, Any]:
    """A CSV row with the schema's types (the CSV holds text)."""
    amount = row["amount_granted"].replace(",", ".") if decimal_comma else row["amount_granted"]
    return {
        **row,
        "amount_granted": float(Decimal(amount)),
        "round_id": int(row["round_id"]),
        "year": int(row["year"]),
        "focus_areas": [a for a in row["focus_areas"].split(" | ") if a],
    }


@pytest.mark.parametrize(
    ("dialect", "delimiter", "bom"), [("", ";", True), ("standard", ",", False)]
)
def test_the_csv_validates_against_the_schema_in_both_dialects(
    world: SimpleNamespace, client: Any, dialect: str, delimiter: str, bom: bool
) -> None:
    _scene(world)
    query = {"csv": dialect} if dialect else {}
    response = _get(client, world, "public:register_csv", **query)
    assert response["Content-Disposition"] == (
        f'attachment; filename="tilskud-{world.roskilde.slug}.csv"'
    )
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff") == bom
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter))
    assert tuple(rows[0]) == FIELDS
    assert len(rows) == 3
    validator = jsonschema.Draft202012Validator(
        GRANT, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    for row in rows:
        assert [e.message for e in validator.iter_errors(_typed(row, not dialect))] == []
    amounts = sorted(r["amount_granted"] for r in rows)
    assert amounts == (
        ["0,00", "20000,00", "20000,00"] if not dialect else ["0.00", "20000.00", "20000.00"]
    )
    assert '\'=HYPERLINK("x")' in {r["title"] for r in rows}


def test_the_atom_feed_lists_the_newest_grants_not_refusals(
    world: SimpleNamespace, client: Any
) -> None:
    _scene(world)
    response = _get(client, world, "public:register_atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.fromstring(  # noqa: S314 (our own server's feed)
        response.content
    )
    entries = feed.findall("a:entry", ns)
    titles = sorted(e.findtext("a:title", namespaces=ns) for e in entries)
    assert titles == ['Lektiecaféen: =HYPERLINK("x")', "Lektiecaféen: Lektiecafé for børn"]
    ids = [e.findtext("a:id", namespaces=ns) for e in entries]
    assert all(i.startswith("tag:testserver,2026-02-15:") for i in ids) and len(set(ids)) == 2
    assert all(e.find("a:updated", ns) is not None for e in entries)
