"""The association's entry through the API: the same rule and service as the screens."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse

from cases.models import DirectoryEntry
from tests.directory.conftest import entry_data

pytestmark = pytest.mark.django_db


def _url(world: SimpleNamespace, association: Any = None) -> str:
    return f"/api/v1/associations/{(association or world.a).pk}/directory/{world.roskilde.slug}"


def test_the_representative_reads_publishes_and_withdraws(
    world: SimpleNamespace, api: Any, client: Any
) -> None:
    anna = api(world.anna)
    blank = anna.get(_url(world))
    assert blank.status_code == 200 and blank.json()["published"] is False
    response = anna.put(_url(world), entry_data(), format="json")
    assert response.status_code == 200, response.content
    assert response.json()["published"] is True
    assert response.json()["target_groups"] == ["children"]
    public = reverse("directory:public_list", args=[world.roskilde.slug])
    assert ">Lektiecaféen</a>" in client.get(public).content.decode()
    withdrawn = anna.delete(_url(world))
    assert withdrawn.status_code == 200 and withdrawn.json()["published"] is False
    assert ">Lektiecaféen</a>" not in client.get(public).content.decode()
    again = anna.delete(_url(world))
    assert again.status_code == 409 and again.json()["detail"]


def test_bad_input_is_a_400_naming_the_field(world: SimpleNamespace, api: Any) -> None:
    anna = api(world.anna)
    response = anna.put(
        _url(world),
        entry_data(area="", focus_areas=["Noget andet"], contact_phone="12"),
        format="json",
    )
    assert response.status_code == 400
    assert not DirectoryEntry.objects.exists()
    fixed = anna.put(_url(world), entry_data(focus_areas=["Noget andet"]), format="json")
    assert fixed.status_code == 400 and "focus_areas" in fixed.content.decode()
    assert anna.put(_url(world), entry_data(), format="json").status_code == 200


def test_another_association_gets_a_404_and_the_representative_gets_through(
    world: SimpleNamespace, api: Any
) -> None:
    bo = api(world.bo)
    assert bo.get(_url(world)).status_code == 404
    assert bo.put(_url(world), entry_data(), format="json").status_code == 404
    assert not DirectoryEntry.objects.exists()
    assert api(world.anna).put(_url(world), entry_data(), format="json").status_code == 200
    assert bo.delete(_url(world)).status_code == 404
    assert DirectoryEntry.objects.get().published


def test_the_schema_describes_the_endpoint(api: Any, world: SimpleNamespace) -> None:
    schema = api(None).get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    text = schema.content.decode()
    assert "/api/v1/associations/{id}/directory/{slug}" in text
    assert "DirectoryEntry" in text
