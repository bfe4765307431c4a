"""The 403, 404 and expired-form pages: the site's own frame, in Danish (or English), with
a way on — not Django's bare English pages."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_missing_page_says_so_in_danish_with_a_way_to_the_front_page(
    world: SimpleNamespace, client: Client
) -> None:
    client.force_login(world.anna)

    response = client.get("/ingen-side-her/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Siden findes ikke</h1>" in html
    assert f'href="{reverse("home:home")}"' in html
    assert "Not Found" not in html
    assert 'class="footer"' in html  # the site's frame


def test_a_refusal_says_why_in_danish(world: SimpleNamespace, client: Client) -> None:
    client.force_login(world.anna)

    response = client.get(reverse("inbox:staff_rounds"))

    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>Det kan du ikke</h1>" in html
    assert "Denne side er kun for kommunens medarbejdere." in html


def test_an_expired_form_says_nothing_was_saved_and_what_to_do(
    world: SimpleNamespace,
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.anna)

    response = client.post(reverse("applications:application_new"), {"title": "Uden nøgle"})

    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>Siden var udløbet</h1>" in html
    assert "Intet er gemt." in html


def test_the_pages_speak_english_to_whoever_chose_it(
    world: SimpleNamespace, client: Client
) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world.anna)

    assert "<h1>The page was not found</h1>" in client.get("/no-page/").content.decode()
    assert (
        "<h1>You cannot do this</h1>" in client.get(reverse("inbox:staff_rounds")).content.decode()
    )
