"""The round form lets a case officer choose the flow (issue 20), says what each flow is,
refuses a flow of another scheme, and a round with submitted applications keeps its flow."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import GrantRound
from cases.services.rounds import round_save
from tests.cases.test_staff_rounds import _data
from workflows import engine

pytestmark = pytest.mark.django_db


def test_a_case_officer_opens_a_quick_pool(world: Any, client: Any) -> None:
    client.force_login(world.carl)
    page = client.get(reverse("rounds:round_new")).content.decode()
    assert 'name="flow"' in page and "Akutpulje" in page and "loftet pr. ansøgning" in page
    response = client.post(reverse("rounds:round_new"), _data(world, flow="quick_pool"))
    assert response.status_code == 302, response.content.decode()[:2000]
    grant_round = GrantRound.objects.get(name="Foreningspuljen 2028")
    assert grant_round.flow == "quick_pool" and grant_round.decided_by_administration


def test_the_round_page_names_its_flow_and_links_to_its_chart(world: Any, client: Any) -> None:
    client.force_login(world.carl)
    world.round.flow = "quick_pool"
    world.round.save()
    page = client.get(reverse("inbox:round_inbox", args=[world.round.pk])).content.decode()
    assert "Forløb: " in page and "Akutpulje" in page
    assert reverse("applications:flow_chart") + "?flow=quick_pool" in page


def test_without_a_flow_the_round_follows_the_council_and_committee(
    world: Any, client: Any
) -> None:
    client.force_login(world.carl)
    assert client.post(reverse("rounds:round_new"), _data(world)).status_code == 302
    assert GrantRound.objects.get(name="Foreningspuljen 2028").flow == "application"


@pytest.mark.parametrize(
    ("flow", "scheme", "message"),
    [("no_such_flow", "s18", "Vælg et af de viste forløb."), ("older_people", "s18", "§ 79")],
)
def test_a_wrong_flow_is_refused_beside_the_field(
    world: Any, client: Any, flow: str, scheme: str, message: str
) -> None:
    client.force_login(world.carl)
    response = client.post(reverse("rounds:round_new"), _data(world, flow=flow, scheme=scheme))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["flow"])
    assert 'id="id_flow-error"' in response.content.decode()
    # What was typed is kept.
    assert 'value="Foreningspuljen 2028"' in response.content.decode()


def test_a_round_with_submitted_applications_cannot_switch_flow(
    world: Any, draft: Any, client: Any
) -> None:
    engine.perform(draft, "submit", user=world.anna)
    with pytest.raises(ValidationError) as refused:
        round_save(
            acting_user=world.carl,
            municipality=world.roskilde,
            grant_round=world.round,
            fields={"flow": "quick_pool"},
        )
    assert "forløb kan ikke længere ændres" in refused.value.message_dict["flow"][0]
    client.force_login(world.carl)
    page = client.get(reverse("rounds:round_edit", args=[world.round.pk])).content.decode()
    assert 'name="flow"' in page and "disabled" in page
