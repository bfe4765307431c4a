"""The municipality's front and its call pages: what an association reads before applying."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import RoundCondition, RoundCriterion
from tests.factories import GrantRoundFactory

pytestmark = pytest.mark.django_db


def _call(client: Any, world: SimpleNamespace, grant_round: Any) -> Any:
    return client.get(
        reverse("public:call", args=[grant_round.municipality.slug, grant_round.pk]),
        HTTP_ACCEPT_LANGUAGE="da",
    )


def test_the_call_page_says_what_the_round_supports_and_how_it_is_decided(
    world: SimpleNamespace, client: Any
) -> None:
    grant_round = world.round
    grant_round.purpose = "Frivilligt socialt arbejde for ensomme"
    # Noon twelve calendar days ahead: the page counts days by date, so "now + 12 days" read
    # between 23:00 and midnight would fall on the thirteenth.
    grant_round.deadline = datetime.datetime.combine(
        timezone.localdate() + datetime.timedelta(days=12),
        datetime.time(12, 0),
        tzinfo=timezone.get_current_timezone(),
    )
    grant_round.council_meeting_date = datetime.date(2027, 3, 2)
    grant_round.committee_meeting_date = datetime.date(2027, 3, 20)
    grant_round.ceiling_per_application = Decimal("30000")
    grant_round.save()
    RoundCondition.objects.create(round=grant_round, text="Foreningen er frivillig")
    RoundCriterion.objects.create(round=grant_round, title="Udsatte borgere")
    response = _call(client, world, grant_round)
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "Frivilligt socialt arbejde for ensomme",
        "Foreningen er frivillig",
        "Udsatte borgere",
        "Ensomhed",  # a focus area
        "Børn og unge",
        "Ældre",  # a target group
        "Årsregnskab",  # a required attachment
        "325.000,00 kr.",
        "30.000,00 kr.",
        "12 dage tilbage",
        "2. marts 2027",  # the council's meeting
        "20. marts 2027",  # the committee's
        "Frivillighedsrådet",
        "Kultur- og Fritidsudvalget",
    ):
        assert text in page, text
    apply_url = reverse("applications:application_new") + f"?round={grant_round.pk}"
    assert f'href="{apply_url}"' in page and "Søg om tilskud" in page


def test_apply_leads_through_sign_in_to_a_draft_for_the_round(
    world: SimpleNamespace, client: Any
) -> None:
    apply_url = reverse("applications:application_new") + f"?round={world.round.pk}"
    response = client.get(apply_url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(world.anna)
    page = client.get(apply_url).content.decode()
    assert f'<option value="{world.round.pk}" selected>' in page


def test_a_quick_pool_says_the_administration_decides(world: SimpleNamespace, client: Any) -> None:
    quick = GrantRoundFactory(municipality=world.roskilde, name="Akutpuljen", flow="quick_pool")
    assert "træffer afgørelse direkte (akutpulje)" in _call(client, world, quick).content.decode()


def test_a_closed_round_has_no_apply_button_and_a_coming_one_says_when_it_opens(
    world: SimpleNamespace, client: Any
) -> None:
    now = timezone.now()
    closed = GrantRoundFactory(
        municipality=world.roskilde,
        opens_at=now - datetime.timedelta(days=60),
        deadline=now - datetime.timedelta(days=1),
    )
    page = _call(client, world, closed).content.decode()
    assert "Ansøgningsfristen er overskredet." in page and 'id="apply"' not in page
    coming = GrantRoundFactory(
        municipality=world.roskilde,
        name="Næste års pulje",
        opens_at=now + datetime.timedelta(days=30),
        deadline=now + datetime.timedelta(days=90),
    )
    page = _call(client, world, coming).content.decode()
    assert "Åbner for ansøgninger" in page and 'id="apply"' not in page
    front = client.get(
        reverse("public:municipality", args=[world.roskilde.slug]), HTTP_ACCEPT_LANGUAGE="da"
    ).content.decode()
    assert "Kommende puljer" in front and "Næste års pulje" in front
    assert world.round.name in front and closed.name not in front


def test_another_municipalitys_round_is_not_found_under_this_one(
    world: SimpleNamespace, client: Any
) -> None:
    url = reverse("public:call", args=[world.roskilde.slug, world.other_round.pk])
    assert client.get(url).status_code == 404
    url = reverse("public:call", args=[world.naestved.slug, world.other_round.pk])
    assert client.get(url).status_code == 200


def test_the_list_of_municipalities_links_to_each(world: SimpleNamespace, client: Any) -> None:
    page = client.get(reverse("public:index")).content.decode()
    for place in (world.roskilde, world.naestved):
        assert f'href="/{place.slug}/"' in page


def test_the_footer_and_the_case_officers_home_link_to_the_public_pages(
    world: SimpleNamespace, client: Any
) -> None:
    client.force_login(world.carl)
    page = client.get(reverse("home:home")).content.decode()
    assert 'id="home-public-pages"' in page and 'id="footer-public"' in page
