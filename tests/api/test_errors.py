"""How refusals read: the status the flow decides, and a JSON body a program can act on."""

from __future__ import annotations

import re
from typing import Any

from cases.models import Application
from tests.conftest import advance
from tests.factories import ApplicationFactory

BASE = "/api/v1"


def test_a_stale_version_is_a_409_and_changes_nothing(world: Any, draft: Any, api: Any) -> None:
    anna = api(world.anna)
    stale = anna.post(
        f"{BASE}/applications/{draft.pk}/transitions/submit", {"version": 7}, format="json"
    )
    assert stale.status_code == 409
    assert "ændret" in stale.json()["detail"]  # Danish by default
    assert Application.objects.get(pk=draft.pk).status == "draft"
    ok = anna.post(
        f"{BASE}/applications/{draft.pk}/transitions/submit",
        {"version": draft.version},
        format="json",
    )
    assert ok.status_code == 200
    assert ok.json()["version"] == draft.version + 1


def test_a_stale_version_on_patch_is_a_409(world: Any, draft: Any, api: Any) -> None:
    anna = api(world.anna)
    response = anna.patch(
        f"{BASE}/applications/{draft.pk}", {"title": "X", "version": 3}, format="json"
    )
    assert response.status_code == 409
    assert Application.objects.get(pk=draft.pk).title != "X"
    assert (
        anna.patch(f"{BASE}/applications/{draft.pk}", {"title": "X"}, format="json").status_code
        == 200
    )


def test_an_unmet_condition_is_a_400_with_a_detail(world: Any, api: Any) -> None:
    incomplete = ApplicationFactory(round=world.round, association=world.a, complete=False)
    response = api(world.anna).post(
        f"{BASE}/applications/{incomplete.pk}/transitions/submit", {}, format="json"
    )
    assert response.status_code == 400
    assert "ikke komplet" in response.json()["detail"]


def test_invalid_transition_input_is_a_400_per_field(world: Any, draft: Any, api: Any) -> None:
    app = advance(draft, world, to="in_council_review")
    response = api(world.erik).post(
        f"{BASE}/applications/{app.pk}/transitions/recommend",
        {"outcome": "partial", "amount": "abc"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["amount"]
    wrong_type = api(world.erik).post(
        f"{BASE}/applications/{app.pk}/transitions/recommend",
        {"outcome": ["grant"], "meeting": "x"},
        format="json",
    )
    assert wrong_type.status_code == 400
    assert set(wrong_type.json()) == {"outcome", "meeting"}


def test_a_draft_with_bad_input_gets_field_errors(world: Any, api: Any) -> None:
    response = api(world.anna).post(
        f"{BASE}/applications",
        {
            "round": world.round.pk,
            "association": world.b.pk,
            "title": "x" * 201,
            "budget_lines": [{"description": "A", "amount": "-1"}],
            "purpose": "nul\x00byte",
        },
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"title", "budget_lines", "purpose"}
    assert all(isinstance(m, str) for messages in body.values() for m in messages)
    other = api(world.anna).post(
        f"{BASE}/applications",
        {"round": world.round.pk, "association": world.b.pk, "title": "Ny"},
        format="json",
    )
    assert other.status_code == 400
    assert list(other.json()) == ["association"]


def test_pages_and_filters_refuse_nonsense(world: Any, draft: Any, api: Any) -> None:
    anna = api(world.anna)
    assert anna.get(f"{BASE}/applications", {"page_size": "x"}).status_code == 400
    assert anna.get(f"{BASE}/applications", {"status": ""}).status_code == 400
    assert anna.get(f"{BASE}/applications", {"status": "nope"}).status_code == 400
    listed = anna.get(f"{BASE}/applications", {"status": "draft", "round": world.round.pk})
    assert [a["id"] for a in listed.json()["results"]] == [draft.pk]


def test_an_unknown_address_is_a_json_404(world: Any, api: Any) -> None:
    response = api(world.anna).post(f"{BASE}/applications/x/conflicts", {}, format="json")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_the_schema_and_the_docs_page_are_served(world: Any, client: Any) -> None:
    schema = client.get(f"{BASE}/schema")
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "/api/v1/applications/{id}/transitions/{name}" in text
    assert "tokenAuth" in text
    docs = client.get(f"{BASE}/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui-bundle.js" in html
    # No inline script: every <script> has a src.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "//cdn" not in html and "unpkg" not in html


def test_types_are_not_coerced_and_nested_lines_stay_complete(
    world: Any, draft: Any, api: Any
) -> None:
    anna = api(world.anna)
    url = f"{BASE}/applications/{draft.pk}"
    # Found by Schemathesis: a budget line without its description was a 500 on PATCH.
    missing = anna.patch(url, {"budget_lines": [{"amount": "100.00"}]}, format="json")
    assert missing.status_code == 400
    assert "budget_lines" in missing.json()
    for body in (
        {"declarations": {"correct": 0}},
        {"title": 5},
        {"amount_requested": 25000},
        {"amount_requested": "1e3"},
        {"amount_requested": ""},
        {"volunteers": 2.0},
    ):
        response = anna.patch(url, body, format="json")
        assert response.status_code == 400, body
        assert list(response.json()) == [next(iter(body))]
    assert anna.patch(url, {"declarations": {"correct": True}}, format="json").status_code == 200
