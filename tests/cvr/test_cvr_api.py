"""GET /api/v1/cvr/{cvr}: the CVR register for the case officers, every refusal a structured
400/403/404/503 with a message, and the endpoint in the OpenAPI schema."""

from __future__ import annotations

import socket
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api.models import ApiToken

BASE = "/api/v1"


@pytest.fixture
def api() -> Any:
    cache.clear()  # DRF's throttle history lives in the cache

    def client_for(user: Any) -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.issue(user)[1]}")
        return client

    yield client_for
    cache.clear()


def test_carl_looks_up_a_cvr_number(world: SimpleNamespace, api: Any) -> None:
    response = api(world.carl).get(f"{BASE}/cvr/29990026")
    assert response.status_code == 200
    assert response.json() == {
        "cvr": "29990026",
        "name": "Fiktive Natteravne Trekroner (demo)",
        "address": "Trekroner Allé 7, 2. tv",
        "postal_code": "4000",
        "city": "Roskilde",
        "association": None,
    }


def test_a_registered_association_is_named(world: SimpleNamespace, api: Any) -> None:
    world.a.cvr = "29990026"
    world.a.save()
    assert api(world.carl).get(f"{BASE}/cvr/29990026").json()["association"] == world.a.pk


def test_a_missing_company_is_404_with_a_message(world: SimpleNamespace, api: Any) -> None:
    response = api(world.carl).get(f"{BASE}/cvr/39990008")
    assert response.status_code == 404
    assert "has no company with this number" in response.json()["detail"]


def test_a_wrong_number_is_400_with_a_message(world: SimpleNamespace, api: Any) -> None:
    response = api(world.carl).get(f"{BASE}/cvr/29990027")
    assert response.status_code == 400
    assert "not a valid CVR number" in response.json()["detail"]
    assert api(world.carl).get(f"{BASE}/cvr/2999").json()["detail"].startswith("A CVR number")


def test_a_register_that_is_down_is_503_with_a_message(
    world: SimpleNamespace, api: Any, settings: Any
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.PULJEFLOW_CVR_ADAPTER = "http"
    settings.PULJEFLOW_CVR_URL = f"http://127.0.0.1:{port}/cvr-permanent/virksomhed/_search"
    response = api(world.carl).get(f"{BASE}/cvr/29990026")
    assert response.status_code == 503
    assert "cannot be reached" in response.json()["detail"]


def test_only_case_officers_look_up(world: SimpleNamespace, api: Any) -> None:
    for user in (world.anna, world.gustav, world.erik):
        response = api(user).get(f"{BASE}/cvr/29990026")
        assert response.status_code == 403 and response.json()["detail"]
    assert api(None).get(f"{BASE}/cvr/29990026").status_code == 401
    assert api(world.helle).get(f"{BASE}/cvr/29990026").status_code == 200


def test_the_endpoint_is_in_the_openapi_schema(client: Any, db: Any) -> None:
    schema = client.get(f"{BASE}/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/cvr/{cvr}"]["get"]
    assert set(operation["responses"]) >= {"200", "400", "403", "404", "503"}
    company = schema["components"]["schemas"]["CvrCompany"]["properties"]
    assert set(company) == {"cvr", "name", "address", "postal_code", "city", "association"}
