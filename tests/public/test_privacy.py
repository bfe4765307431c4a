"""No personal data in the register: every field it publishes, in every format, is scanned
against the personal data in the database (contact persons, e-mails, phones, addresses,
user names, file notes, the case's internal texts)."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from cases.models import Application, Association, FileNote
from cases.services.case_notes import note_create
from tests.public.conftest import granted, refused

pytestmark = pytest.mark.django_db

# Words that are names of the cast but also ordinary words in a page's chrome.
NOT_PERSONAL = {"admin", "system"}


def _personal_data() -> set[str]:
    found: set[str] = set()
    for a in Association.objects.all():
        found |= {a.contact_person, a.email, a.phone, a.address}
    for u in get_user_model().objects.all():
        found |= {u.username, u.first_name, u.last_name, u.email, u.get_full_name()}
    found |= set(FileNote.objects.values_list("text", flat=True))
    for fields in Application.objects.values_list(
        "screening_note", "open_question", "recommendation_reasons", "decision_reasons"
    ):
        found |= set(fields)
    return {value for value in found if value and value.lower() not in NOT_PERSONAL}


class _Text(HTMLParser):
    """The text of the page's <main>, one string per text node and attribute value."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = 0
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self.inside += 1
        if self.inside:
            self.texts += [v for _, v in attrs if v]

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.inside -= 1

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.texts.append(data)


def _published_texts(client: Any, slug: str) -> dict[str, list[str]]:
    def get(name: str) -> Any:
        response = client.get(reverse(name, args=[slug]))
        assert response.status_code == 200, name
        return response

    parser = _Text()
    parser.feed(get("public:register").content.decode())
    texts = {"html": parser.texts}
    document = get("public:register_json").json()

    def strings(value: Any) -> list[str]:
        if isinstance(value, dict):
            return [s for v in value.values() for s in strings(v)]
        if isinstance(value, list):
            return [s for v in value for s in strings(v)]
        return [str(value)]

    texts["json"] = strings(document)
    body = get("public:register_csv").content.decode("utf-8-sig")
    texts["csv"] = [cell for row in csv.reader(io.StringIO(body), delimiter=";") for cell in row]
    feed = ET.fromstring(  # noqa: S314 (our own server's feed)
        get("public:register_atom").content
    )
    texts["atom"] = [
        t for element in feed.iter() for t in (element.text, *element.attrib.values()) if t
    ]
    return texts


def _hits(texts: dict[str, list[str]], personal: set[str]) -> list[str]:
    hits = []
    for where, values in texts.items():
        for value in values:
            for secret in personal:
                if re.search(rf"(?<!\w){re.escape(secret)}(?!\w)", value, re.IGNORECASE):
                    hits.append(f"{where}: {secret!r} in {value[:80]!r}")
    return hits


def test_no_field_the_register_publishes_holds_personal_data(
    world: SimpleNamespace, client: Any
) -> None:
    for association, person in ((world.a, "Karen Kontaktsen"), (world.b, "Bent Bestyrelse")):
        association.contact_person = person
        association.email = f"{person.split()[0].lower()}@forening.example"
        association.phone = "+45 22334455" if association == world.a else "87654321"
        association.address = "Privatvej 7" if association == world.a else "Hjemmevej 3"
        association.save()
    for user in get_user_model().objects.all():
        user.last_name = f"{user.username.capitalize()}sen"
        user.save()
    application = granted(world, title="Lektiecafé for børn")
    note_create(
        application=application,
        acting_user=world.carl,
        text="Fortroligt: formanden ringede om sin sygdom",
    )
    refused(world, title="Besøgsven")
    world.roskilde.publish_refusals = True
    world.roskilde.save()

    personal = _personal_data()
    assert {"Karen Kontaktsen", "karen@forening.example", "carl", "Carlsen"} <= personal
    texts = _published_texts(client, world.roskilde.slug)
    assert any("Lektiecafé for børn" in t for t in texts["json"])  # the scan sees the data
    assert _hits(texts, personal) == []


def test_the_scan_finds_personal_data_where_there_is_some(
    world: SimpleNamespace, client: Any
) -> None:
    # The scan can fail: a title with the contact person's name in it is reported in every
    # format that publishes the title.
    granted(world, title="Hos Kontakt Person")
    texts = _published_texts(client, world.roskilde.slug)
    hits = _hits(texts, _personal_data())
    assert {h.split(":")[0] for h in hits} == {"html", "json", "csv", "atom"}


def test_the_json_holds_only_the_documented_fields(world: SimpleNamespace, client: Any) -> None:
    granted(world)
    document = json.loads(
        client.get(reverse("public:register_json", args=[world.roskilde.slug])).content
    )
    assert set(document) == {"municipality", "generated_at", "schema_version", "count", "grants"}
    assert set(document["grants"][0]) == {
        "case_number",
        "association",
        "title",
        "purpose",
        "amount_granted",
        "round",
        "round_id",
        "decision_date",
        "year",
        "focus_areas",
        "outcome",
    }
