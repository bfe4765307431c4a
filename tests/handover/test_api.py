"""The hand-overs through the API: payment runs (list, start, read, the file; a payout in
two runs is a 409) and journalising a case now; the same rules as the screens."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from rest_framework.test import APIClient

from api.models import ApiToken
from cases.models import Application, PaymentRun, Payout
from cases.roles import forget_profile
from workflows import engine

from ..conftest import advance

URL = "/api/v1/payment-runs"


@pytest.fixture
def api() -> Any:
    def client_for(user: Any) -> APIClient:
        _token, key = ApiToken.issue(user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        forget_profile(user)
        return client

    return client_for


@pytest.fixture
def paid(world: SimpleNamespace, draft: Application) -> Application:
    return advance(draft, world, "paid")


def test_a_case_officer_starts_a_run_and_reads_it_back(
    world: SimpleNamespace, paid: Application, api: Any
) -> None:
    carl = api(world.carl)
    payout = Payout.objects.get(application=paid)
    made = carl.post(URL, {"payouts": [payout.pk]}, format="json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["count"] == 1 and body["total"] == "20000.00"
    assert body["items"][0]["payout"] == payout.pk
    assert body["items"][0]["account"] == "NEMKONTO"
    run = PaymentRun.objects.get()
    listed = carl.get(URL).json()
    assert [r["id"] for r in listed["results"]] == [run.pk]
    assert carl.get(f"{URL}/{run.pk}").json()["sha256"] == run.sha256
    assert carl.get(f"{URL}/{run.pk}/file").content == run.content.encode("utf-8")


def test_a_payout_in_a_run_already_is_a_409_naming_the_run(
    world: SimpleNamespace, paid: Application, api: Any
) -> None:
    carl = api(world.carl)
    payout = Payout.objects.get(application=paid)
    first = carl.post(URL, {"payouts": [payout.pk]}, format="json").json()
    again = carl.post(URL, {"payouts": [payout.pk]}, format="json")
    assert again.status_code == 409
    assert f"betalingskørsel {first['id']}" in again.json()["detail"]
    nothing = carl.post(URL, {}, format="json")
    assert nothing.status_code == 400
    assert PaymentRun.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "listing", "starting", "reading"),
    [
        ("gustav", 200, 403, 200),
        ("frida", 403, 403, 403),
        ("anna", 403, 403, 404),
        ("helle", 200, 400, 404),  # Næstved: her own empty list; nothing of hers to hand over
    ],
)
def test_who_may_do_what_with_payment_runs(
    world: SimpleNamespace,
    paid: Application,
    api: Any,
    who: str,
    listing: int,
    starting: int,
    reading: int,
) -> None:
    run = api(world.carl).post(URL, {}, format="json").json()
    client = api(getattr(world, who))
    assert client.get(URL).status_code == listing
    assert client.post(URL, {}, format="json").status_code == starting
    assert client.get(f"{URL}/{run['id']}").status_code == reading
    assert client.get(f"{URL}/{run['id']}/file").status_code == reading
    if who == "helle":
        assert client.get(URL).json()["results"] == []
        refused = client.post(URL, {"municipality": world.roskilde.pk}, format="json")
        assert refused.status_code == 403


def test_journalising_a_case_now_through_the_api(
    world: SimpleNamespace, draft: Application, journal_on: Path, api: Any
) -> None:
    case = engine.perform(draft, "submit", user=world.anna)
    url = f"/api/v1/applications/{case.pk}/journal"
    assert api(world.gustav).post(url).status_code == 403
    assert api(world.anna).post(url).status_code == 403
    assert not journal_on.exists()
    response = api(world.carl).post(url)
    assert response.status_code == 200
    rows = response.json()
    assert rows[0]["kind"] == "case" and rows[0]["status"] == "done"
    assert rows[0]["reference"] == f"{world.roskilde.pk}/{case.case_number}"
    assert {r["status"] for r in rows} == {"done"}
    assert (journal_on / str(world.roskilde.pk) / case.case_number / "case.json").exists()


def test_the_endpoints_are_in_the_openapi_schema(db: Any, client: Any) -> None:
    text = client.get("/api/v1/schema").content.decode()
    for path in (
        "/api/v1/payment-runs:",
        "/api/v1/payment-runs/{id}:",
        "/api/v1/payment-runs/{id}/file:",
    ):
        assert path in text
    assert "/api/v1/applications/{id}/journal:" in text
    assert "PaymentRunInput" in text and "'409':" in text
