"""The round's purpose, conditions of eligibility and assessment criteria where people read them:
the applicant before applying (the new-application page, the draft), the case officer on
the round's page, and the API's round."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import GrantRound, RoundCondition, RoundCriterion
from tests.factories import ApplicationFactory, FocusAreaFactory, GrantRoundFactory

pytestmark = pytest.mark.django_db


def write_texts(grant_round: GrantRound, *, criteria: int = 2) -> None:
    grant_round.purpose = "Puljen støtter fællesskaber, der styrker trivsel."
    grant_round.criteria_scoring = "score"
    grant_round.save()
    RoundCondition.objects.create(
        round=grant_round,
        position=2,
        text="Aktiviteten foregår i kommunen",
        help_text="Eller når kommunens borgere.",
    )
    RoundCondition.objects.create(
        round=grant_round,
        position=1,
        text="Foreningen er frivillig og almennyttig",
        help_text="Den har vedtægter & en bestyrelse.",
    )
    for n in range(criteria):
        RoundCriterion.objects.create(
            round=grant_round,
            position=n + 1,
            title=f"Kriterium {n + 1}",
            help_text=f"Forklaring {n + 1}",
        )


def section(html: str, marker: str) -> str:
    match = re.search(
        rf'<div class="pf-round-texts" data-round-texts="{marker}">.*?\n</div>', html, re.S
    )
    assert match, f"no round texts for {marker}"
    return match.group(0)


def test_anna_reads_purpose_conditions_and_criteria_before_starting_a_draft(
    world: SimpleNamespace, as_user: Any
) -> None:
    write_texts(world.round)
    response = as_user(world.anna).get(reverse("applications:application_new"))
    assert response.status_code == 200
    html = response.content.decode()
    texts = section(html, str(world.round.pk))
    assert "Puljen støtter fællesskaber, der styrker trivsel." in texts
    # The conditions in their order, each with its explanation (escaped as any text).
    first, second = texts.index("Foreningen er frivillig"), texts.index("Aktiviteten foregår")
    assert first < second
    assert "Den har vedtægter &amp; en bestyrelse." in texts
    assert "Kriterium 1" in texts and "Forklaring 2" in texts
    # What was there already: the deadline, the pool and the focus areas, beside the texts.
    facts = re.search(
        rf'<dl class="pf-facts" data-round-facts="{world.round.pk}">.*?</dl>', html, re.S
    )
    assert facts and "325.000,00" in facts.group(0) and "Ensomhed" in facts.group(0)
    # And then the form to start.
    assert html.index("data-round-texts") < html.index('name="title"')


def test_a_round_without_texts_shows_no_empty_headings(
    world: SimpleNamespace, as_user: Any
) -> None:
    html = as_user(world.anna).get(reverse("applications:application_new")).content.decode()
    texts = section(html, str(world.round.pk))
    assert "<h3" not in texts
    write_texts(world.round)
    html = as_user(world.anna).get(reverse("applications:application_new")).content.decode()
    assert section(html, str(world.round.pk)).count("<h3") == 3


def test_the_draft_page_shows_the_rounds_texts(
    world: SimpleNamespace, draft: Any, as_user: Any
) -> None:
    write_texts(world.round)
    response = as_user(world.anna).get(
        reverse("applications:draft_step", args=[draft.pk, "activity"])
    )
    assert response.status_code == 200
    texts = section(response.content.decode(), str(world.round.pk))
    assert "Puljen støtter fællesskaber" in texts
    assert "Foreningen er frivillig og almennyttig" in texts and "Forklaring 1" in texts


def test_the_texts_read_in_danish(world: SimpleNamespace, draft: Any, as_user: Any) -> None:
    write_texts(world.round)
    html = (
        as_user(world.anna)
        .get(reverse("applications:draft_step", args=[draft.pk, "activity"]))
        .content.decode()
    )
    assert "Puljens formål" in html
    assert "Betingelser for at søge" in html
    assert "Kriterier for vurderingen" in html


def test_the_case_officer_reads_the_texts_on_the_rounds_page(
    world: SimpleNamespace, as_user: Any
) -> None:
    write_texts(world.round)
    response = as_user(world.carl).get(reverse("inbox:round_inbox", args=[world.round.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    texts = section(html, str(world.round.pk))
    assert "Foreningen er frivillig og almennyttig" in texts and "Kriterium 2" in texts
    # Read-only here: the texts are edited in the admin.
    assert "<form" not in texts
    assert "En score fra 1 til 5 pr. kriterium" in html


def test_the_new_application_page_does_not_grow_with_rounds_and_their_texts(
    world: SimpleNamespace, as_user: Any
) -> None:
    client = as_user(world.anna)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("applications:application_new")).status_code == 200
        return len(captured)

    write_texts(world.round, criteria=1)
    small = count()
    for _ in range(4):
        grant_round = GrantRoundFactory(municipality=world.roskilde)
        FocusAreaFactory(round=grant_round)
        write_texts(grant_round, criteria=5)
    large = count()
    assert small == large


def test_the_draft_page_does_not_grow_with_the_texts(
    world: SimpleNamespace, draft: Any, as_user: Any
) -> None:
    client = as_user(world.anna)
    url = reverse("applications:draft_step", args=[draft.pk, "activity"])

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = count()
    write_texts(world.round, criteria=5)
    ApplicationFactory(round=world.round, association=world.a)
    assert count() == before
