"""The round's purpose, conditions and criteria through the API; the council's values per
criterion (assessments, agenda, minutes); the criteria a recommendation cites."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest

from cases.models import Body, RoundCondition, RoundCriterion
from cases.services.meetings import agenda_add_all_ready, meeting_create
from cases.trail.models import TransitionRecord
from tests.factories import ApplicationFactory
from workflows import engine

pytestmark = pytest.mark.django_db

BASE = "/api/v1"


@pytest.fixture
def scored(world: SimpleNamespace) -> SimpleNamespace:
    """bo's application on a council meeting (dorte and erik present), in a round whose
    criteria are scored 1–5."""
    world.round.purpose = "Fællesskab og trivsel"
    world.round.criteria_scoring = "score"
    world.round.save()
    RoundCondition.objects.create(round=world.round, position=1, text="Frivillig forening")
    criteria = [
        RoundCriterion.objects.create(round=world.round, position=n, title=t, help_text=f"Om {t}")
        for n, t in enumerate(["Trivsel", "Forebyggelse"], start=1)
    ]
    application = ApplicationFactory(round=world.round, association=world.b)
    application.focus_areas.set([world.focus])
    application = engine.perform(application, "submit", user=world.bo)
    application = engine.perform(application, "accept", user=world.carl, reason="OK")
    meeting = meeting_create(
        grant_round=world.round,
        body=Body.COUNCIL,
        date=datetime.date(2026, 2, 1),
        members_present=[world.dorte, world.erik],
        acting_user=world.carl,
    )
    agenda_add_all_ready(meeting=meeting, acting_user=world.carl)
    return SimpleNamespace(application=application, meeting=meeting, criteria=criteria)


def assess(client: Any, scored: SimpleNamespace, **fields: Any) -> Any:
    return client.post(
        f"{BASE}/applications/{scored.application.pk}/assessments",
        {"meeting": scored.meeting.pk, "outcome": "grant", **fields},
        format="json",
    )


def test_the_round_carries_its_purpose_conditions_and_criteria(
    world: SimpleNamespace, scored: SimpleNamespace, api: Any
) -> None:
    body = api(world.anna).get(f"{BASE}/rounds/{world.round.pk}").json()
    assert body["purpose"] == "Fællesskab og trivsel"
    assert body["criteria_scoring"] == "score"
    assert [c["text"] for c in body["conditions"]] == ["Frivillig forening"]
    trivsel = scored.criteria[0]
    assert body["criteria"][0] == {"id": trivsel.pk, "title": "Trivsel", "help_text": "Om Trivsel"}


def test_the_schema_describes_them_as_read_only(client: Any, db: Any) -> None:
    schema = client.get(f"{BASE}/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]
    round_ = components["Round"]["properties"]
    for name in ("purpose", "conditions", "criteria", "criteria_scoring"):
        assert round_[name]["readOnly"] is True, name
    assert "criteria" in components["AssessmentInputRequest"]["properties"]
    assert components["TransitionInputRequest"]["properties"]["criteria"]["type"] == "array"
    assert "CriterionSummary" in components


def test_erik_records_scores_and_the_minutes_show_the_average(
    world: SimpleNamespace, scored: SimpleNamespace, api: Any
) -> None:
    trivsel, forebyggelse = scored.criteria
    erik, dorte = api(world.erik), api(world.dorte)
    answer = assess(erik, scored, criteria=[{"criterion": trivsel.pk, "score": 4}])
    assert answer.status_code == 201, answer.json()
    assert answer.json()["criteria"] == [{"criterion": trivsel.pk, "score": 4, "verdict": ""}]
    answer = assess(
        dorte,
        scored,
        criteria=[
            {"criterion": trivsel.pk, "score": 5},
            {"criterion": forebyggelse.pk, "score": None},
        ],
    )
    assert answer.status_code == 201, answer.json()

    minutes = api(world.gustav).get(f"{BASE}/meetings/{scored.meeting.pk}/minutes").json()
    item = minutes["items"][0]
    assert item["criteria"] == [
        {
            "criterion": trivsel.pk,
            "title": "Trivsel",
            "count": 2,
            "average": "4.5",
            "yes": 0,
            "partly": 0,
            "no": 0,
        },
        {
            "criterion": forebyggelse.pk,
            "title": "Forebyggelse",
            "count": 0,
            "average": None,
            "yes": 0,
            "partly": 0,
            "no": 0,
        },
    ]
    agenda = api(world.carl).get(f"{BASE}/meetings/{scored.meeting.pk}").json()
    assert agenda["items"][0]["criteria"][0]["average"] == "4.5"


@pytest.mark.parametrize(
    ("values", "scoring"),
    [
        ([{"criterion": "other", "score": 3}], "score"),
        ([{"criterion": "trivsel", "score": 0}], "score"),
        ([{"criterion": "trivsel", "score": 6}], "score"),
        ([{"criterion": "trivsel", "verdict": "yes"}], "score"),
        ([{"criterion": "trivsel", "score": 3}], "verdict"),
        ([{"criterion": "trivsel", "score": 3}], "none"),
        ([{"criterion": "trivsel", "score": 3, "verdict": "yes"}], "score"),
        ([{"criterion": "trivsel", "score": 3}, {"criterion": "trivsel", "score": 4}], "score"),
    ],
    ids=[
        "another-rounds-criterion",
        "score-0",
        "score-6",
        "verdict-on-a-score-round",
        "score-on-a-verdict-round",
        "scoring-turned-off",
        "both",
        "twice",
    ],
)
def test_values_that_do_not_fit_the_round_are_a_400_on_criteria(
    world: SimpleNamespace, scored: SimpleNamespace, api: Any, values: list[Any], scoring: str
) -> None:
    world.round.criteria_scoring = scoring
    world.round.save()
    other = RoundCriterion.objects.create(round=world.other_round, title="Andet")
    ids = {"other": other.pk, "trivsel": scored.criteria[0].pk}
    sent = [{**v, "criterion": ids[v["criterion"]]} for v in values]

    answer = assess(api(world.erik), scored, criteria=sent)

    assert answer.status_code == 400
    assert list(answer.json()) == ["criteria"]
    assert answer.json()["criteria"][0]
    assert not scored.application.assessments.exists()


def test_a_criterion_sent_as_text_is_a_400_before_the_service(
    world: SimpleNamespace, scored: SimpleNamespace, api: Any
) -> None:
    answer = assess(api(world.erik), scored, criteria=[{"criterion": "Trivsel", "score": 3}])
    assert answer.status_code == 400 and "criteria" in answer.json()


def test_the_recommendation_cites_criteria_by_id(
    world: SimpleNamespace, scored: SimpleNamespace, api: Any
) -> None:
    erik = api(world.erik)
    url = f"{BASE}/applications/{scored.application.pk}/transitions"
    listed = erik.get(url).json()
    recommend = next(t for t in listed if t["name"] == "recommend")
    # For a case, the choice lists the ids its round offers.
    offered = [
        str(pk)
        for pk in RoundCriterion.objects.filter(round=scored.application.round).values_list(
            "pk", flat=True
        )
    ]
    assert offered
    assert {"name": "criteria", "type": "integers", "choices": offered} in recommend["fields"]

    other = RoundCriterion.objects.create(round=world.other_round, title="Andet")
    refused = erik.post(
        f"{url}/recommend", {"outcome": "grant", "criteria": [other.pk]}, format="json"
    )
    assert refused.status_code == 400
    assert list(refused.json()) == ["criteria"]
    not_a_list = erik.post(f"{url}/recommend", {"outcome": "grant", "criteria": 5}, format="json")
    assert not_a_list.status_code == 400 and "criteria" in not_a_list.json()

    trivsel, forebyggelse = scored.criteria
    done = erik.post(
        f"{url}/recommend",
        {"outcome": "grant", "criteria": [forebyggelse.pk, trivsel.pk]},
        format="json",
    )
    assert done.status_code == 200, done.json()
    record = TransitionRecord.objects.filter(transition="recommend").get()
    assert record.payload["criteria"] == [trivsel.pk, forebyggelse.pk]
    minutes = api(world.gustav).get(f"{BASE}/meetings/{scored.meeting.pk}/minutes").json()
    assert minutes["items"][0]["actions"][0]["criteria"] == ["Trivsel", "Forebyggelse"]
