"""The privacy notice: public, linked from every page's footer, stating the periods as set
and who to ask."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_the_privacy_notice_is_public_and_states_the_configured_periods(
    world: SimpleNamespace, settings: Any
) -> None:
    settings.PULJEFLOW_RETENTION_YEARS = 7
    settings.PULJEFLOW_DRAFT_RETENTION_MONTHS = 18
    settings.PULJEFLOW_ACCOUNT_RETENTION_MONTHS = 9
    world.roskilde.privacy_contact = "DPO Roskilde, dpo@roskilde.dk"
    world.roskilde.save()
    response = Client().get(reverse("privacy:privacy_notice"))
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("Privatlivspolitik", "6, stk. 1, litra e", "arkivloven", "Datatilsynet"):
        assert text in page, text
    periods = page[page.index('id="retention-periods"') :]
    assert "7 år" in periods and "18 måneder" in periods and "9 måneder" in periods
    assert "dpo@roskilde.dk" in page and world.naestved.name in page  # signed out: all


def test_a_signed_in_user_sees_their_own_municipalitys_contact(
    world: SimpleNamespace, as_user: Any
) -> None:
    world.roskilde.privacy_contact = "dpo@roskilde.dk"
    world.roskilde.save()
    page = as_user(world.carl).get(reverse("privacy:privacy_notice")).content.decode()
    contacts = page[page.index('id="privacy-contacts"') :]
    assert "dpo@roskilde.dk" in contacts and world.naestved.name not in contacts


@pytest.mark.parametrize("language", ["da", "en"])
def test_every_page_links_the_notice_from_its_footer(
    world: SimpleNamespace, as_user: Any, language: str
) -> None:
    url = reverse("privacy:privacy_notice")
    signed_out = Client().get(reverse("accounts:login")).content.decode()
    signed_in = as_user(world.anna).get(reverse("applications:my_applications")).content.decode()
    for page in (signed_out, signed_in):
        footer = page[page.index("<footer") :]
        assert f'href="{url}"' in footer
    with translation.override(language):
        english = Client(headers={"accept-language": language}).get(url).content.decode()
    assert ("Privacy notice" in english) == (language == "en")
