"""The register of requests for access through the API: the same rules as the screens,
every refusal a structured 400/403/404/409, and the endpoints in the OpenAPI schema."""

from __future__ import annotations

import datetime
import hashlib
import io
import zipfile
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.models import AccessRequest, Application, HearingAttachment
from cases.services.meetings import conflict_declare
from tests.factories import PDF_BYTES, ApplicationFactory, FocusAreaFactory
from workflows import engine

BASE = "/api/v1/access-requests"
DECLARATION = "Jeg sidder i bestyrelsen for en forening, der samarbejder med ansøgeren."


def submitted(world: SimpleNamespace, association: Any, grant_round: Any) -> Application:
    application = ApplicationFactory(round=grant_round, association=association)
    application.focus_areas.set([FocusAreaFactory(round=grant_round)])
    user = world.anna if association == world.a else world.bo
    return engine.perform(application, "submit", user=user)


@pytest.fixture
def case(world: SimpleNamespace) -> Application:
    application = submitted(world, world.a, world.round)
    conflict_declare(application=application, member=world.erik, reason=DECLARATION)
    return application


def body(case: Application, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "requester_name": "Jens Journalist",
        "requester_kind": "journalist",
        "received_on": timezone.localdate().isoformat(),
        "scope": "cases",
        "applications": [case.pk],
        "text": "Alle dokumenter",
    }
    data.update(overrides)
    return data


def test_a_case_officer_registers_decides_and_hands_out(
    world: SimpleNamespace, case: Application, api: Any
) -> None:
    carl = api(world.carl)

    created = carl.post(BASE, body(case), format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["applications"] == [case.pk] and created.json()["status"] == "received"

    refused = carl.post(f"{BASE}/{pk}/decide", {"decision": "partial"}, format="json")
    assert refused.status_code == 400 and "reasons" in refused.json()

    decided = carl.post(
        f"{BASE}/{pk}/decide", {"decision": "partial", "reasons": "§ 30, nr. 1"}, format="json"
    )
    assert decided.status_code == 200
    assert "Ankestyrelsen" in decided.json()["complaint_guidance"]  # the default text

    handed = carl.post(f"{BASE}/{pk}/hand-out", {"declarations": "private"}, format="json")
    assert handed.status_code == 200 and handed.json()["status"] == "handed_out"
    again = carl.post(f"{BASE}/{pk}/hand-out", {}, format="json")
    assert again.status_code == 409

    download = carl.get(f"{BASE}/{pk}/export")
    assert download.status_code == 200
    data = b"".join(download.streaming_content)
    assert hashlib.sha256(data).hexdigest() == handed.json()["export_sha256"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        trail = archive.read(f"{case.case_number}/trail.csv").decode()
    assert DECLARATION not in trail and "»[Undtaget, offentlighedslovens § 30, nr. 1]«" in trail


def test_bad_input_is_a_400_on_the_field(
    world: SimpleNamespace, case: Application, api: Any
) -> None:
    other = submitted(world, world.b, world.other_round)
    carl = api(world.carl)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()

    for data, field in (
        (body(case, applications=[other.pk]), "applications"),
        (body(case, received_on=tomorrow), "received_on"),
        (body(case, scope="round", round=world.other_round.pk), "round"),
        (body(case, applications=[999999]), "applications"),
        (body(case, requester_name=5), "requester_name"),
    ):
        response = carl.post(BASE, data, format="json")
        assert response.status_code == 400, (field, response.json())
        assert field in response.json(), (field, response.json())
    assert AccessRequest.objects.count() == 0


def test_who_may_read_and_write(world: SimpleNamespace, case: Application, api: Any) -> None:
    pk = api(world.carl).post(BASE, body(case), format="json").json()["id"]

    for user in (world.anna, world.dorte, world.frida):
        assert api(user).get(BASE).status_code == 403
        assert api(user).post(BASE, body(case), format="json").status_code == 403
    assert api(world.dorte).get(f"{BASE}/{pk}").status_code == 403
    assert api(world.anna).get(f"{BASE}/{pk}").status_code == 404
    assert api(world.helle).get(f"{BASE}/{pk}").status_code == 404
    assert (
        api(world.helle)
        .post(f"{BASE}/{pk}/decide", {"decision": "full"}, format="json")
        .status_code
        == 404
    )
    gustav = api(world.gustav)
    assert gustav.get(BASE).json()["count"] == 1
    assert gustav.get(f"{BASE}/{pk}").status_code == 200
    assert (
        gustav.post(f"{BASE}/{pk}/decide", {"decision": "full"}, format="json").status_code == 403
    )
    assert gustav.post(BASE, body(case), format="json").status_code == 403
    assert api(None).get(BASE).status_code == 401
    # The same request by the one who may: allowed.
    assert (
        api(world.carl).post(f"{BASE}/{pk}/decide", {"decision": "full"}, format="json").status_code
        == 200
    )


def test_the_endpoints_are_in_the_openapi_schema(world: SimpleNamespace, client: Any) -> None:
    text = client.get("/api/v1/schema").content.decode()

    for path in ("", "/{id}", "/{id}/extend", "/{id}/decide", "/{id}/hand-out", "/{id}/export"):
        assert f"/api/v1/access-requests{path}:" in text
    assert "AccessRequestInput" in text and "AccessHandOut" in text


def test_a_hearing_answer_s_file_is_left_out_through_the_api(
    world: SimpleNamespace, case: Application, api: Any
) -> None:
    heard = engine.perform(case, "start_hearing", user=world.carl, facts="Ingen bestyrelse.")
    upload = SimpleUploadedFile("referat.pdf", PDF_BYTES, content_type="application/pdf")
    engine.perform(heard, "answer_hearing", user=world.anna, answer="Jo.", documents=[upload])
    attachment = HearingAttachment.objects.get()
    carl = api(world.carl)
    pk = carl.post(BASE, body(case), format="json").json()["id"]
    assert carl.post(f"{BASE}/{pk}/decide", {"decision": "full"}, format="json").status_code == 200
    item = {"kind": "hearing_attachment", "id": attachment.pk, "ground": "business"}

    wrong = carl.post(
        f"{BASE}/{pk}/hand-out", {"items": [{**item, "id": attachment.pk + 1000}]}, format="json"
    )
    assert wrong.status_code == 400 and "items" in wrong.json()
    handed = carl.post(f"{BASE}/{pk}/hand-out", {"items": [item]}, format="json")

    assert handed.status_code == 200, handed.json()
    assert handed.json()["redactions"]["items"] == [item]
    data = b"".join(carl.get(f"{BASE}/{pk}/export").streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
    assert not [n for n in names if n.endswith("referat.pdf")]
    assert [n for n in names if n.endswith(f"-{attachment.pk}.undtaget.txt")]
