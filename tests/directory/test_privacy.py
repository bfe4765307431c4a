"""No personal data in the directory: every field it publishes, in every format, is scanned
against the personal data in the database (contact persons, e-mails, phones, addresses,
user names) — except the public contact an association typed for the directory itself."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.directory.conftest import listed
from tests.public.conftest import granted
from tests.public.test_privacy import _hits, _personal_data, _Text

pytestmark = pytest.mark.django_db


def _published_texts(client: Any, world: SimpleNamespace) -> dict[str, list[str]]:
    slug = world.roskilde.slug
    texts: dict[str, list[str]] = {}
    for name, url in (
        ("list", reverse("directory:public_list", args=[slug])),
        ("page", reverse("directory:public_entry", args=[slug, world.a.pk])),
    ):
        parser = _Text()
        response = client.get(url)
        assert response.status_code == 200
        parser.feed(response.content.decode())
        texts[name] = parser.texts

    def strings(value: Any) -> list[str]:
        if isinstance(value, dict):
            return [s for v in value.values() for s in strings(v)]
        if isinstance(value, list):
            return [s for v in value for s in strings(v)]
        return [str(value)]

    texts["json"] = strings(client.get(reverse("directory:public_json", args=[slug])).json())
    body = client.get(reverse("directory:public_csv", args=[slug])).content.decode("utf-8-sig")
    texts["csv"] = [c for row in csv.reader(io.StringIO(body), delimiter=";") for c in row]
    return texts


def _people(world: SimpleNamespace) -> None:
    for association, person in ((world.a, "Karen Kontaktsen"), (world.b, "Bent Bestyrelse")):
        association.contact_person = person
        association.email = f"{person.split()[0].lower()}@forening.example"
        association.phone = "+45 22334455" if association == world.a else "87654321"
        association.address = "Privatvej 7" if association == world.a else "Hjemmevej 3"
        association.save()
    for user in get_user_model().objects.all():
        user.last_name = f"{user.username.capitalize()}sen"
        user.save()


def test_nothing_personal_is_published_but_the_contact_typed_for_it(
    world: SimpleNamespace, client: Any
) -> None:
    _people(world)
    granted(world)  # the association's page lists its grants
    listed(world, contact_email="info@lektiecafe.example", contact_phone="+45 99887766")
    listed(world, world.b, description="Besøg hos ældre")
    personal = _personal_data()
    assert {"Karen Kontaktsen", "karen@forening.example", "anna", "Annasen"} <= personal
    texts = _published_texts(client, world)
    assert any("info@lektiecafe.example" in t for t in texts["json"])  # the typed contact is
    assert any("Vi mangler frivillige" in t for t in texts["page"])  # the scan sees the data
    assert _hits(texts, personal) == []


def test_the_scan_finds_personal_data_where_there_is_some(
    world: SimpleNamespace, client: Any
) -> None:
    _people(world)
    # The association wrote its contact person's private e-mail as the public contact: it is
    # published (the form says it will be) and the scan sees it in every format.
    listed(world, contact_email="karen@forening.example")
    hits = _hits(_published_texts(client, world), _personal_data())
    assert {h.split(":")[0] for h in hits} == {"page", "json", "csv"}  # the list shows no e-mail
