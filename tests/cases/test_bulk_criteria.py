"""The bulk page offers what the single recommendation offers: the round's criteria each
recommendation rests on, checked the same way and recorded the same way
(``payload["criteria"]``), so the letters cite them whichever page recorded them."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse

from cases.documents.letter_context import cited_criteria
from cases.models import Application, Body, RoundCriterion
from cases.trail.models import TransitionRecord
from tests.conftest import NO_HEARING, on_agenda
from workflows import bulk, engine

from .test_bulk_pages import (
    EN,
    html_of,
    in_review,
    meeting_of,
    post,
    recommended,
    row,
    snapshot,
    url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def criteria(world: SimpleNamespace) -> list[RoundCriterion]:
    return [
        RoundCriterion.objects.create(round=world.round, position=i, title=title)
        for i, title in enumerate(("Udsatte børn", "Frivillige", "Lokal forankring"))
    ]


@pytest.fixture
def foreign(world: SimpleNamespace) -> RoundCriterion:
    return RoundCriterion.objects.create(round=world.other_round, title="Næstveds kriterium")


def cites(application: Application, *chosen: RoundCriterion) -> dict[str, Any]:
    return {f"row-{application.pk}-criteria": [str(c.pk) for c in chosen]}


def payload(application: Application) -> dict[str, Any]:
    record = TransitionRecord.objects.filter(application=application, transition="recommend")
    return record.latest("seq").payload


def test_erik_cites_each_rows_criteria_and_they_are_recorded_as_the_single_page_does(
    world: SimpleNamespace, as_user: Any, criteria: list[RoundCriterion]
) -> None:
    first, second = in_review(world, world.b), in_review(world, world.b)
    meeting = meeting_of(Body.COUNCIL)
    client = as_user(world.erik)
    page = html_of(client.get(url(meeting), **EN))
    for application in (first, second):
        for criterion in criteria:
            box = f'type="checkbox" name="row-{application.pk}-criteria" value="{criterion.pk}"'
            assert f'{box} class="form-checkbox"' in page  # drawn as a checkbox, not a radio
    assert "The criteria the recommendation rests on" in page

    response = post(
        client,
        meeting,
        row(first, outcome="grant"),
        cites(first, criteria[2], criteria[0]),
        row(second, outcome="refuse", reason="Uden for formålet"),
    )

    assert response.status_code == 302
    # The round's order, as the single recommendation records it; none cited, no key.
    assert payload(first)["criteria"] == [criteria[0].pk, criteria[2].pk]
    assert "criteria" not in payload(second)
    single = in_review(world, world.b)
    engine.perform(
        single, "recommend", user=world.erik, outcome="grant", criteria=[criteria[2], criteria[0]]
    )
    assert payload(single)["criteria"] == payload(first)["criteria"]


def test_a_foreign_criterion_is_refused_next_to_its_field_and_nothing_is_lost(
    world: SimpleNamespace,
    as_user: Any,
    criteria: list[RoundCriterion],
    foreign: RoundCriterion,
) -> None:
    good, bad = in_review(world, world.b), in_review(world, world.b)
    meeting = meeting_of(Body.COUNCIL)
    client = as_user(world.erik)
    before = snapshot()

    response = post(
        client,
        meeting,
        row(good, outcome="grant"),
        cites(good, criteria[1]),
        row(bad, outcome="refuse", reason="Uden for formålet"),
        cites(bad, criteria[0], foreign),
    )

    assert response.status_code == 400
    assert snapshot() == before
    failed = {f.application.pk: f for f in response.context["failed"]}
    assert list(failed) == [bad.pk]
    assert failed[bad.pk].errors["criteria"] == [
        f"{foreign.pk} is not one of this round's criteria."
    ]
    html = html_of(response)
    assert f'id="id_row-{bad.pk}-criteria-error"' in html
    assert f'href="#row-{bad.pk}"' in html
    # What the chair chose and typed is still there, on both rows.
    assert "Uden for formålet</textarea>" in html
    for application, criterion in ((good, criteria[1]), (bad, criteria[0])):
        checked = f'name="row-{application.pk}-criteria" value="{criterion.pk}"'
        assert checked in html
        tag = html.split(checked, 1)[1].split(">", 1)[0]
        assert "checked" in tag
    # Danish, and an id that is not a number, alike.
    not_a_number = {f"row-{bad.pk}-criteria": ["abc"]}
    response = post(client, meeting, row(bad, outcome="grant"), not_a_number, lang="da")
    assert response.status_code == 400
    assert response.context["failed"][0].errors["criteria"] == [
        "abc er ikke et af puljens kriterier."
    ]
    assert snapshot() == before


def test_the_transition_checks_the_ids_again_when_the_service_is_called_directly(
    world: SimpleNamespace, criteria: list[RoundCriterion], foreign: RoundCriterion
) -> None:
    application = in_review(world, world.b)
    meeting = meeting_of(Body.COUNCIL)
    before = snapshot()
    base = {
        "application": application.pk,
        "action": "recommend",
        "seen_version": application.version,
        "outcome": "grant",
    }

    result = bulk.bulk_record(meeting, [{**base, "criteria": [foreign.pk]}], user=world.erik)

    assert not result.ok and result.errors[0].errors["criteria"]
    assert snapshot() == before
    result = bulk.bulk_record(meeting, [{**base, "criteria": [criteria[1].pk]}], user=world.erik)
    assert result.ok
    assert payload(application)["criteria"] == [criteria[1].pk]


def test_criteria_without_an_outcome_are_an_error_not_a_skip(
    world: SimpleNamespace, as_user: Any, criteria: list[RoundCriterion]
) -> None:
    application = in_review(world, world.b)
    meeting = meeting_of(Body.COUNCIL)
    before = snapshot()
    response = post(as_user(world.erik), meeting, row(application), cites(application, criteria[0]))
    assert response.status_code == 400
    assert response.context["failed"][0].errors["outcome"]
    assert snapshot() == before


def test_no_criteria_column_without_criteria_nor_on_the_committees_page(
    world: SimpleNamespace, as_user: Any
) -> None:
    application = in_review(world, world.b)
    page = html_of(as_user(world.erik).get(url(meeting_of(Body.COUNCIL)), **EN))
    assert f'id="row-{application.pk}"' in page
    assert "criteria" not in page
    RoundCriterion.objects.create(round=world.round, title="Udsatte børn")
    decided = recommended(world, world.b)
    page = html_of(as_user(world.frida).get(url(meeting_of(Body.COMMITTEE)), **EN))
    assert f'id="row-{decided.pk}"' in page
    assert "-criteria" not in page


def test_criteria_cited_on_the_bulk_page_are_cited_in_the_committees_letter(
    world: SimpleNamespace, as_user: Any, criteria: list[RoundCriterion]
) -> None:
    application = in_review(world, world.b)
    response = post(
        as_user(world.erik),
        meeting_of(Body.COUNCIL),
        row(application, outcome="grant"),
        cites(application, criteria[1]),
    )
    assert response.status_code == 302
    application.refresh_from_db()
    on_agenda(application, world)
    decided = engine.perform(application, "decide", user=world.frida, outcome="grant", **NO_HEARING)
    assert cited_criteria(decided, criteria) == [(2, criteria[1])]


def test_the_single_recommendation_draws_the_criteria_as_checkboxes_too(
    world: SimpleNamespace, as_user: Any, criteria: list[RoundCriterion]
) -> None:
    application = in_review(world, world.b)
    page = as_user(world.erik).get(
        reverse("application_act", args=[application.pk, "recommend"]), **EN
    )
    html = html_of(page)
    for criterion in criteria:
        assert (
            f'type="checkbox" name="criteria" value="{criterion.pk}" class="form-checkbox"' in html
        )
