"""recommend may cite the round's criteria it rests on: payload["criteria"], their ids in
the round's order (the letters look them up). Only the application's round's criteria."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from django.utils.translation import override

from cases.errors import InvalidInput
from cases.models import Application, RoundCriterion
from cases.trail.models import TransitionRecord
from workflows.engine import perform

from .support import S, reach, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def criteria(world: SimpleNamespace) -> list[RoundCriterion]:
    return [
        RoundCriterion.objects.create(round=world.round, position=n, title=title)
        for n, title in enumerate(["Trivsel", "Forebyggelse", "Samarbejde"], start=1)
    ]


def recorded(application: Application) -> dict[str, Any]:
    record = TransitionRecord.objects.filter(application=application).order_by("seq").last()
    assert record is not None and record.transition == "recommend"
    return dict(record.payload)


def test_erik_cites_the_criteria_the_recommendation_rests_on(
    world: SimpleNamespace, draft: Application, criteria: list[RoundCriterion]
) -> None:
    in_review = reach(draft, world, S.IN_COUNCIL_REVIEW)
    trivsel, _, samarbejde = criteria

    recommended = perform(
        in_review,
        "recommend",
        user=world.erik,
        outcome="partial",
        amount="20000",
        reason="Puljen er lille",
        criteria=[str(samarbejde.pk), trivsel.pk],
    )

    # In the round's order, whatever order they were sent in.
    assert recorded(recommended)["criteria"] == [trivsel.pk, samarbejde.pk]


def test_no_criteria_cited_records_no_criteria(
    world: SimpleNamespace, draft: Application, criteria: list[RoundCriterion]
) -> None:
    in_review = reach(draft, world, S.IN_COUNCIL_REVIEW)
    recommended = perform(in_review, "recommend", user=world.erik, outcome="grant", criteria=[])
    assert "criteria" not in recorded(recommended)


@pytest.mark.parametrize(
    ("sent", "errors"),
    [
        ("other-round", ["{other} is not one of this round's criteria."]),
        ([999999], ["999999 is not one of this round's criteria."]),
        (["abc"], ["“abc” is not a criterion's id."]),
        ("3", ["Send the criteria as a list of ids."]),
    ],
    ids=["another-rounds-criterion", "no-such-criterion", "not-an-id", "not-a-list"],
)
def test_it_refuses_criteria_that_are_not_the_rounds(
    world: SimpleNamespace,
    draft: Application,
    criteria: list[RoundCriterion],
    sent: Any,
    errors: list[str],
) -> None:
    other = RoundCriterion.objects.create(round=world.other_round, title="Andet")
    if sent == "other-round":
        sent = [criteria[0].pk, other.pk]
    in_review = reach(draft, world, S.IN_COUNCIL_REVIEW)
    before = snapshot(in_review)

    with override("en"), pytest.raises(InvalidInput) as caught:
        perform(in_review, "recommend", user=world.erik, outcome="grant", criteria=sent)

    assert caught.value.errors == {"criteria": [e.format(other=other.pk) for e in errors]}
    assert snapshot(in_review) == before


# --- the screen ------------------------------------------------------------------------------


def test_the_recommendation_page_offers_the_rounds_criteria_and_records_them(
    world: SimpleNamespace, draft: Application, criteria: list[RoundCriterion], client: Any
) -> None:
    other = RoundCriterion.objects.create(round=world.other_round, title="Andet kriterium")
    in_review = reach(draft, world, S.IN_COUNCIL_REVIEW)
    client.force_login(world.erik)
    url = reverse("applications:application_act", args=[in_review.pk, "recommend"])
    html = client.get(url).content.decode()
    assert 'name="criteria"' in html and "Forebyggelse" in html
    assert "Andet kriterium" not in html

    form = {"outcome": "grant", "seen_status": S.IN_COUNCIL_REVIEW}
    form["seen_version"] = str(in_review.version)
    refused = client.post(url, {**form, "criteria": [str(other.pk)]})
    assert refused.status_code == 400
    assert 'id="id_criteria-error"' in refused.content.decode()
    assert Application.objects.get(pk=in_review.pk).status == S.IN_COUNCIL_REVIEW

    done = client.post(url, {**form, "criteria": [str(criteria[1].pk)]})
    assert done.status_code == 302
    assert recorded(in_review)["criteria"] == [criteria[1].pk]


def test_a_round_without_criteria_offers_none(
    world: SimpleNamespace, draft: Application, client: Any
) -> None:
    in_review = reach(draft, world, S.IN_COUNCIL_REVIEW)
    client.force_login(world.erik)
    html = client.get(
        reverse("applications:application_act", args=[in_review.pk, "recommend"])
    ).content
    assert b'name="outcome"' in html and b'name="criteria"' not in html
