"""The letters through the screens, the API, the admin and the case export."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from api.models import ApiToken
from cases.documents.exports import case_file_zip
from cases.models import Application, Document, DocumentKind
from cases.validators import validate_iban
from tests.conftest import NO_HEARING, NO_HEARING_RECORDED, report_data
from tests.workflows.support import S, reach
from workflows.engine import perform

from .conftest import CONDITIONS

BASE = "/api/v1"


def api_as(user: Any) -> APIClient:
    _token, key = ApiToken.issue(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_carl_chooses_the_rounds_conditions_on_the_reject_screen(
    world: SimpleNamespace, draft: Application, rules: SimpleNamespace, as_user: Any
) -> None:
    submitted = reach(draft, world, S.SUBMITTED)
    client = as_user(world.carl)
    url = f"/applications/{submitted.pk}/act/reject/"

    page = client.get(url).content.decode()
    assert CONDITIONS[0] in page and CONDITIONS[1] in page
    assert "Næstveds betingelse" not in page  # another round's condition is not offered
    assert 'name="ground_other"' in page and 'name="ground_late"' in page

    seen = {"seen_status": "submitted", "seen_version": submitted.version}
    forged = client.post(
        url, {**seen, "reason": "Hjemsted i Lejre", "ground_conditions": [rules.elsewhere.pk]}
    )
    assert forged.status_code == 400
    assert not Document.objects.filter(application=submitted).exists()

    response = client.post(
        url,
        {
            **seen,
            "reason": "Hjemsted i Lejre",
            "ground_conditions": [rules.conditions[0].pk],
            **NO_HEARING,
        },
    )
    assert response.status_code == 302
    letter = Document.objects.get(application=submitted)
    assert letter.kind == DocumentKind.REJECTION and f"»{CONDITIONS[0]}«" in letter.html

    # The case's page lists the letter with its kind, for staff and for the association.
    detail = client.get(f"/applications/{submitted.pk}/").content.decode()
    assert "Afvisning:" in detail and letter.title in detail
    detail = as_user(world.anna).get(f"/applications/{submitted.pk}/").content.decode()
    assert "Afvisning:" in detail and letter.title in detail
    from cases.trail.disclosure import disclosed_records

    records = submitted.transition_records.order_by("seq")
    shown = [
        r for r in disclosed_records(world.anna, submitted, records) if r.transition == "reject"
    ]
    assert shown[0].payload == {
        "letter": letter.pk,
        "ground_conditions": [rules.conditions[0].pk],
        "hearing": NO_HEARING_RECORDED,
    }


def test_the_api_offers_the_rounds_conditions_and_refuses_another_rounds(
    world: SimpleNamespace, draft: Application, rules: SimpleNamespace
) -> None:
    submitted = reach(draft, world, S.SUBMITTED)
    api = api_as(world.carl)

    offered = api.get(f"{BASE}/applications/{submitted.pk}/transitions").json()
    reject = next(t for t in offered if t["name"] == "reject")
    fields = {f["name"]: f for f in reject["fields"]}
    assert fields["ground_conditions"]["type"] == "integers"
    assert fields["ground_conditions"]["choices"] == [str(c.pk) for c in rules.conditions]
    assert fields["ground_late"]["type"] == "boolean"
    assert fields["ground_other"]["type"] == "text"

    url = f"{BASE}/applications/{submitted.pk}/transitions/reject"
    refused = api.post(
        url,
        {"reason": "Hjemsted i Lejre", "ground_conditions": [rules.elsewhere.pk]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 400
    assert "ground_conditions" in str(refused.json())
    assert "not one of this round's conditions" in str(refused.json())
    not_ids = api.post(url, {"reason": "x", "ground_conditions": ["en"]}, format="json")
    assert not_ids.status_code == 400

    done = api.post(
        url,
        {
            "reason": "Hjemsted i Lejre",
            "ground_conditions": [rules.conditions[1].pk],
            **NO_HEARING,
        },
        format="json",
    )
    assert done.status_code == 200, done.json()
    assert Document.objects.get(application=submitted).kind == DocumentKind.REJECTION


def test_the_openapi_schema_describes_the_grounds(world: SimpleNamespace, client: Any) -> None:
    schema = client.get(f"{BASE}/schema", HTTP_ACCEPT="application/json").content.decode()
    import json

    try:
        doc = json.loads(schema)
    except ValueError:  # served as YAML
        import yaml

        doc = yaml.safe_load(schema)
    fields = doc["components"]["schemas"]["TransitionInputRequest"]["properties"]
    assert fields["ground_conditions"]["type"] == "array"
    assert fields["ground_conditions"]["items"]["type"] == "integer"
    assert fields["ground_late"]["type"] == "boolean"
    assert "ground_other" in fields


def test_the_admin_edits_contact_payment_details_and_guidance_per_kind(
    world: SimpleNamespace, as_user: Any
) -> None:
    page = as_user(world.admin).get(f"/admin/cases/municipality/{world.roskilde.pk}/change/")

    html = page.content.decode()
    for name in ("address", "phone", "email", "website", "payee_name", "bank_registration"):
        assert f'name="{name}"' in html
    assert 'name="iban"' in html and 'name="bank_account"' in html
    assert "complaint_texts-0-kind" in html or "complaint_texts-__prefix__-kind" in html


@pytest.mark.parametrize("iban", ["DK5000400440116244", "DK50", "5000400440116243"])
def test_a_wrong_iban_is_refused(iban: str) -> None:
    with pytest.raises(ValidationError):
        validate_iban(iban)
    validate_iban("DK50 0040 0440 1162 43")


def test_the_case_export_holds_every_letter_of_the_case(
    world: SimpleNamespace, draft: Application, rules: SimpleNamespace, tmp_path: Path
) -> None:
    """Partial grant, report returned, repayment claim on one case; a rejection on another."""
    paid = reach(draft, world, S.PAID)
    spent = {"lines": [{"description": "Lektiecafé", "spent": "15000"}]}
    reported = perform(paid, "submit_report", user=world.anna, **report_data(**spent))
    returned = perform(reported, "return_report", user=world.carl, reason="Bilag mangler.")
    again = perform(returned, "submit_report", user=world.anna, **report_data(**spent))
    closed = perform(again, "approve_report", user=world.carl, settlement="repayment", **NO_HEARING)
    other = reach(type(draft).objects.get(pk=_second_draft(world).pk), world, S.SUBMITTED)
    rejected = perform(
        other, "reject", user=world.carl, reason="Ikke socialt arbejde.", **NO_HEARING
    )

    for application, kinds in (
        (closed, {"partial_grant", "report_returned", "repayment_claim"}),
        (rejected, {"rejection"}),
    ):
        target = io.BytesIO()
        case_file_zip(application, target)
        with zipfile.ZipFile(target) as archive:
            letters = [n for n in archive.namelist() if n.startswith("documents/")]
            found = {k for k in kinds for n in letters if f"letter-{k.replace('_', '-')}" in n}
            assert found == kinds, letters
            for name in letters:
                assert archive.read(name).startswith(b"%PDF")


def _second_draft(world: SimpleNamespace) -> Application:
    from tests.factories import ApplicationFactory

    application = ApplicationFactory(round=world.round, association=world.a)
    application.focus_areas.set([world.focus])
    return application
