"""A municipality's address on the public pages (its slug): made from its name, unique,
and never the first segment of another path of the site."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import include, path, resolve

from cases.models import Municipality
from cases.trail.history import unaudited_writes_allowed
from cases.validators import public_slug_of, reserved_first_segments, validate_public_slug
from tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Næstved", "naestved"),
        ("Høje-Taastrup Kommune", "hoeje-taastrup-kommune"),
        ("Brøndby", "broendby"),
        ("Århus", "aarhus"),
        ("ÆRØ", "aeroe"),
    ],
)
def test_the_slug_is_made_from_the_name_with_danish_letters_spelt_out(name: str, slug: str) -> None:
    assert public_slug_of(name) == slug
    assert MunicipalityFactory(name=name).slug == slug


def test_the_cast_has_slugs(world: SimpleNamespace) -> None:
    assert world.naestved.slug == "naestved-kommune"
    assert world.roskilde.slug == "roskilde-kommune"


@pytest.mark.parametrize(
    "taken", ["admin", "api", "login", "notifications", "i18n", "applications", "kommuner"]
)
def test_a_slug_that_starts_another_path_is_refused_with_a_clear_error(
    world: SimpleNamespace, taken: str
) -> None:
    world.roskilde.slug = taken
    with pytest.raises(ValidationError) as refused:
        world.roskilde.full_clean()
    assert [e.code for e in refused.value.error_dict["slug"]] == ["slug_reserved"]
    # and from the name: a municipality called so gets another slug by itself
    assert MunicipalityFactory(name=taken.capitalize()).slug == f"{taken}-2"


def test_a_slug_must_be_lower_case_letters_digits_and_hyphens(world: SimpleNamespace) -> None:
    for bad in ("Roskilde", "ros kilde", "-roskilde", "roskilde_kommune", "røskilde"):
        with pytest.raises(ValidationError):
            validate_public_slug(bad)
    validate_public_slug("roskilde-2")


def test_two_municipalities_cannot_share_a_slug(world: SimpleNamespace) -> None:
    world.naestved.slug = world.roskilde.slug
    with pytest.raises(ValidationError) as refused:
        world.naestved.full_clean()
    assert "slug" in refused.value.message_dict
    assert MunicipalityFactory(name="Roskilde Kommune 2").slug == "roskilde-kommune-2"


urlpatterns = [
    path("nyt-omraade/", lambda request: None, name="new_area"),
    path("", include("config.urls")),
]


@override_settings(ROOT_URLCONF=__name__)
def test_the_reserved_segments_come_from_the_url_resolver_not_a_list() -> None:
    # A new area added to the URLs is reserved at once, with nothing else to update.
    assert "nyt-omraade" in reserved_first_segments()
    with pytest.raises(ValidationError):
        validate_public_slug("nyt-omraade")


def test_the_public_pages_come_last_so_they_shadow_nothing() -> None:
    from config import urls

    last = urls.urlpatterns[-1]
    assert last.urlconf_module.__name__ == "web.public.urls"
    for url in ("/admin/", "/notifications/", "/login/", "/applications/", "/privatliv/"):
        assert resolve(url).namespace != "public", url


def test_the_migration_fills_a_slug_for_every_existing_municipality(db: Any) -> None:
    import importlib

    migration = importlib.import_module("cases.migrations.0029_public")
    MunicipalityFactory(name="Næstved")
    MunicipalityFactory(name="Admin")
    with unaudited_writes_allowed():  # as before the migration: no slugs yet
        for pk in Municipality.objects.values_list("pk", flat=True):
            Municipality.objects.filter(pk=pk).update(slug=f"uden-{pk}")
        migration.fill_slugs(apps, None)  # the real registry: its manager is audited
    assert sorted(Municipality.objects.values_list("slug", flat=True)) == [
        "admin-2",
        "naestved",
    ]
