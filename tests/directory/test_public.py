"""The directory as an anonymous visitor reads it: only published entries, searchable and
filterable, each association's page with its grants, and a withdrawal gone at once from
every page and file (the publication version, cases/services/publication.py)."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse

from cases.models import DirectoryEntry
from cases.services.directory import directory_entry_withdraw
from tests.directory.conftest import listed
from tests.public.conftest import granted

pytestmark = pytest.mark.django_db


def _list(client: Any, world: SimpleNamespace, **query: Any) -> Any:
    return client.get(reverse("directory:public_list", args=[world.roskilde.slug]), query)


def _names(response: Any) -> list[str]:
    html = response.content.decode()
    return [n for n in ("Lektiecaféen", "Besøgsvennerne") if f">{n}</a>" in html]


def _everywhere(client: Any, world: SimpleNamespace) -> dict[str, str]:
    slug = world.roskilde.slug
    return {
        "list": _list(client, world).content.decode(),
        "json": client.get(reverse("directory:public_json", args=[slug])).content.decode(),
        "csv": client.get(reverse("directory:public_csv", args=[slug])).content.decode(),
        "register": client.get(reverse("public:register", args=[slug])).content.decode(),
    }


def test_an_anonymous_visitor_sees_only_published_entries(
    world: SimpleNamespace, client: Any
) -> None:
    listed(world)
    hidden = listed(world, world.b, description="Besøg hos ældre")
    directory_entry_withdraw(entry=hidden, acting_user=world.bo)
    response = _list(client, world)
    assert response.status_code == 200
    assert _names(response) == ["Lektiecaféen"]
    assert "1 forening" in response.content.decode() or "1 association" in response.content.decode()
    page = client.get(reverse("directory:public_entry", args=[world.roskilde.slug, world.a.pk]))
    assert page.status_code == 200
    assert "Vi mangler frivillige til matematik." in page.content.decode()
    gone = client.get(reverse("directory:public_entry", args=[world.roskilde.slug, world.b.pk]))
    assert gone.status_code == 404


def test_an_entry_is_listed_only_in_its_own_municipality(
    world: SimpleNamespace, client: Any
) -> None:
    listed(world)
    elsewhere = client.get(reverse("directory:public_list", args=[world.naestved.slug]))
    assert _names(elsewhere) == []
    page = client.get(reverse("directory:public_entry", args=[world.naestved.slug, world.a.pk]))
    assert page.status_code == 404


def test_withdrawing_removes_the_entry_at_once_from_every_page_and_file(
    world: SimpleNamespace, client: Any
) -> None:
    entry = listed(world)
    granted(world)  # the register's row links to the directory while A is listed
    before = _everywhere(client, world)  # rendered and cached
    link = reverse("directory:public_entry", args=[world.roskilde.slug, world.a.pk])
    assert "Lektiecaféen" in before["list"]
    assert "Lektiecaféen" in before["json"]
    assert "Lektiecaféen" in before["csv"]
    assert f'href="{link}"' in before["register"]

    directory_entry_withdraw(entry=entry, acting_user=world.anna)

    after = _everywhere(client, world)
    assert "Lektiecaféen" not in after["list"]
    assert "Lektiecaféen" not in after["json"]
    assert "Lektiecaféen" not in after["csv"]
    assert f'href="{link}"' not in after["register"]
    assert "Lektiecaféen" in after["register"]  # the grant itself stays in the register
    assert client.get(link).status_code == 404


def test_publishing_again_shows_the_entry_at_once(world: SimpleNamespace, client: Any) -> None:
    entry = listed(world)
    directory_entry_withdraw(entry=entry, acting_user=world.anna)
    assert _names(_list(client, world)) == []  # cached without it
    listed(world)
    assert _names(_list(client, world)) == ["Lektiecaféen"]


def test_a_new_name_of_the_association_reaches_the_cached_directory(
    world: SimpleNamespace, client: Any
) -> None:
    listed(world)
    assert _names(_list(client, world)) == ["Lektiecaféen"]
    world.a.name = "Lektiecaféen Roskilde"
    world.a.save()
    assert ">Lektiecaféen Roskilde</a>" in _list(client, world).content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"soeg": "matematik"}, ["Lektiecaféen"]),
        ({"soeg": "besøg"}, ["Besøgsvennerne"]),
        ({"soeg": "Trekroner"}, ["Besøgsvennerne"]),
        ({"maalgruppe": "older"}, ["Besøgsvennerne"]),
        ({"maalgruppe": "children"}, ["Lektiecaféen"]),
        ({"fokusomraade": "Ensomhed"}, ["Besøgsvennerne"]),
        ({"frivillige": "on"}, ["Lektiecaféen"]),
        ({}, ["Lektiecaféen", "Besøgsvennerne"]),
    ],
)
def test_the_visitor_searches_and_filters(
    world: SimpleNamespace, client: Any, query: dict[str, str], expected: list[str]
) -> None:
    listed(world)
    listed(
        world,
        world.b,
        description="Besøg hos ældre, der sidder alene.",
        target_groups=["older", "lonely"],
        focus_areas=["Ensomhed"],
        area="Trekroner",
        seeks_volunteers=False,
        volunteers_text="",
    )
    response = _list(client, world, **query)
    assert response.status_code == 200
    assert _names(response) == expected
    # the JSON answers the same search
    document = client.get(
        reverse("directory:public_json", args=[world.roskilde.slug]), query
    ).json()
    assert sorted(a["association"] for a in document["associations"]) == sorted(expected)


def test_a_bad_filter_is_explained_beside_the_field(world: SimpleNamespace, client: Any) -> None:
    listed(world)
    response = _list(client, world, maalgruppe="nobody")
    assert response.status_code == 400
    assert 'id="id_maalgruppe-error"' in response.content.decode()
    as_json = client.get(
        reverse("directory:public_json", args=[world.roskilde.slug]), {"maalgruppe": "nobody"}
    )
    assert as_json.status_code == 400
    assert as_json.json()["error"].startswith("maalgruppe:")
    as_csv = client.get(
        reverse("directory:public_csv", args=[world.roskilde.slug]), {"soeg": "x" * 101}
    )
    assert as_csv.status_code == 400


def test_fifty_per_page_and_the_count(world: SimpleNamespace, client: Any) -> None:
    from tests.factories import AssociationFactory

    for n in range(51):
        association = AssociationFactory(name=f"Forening {n:02d}")
        DirectoryEntry.objects.create(
            association=association,
            municipality=world.roskilde,
            description="Frivilligt arbejde",
            published=True,
        )
    first = _list(client, world).content.decode()
    assert "51 foreninger" in first or "51 associations" in first
    assert first.count('class="pf-directory-item"') == 50
    second = _list(client, world, side=2).content.decode()
    assert second.count('class="pf-directory-item"') == 1


def test_the_association_page_links_its_grants_to_the_register(
    world: SimpleNamespace, client: Any
) -> None:
    listed(world)
    application = granted(world, title="Lektiecafé for børn")
    page = client.get(
        reverse("directory:public_entry", args=[world.roskilde.slug, world.a.pk])
    ).content.decode()
    register = reverse("public:register", args=[world.roskilde.slug])
    assert f"#sag-{application.case_number}" in page
    assert register in page
    assert "20.000,00 kr." in page


def test_the_front_page_links_the_directory(world: SimpleNamespace, client: Any) -> None:
    front = client.get(reverse("public:municipality", args=[world.roskilde.slug]))
    assert reverse("directory:public_list", args=[world.roskilde.slug]) in front.content.decode()


def test_the_csv_is_danish_excel_or_standard(world: SimpleNamespace, client: Any) -> None:
    listed(world, description='=HYPERLINK("x")')
    url = reverse("directory:public_csv", args=[world.roskilde.slug])
    excel = client.get(url).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(excel), delimiter=";"))
    assert rows[0][:2] == ["association_id", "association"]
    assert rows[1][2] == '\'=HYPERLINK("x")'  # a formula stays text
    assert rows[1][3] == "children"
    assert rows[1][7] == "true"
    standard = client.get(url, {"csv": "standard"}).content.decode()
    assert next(csv.reader(io.StringIO(standard)))[0] == "association_id"
