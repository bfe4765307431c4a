"""The questionnaire through the API: the association answers; staff read a round's results;
every refusal structured; both endpoints in the OpenAPI schema."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from cases.models import ApplicationStatus, Association, Feedback
from tests.feedback.scene import answered, decided

pytestmark = pytest.mark.django_db
BASE = "/api/v1"


def test_the_association_answers_through_the_api(world: SimpleNamespace, api: Any) -> None:
    application = decided(world, association=world.a)
    url = f"{BASE}/applications/{application.pk}/feedback"
    state = api(world.anna).get(url)
    assert state.status_code == 200 and state.json() == {"open": True, "answer": None}
    bad = api(world.anna).post(url, {"ease": 7, "unclear": ["weather"]}, format="json")
    assert bad.status_code == 400 and set(bad.json()) >= {"ease", "unclear"}
    empty = api(world.anna).post(url, {}, format="json")
    assert empty.status_code == 400 and "detail" in empty.json()
    made = api(world.anna).post(
        url, {"ease": 5, "time_spent": "under_1_hour", "unclear": ["letter"]}, format="json"
    )
    assert made.status_code == 201, made.json()
    assert made.json()["ease"] == 5 and made.json()["unclear"] == ["letter"]
    again = api(world.anna).post(url, {"declined": True}, format="json")
    assert again.status_code == 409 and "detail" in again.json()
    assert api(world.anna).get(url).json()["open"] is False
    assert Feedback.objects.count() == 1


def test_refusals_are_structured(world: SimpleNamespace, api: Any) -> None:
    application = decided(world, association=world.a)
    url = f"{BASE}/applications/{application.pk}/feedback"
    assert api(world.bo).post(url, {"ease": 3}, format="json").status_code == 404
    for staff in (world.carl, world.erik, world.gustav):
        refused = api(staff).post(url, {"ease": 3}, format="json")
        assert refused.status_code == 403 and "detail" in refused.json()
        assert api(staff).get(url).status_code == 403
    undecided = decided(world, association=world.a, status=ApplicationStatus.IN_COUNCIL_REVIEW)
    early = api(world.anna).post(
        f"{BASE}/applications/{undecided.pk}/feedback", {"ease": 3}, format="json"
    )
    assert early.status_code == 409 and "detail" in early.json()
    assert not Feedback.objects.exists()


def test_staff_read_a_rounds_results_without_names(world: SimpleNamespace, api: Any) -> None:
    answered(world, 3, comment="Kommentar {i}")
    url = f"{BASE}/rounds/{world.round.pk}/feedback"
    body = api(world.erik).get(url)
    assert body.status_code == 200
    data = body.json()
    assert data["answered"] == 3 and data["suppressed"] is False
    assert data["comments"] == ["Kommentar 0", "Kommentar 1", "Kommentar 2"]
    text = body.content.decode()
    assert not [n for n in Association.objects.values_list("name", flat=True) if n in text]
    assert api(world.anna).get(url).status_code == 404
    assert api(world.helle).get(url).status_code == 404
    assert api(world.erik).post(url, {}, format="json").status_code == 405


def test_the_endpoints_are_in_the_openapi_schema(client: Any, db: Any) -> None:
    text = client.get(f"{BASE}/schema").content.decode()
    assert "/api/v1/applications/{id}/feedback" in text
    assert "/api/v1/rounds/{id}/feedback" in text
    assert "FeedbackInput" in text
