"""The accessibility statement (webtilgængelighedsloven): public, linked from every page's
footer, with its status, what is not accessible, how it was made, whom to tell (the
municipality's own contact) and where to complain."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_statement_is_public_and_has_the_required_parts(world: SimpleNamespace) -> None:
    world.roskilde.email = "tilgaengelighed@roskilde.example"
    world.roskilde.save()

    response = Client().get(reverse("privacy:accessibility_statement"))

    assert response.status_code == 200
    page = response.content.decode()
    for heading in (
        "Tilgængelighedserklæring",
        "Overholdelsesstatus",
        "Indhold, der ikke er tilgængeligt",
        "Udarbejdelse af erklæringen",
        "Feedback og kontaktoplysninger",
        "Håndhævelsesprocedure",
    ):
        assert heading in page, heading
    assert "WCAG 2.1 AA" in page and "5. december 2026" in page
    assert "mailto:tilgaengelighed@roskilde.example" in page
    assert "Digitaliseringsstyrelsen" in page


def test_every_page_links_to_it_from_the_footer(world: SimpleNamespace, as_user: Any) -> None:
    statement = reverse("privacy:accessibility_statement")
    for page in (
        Client().get(reverse("accounts:login")),
        as_user(world.anna).get(reverse("applications:my_applications")),
        as_user(world.carl).get(reverse("inbox:staff_rounds")),
    ):
        footer = page.content.decode().split('class="footer"')[1]
        assert f'href="{statement}"' in footer


def test_it_is_read_only(world: SimpleNamespace) -> None:
    assert Client().post(reverse("privacy:accessibility_statement")).status_code == 405
