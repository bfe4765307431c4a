"""File notes and documents received, through the API: the same rules as the screens."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Application, FileNote, ReceivedDocument
from cases.trail.verify import verify_trail
from tests.conftest import advance
from tests.factories import PDF_BYTES

pytestmark = pytest.mark.django_db

BASE = "/api/v1"
CALL = "Kassereren ringede om budgettet."
SECRET = "Markør-A9-intern"


@pytest.fixture
def case(world: Any, draft: Application) -> Application:
    return advance(draft, world, "submitted")


def _post_note(client: Any, case: Application, **body: Any) -> Any:
    return client.post(
        f"{BASE}/applications/{case.pk}/notes", {"text": CALL, **body}, format="json"
    )


def test_carl_writes_and_lists_notes(world: Any, api: Any, case: Application) -> None:
    carl = api(world.carl)
    created = _post_note(carl, case, concerns="phone", occurred_on="2026-12-01")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["text"], body["concerns"], body["visible_to_applicant"]) == (CALL, "phone", False)
    assert body["created_at"].endswith(("+01:00", "+02:00"))  # local time

    correction = _post_note(carl, case, text="Rettelse", corrects=body["id"])
    assert correction.status_code == 201
    assert correction.json()["corrects"] == body["id"]

    listed = carl.get(f"{BASE}/applications/{case.pk}/notes").json()["results"]
    assert [n["text"] for n in listed] == [CALL, "Rettelse"]
    assert verify_trail(Application.objects.filter(pk=case.pk), scoped=True).problems == []


def test_the_association_reads_only_visible_notes(world: Any, api: Any, case: Application) -> None:
    carl = api(world.carl)
    _post_note(carl, case, text=SECRET)
    _post_note(carl, case, text="Til foreningen", visible_to_applicant=True)

    listed = api(world.anna).get(f"{BASE}/applications/{case.pk}/notes").json()["results"]
    assert [n["text"] for n in listed] == ["Til foreningen"]
    trail = api(world.anna).get(f"{BASE}/applications/{case.pk}/trail").json()["results"]
    assert SECRET not in str(trail)
    assert "Til foreningen" in str(trail)
    staff_trail = api(world.gustav).get(f"{BASE}/applications/{case.pk}/trail").json()["results"]
    assert SECRET in str(staff_trail)


@pytest.mark.parametrize("who", ["anna", "dorte", "gustav"])
def test_others_cannot_write_notes(world: Any, api: Any, case: Application, who: str) -> None:
    refused = _post_note(api(getattr(world, who)), case)
    assert refused.status_code == 403
    assert refused.json()["detail"]
    assert not FileNote.objects.exists()
    assert _post_note(api(world.carl), case).status_code == 201


def test_another_municipality_gets_404(world: Any, api: Any, case: Application) -> None:
    assert _post_note(api(world.helle), case).status_code == 404
    assert api(world.helle).get(f"{BASE}/applications/{case.pk}/notes").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": 5}, "text"),
        (
            {"occurred_on": (datetime.date.today() + datetime.timedelta(days=3)).isoformat()},
            "occurred_on",
        ),
        ({"occurred_on": "31-12-2026"}, "occurred_on"),
        ({"concerns": "telepathy"}, "concerns"),
        ({"corrects": 999999}, "corrects"),
    ],
    ids=["empty", "not-text", "future", "bad-date", "bad-concerns", "unknown-note"],
)
def test_bad_input_is_a_400_on_the_field(
    world: Any, api: Any, case: Application, body: dict[str, Any], field: str
) -> None:
    refused = _post_note(api(world.carl), case, **body)
    assert refused.status_code == 400
    assert field in refused.json()
    assert not FileNote.objects.exists()


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_note_is_never_changed_through_the_api(
    world: Any, api: Any, case: Application, method: str
) -> None:
    carl = api(world.carl)
    _post_note(carl, case)
    response = getattr(carl, method)(
        f"{BASE}/applications/{case.pk}/notes", {"text": "x"}, format="json"
    )
    assert response.status_code == 405
    assert FileNote.objects.get().text == CALL


def test_carl_registers_a_document_and_anna_answers_with_one(
    world: Any, api: Any, draft: Application
) -> None:
    asked = advance(draft, world, "submitted")
    carl = api(world.carl)
    registered = carl.post(
        f"{BASE}/applications/{asked.pk}/received-documents",
        {
            "file": SimpleUploadedFile("brev.pdf", PDF_BYTES, "application/pdf"),
            "received_via": "post",
            "received_on": "2026-11-30",
            "description": "Brev fra kassereren",
        },
        format="multipart",
    )
    assert registered.status_code == 201, registered.json()
    assert registered.json()["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()

    asked_again = carl.post(
        f"{BASE}/applications/{asked.pk}/transitions/request_info",
        {"question": "Send budgettet"},
        format="json",
    )
    assert asked_again.status_code == 200
    answered = api(world.anna).post(
        f"{BASE}/applications/{asked.pk}/transitions/provide_info",
        {
            "answer": "Her er det",
            "documents": [
                SimpleUploadedFile("budget.pdf", PDF_BYTES, "application/pdf"),
                SimpleUploadedFile("bilag.pdf", PDF_BYTES, "application/pdf"),
            ],
        },
        format="multipart",
    )
    assert answered.status_code == 200, answered.json()
    assert answered.json()["status"] == "submitted"

    mine = api(world.anna).get(f"{BASE}/applications/{asked.pk}/received-documents").json()
    assert sorted(d["name"] for d in mine["results"]) == ["bilag.pdf", "budget.pdf"]
    every = carl.get(f"{BASE}/applications/{asked.pk}/received-documents").json()["results"]
    assert len(every) == 3
    post = ReceivedDocument.objects.get(received_via="post")
    assert api(world.anna).get(f"{BASE}/received-documents/{post.pk}/file").status_code == 404
    download = carl.get(f"{BASE}/received-documents/{post.pk}/file")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert verify_trail(Application.objects.filter(pk=asked.pk), scoped=True).problems == []


def test_provide_info_refuses_a_bad_file(world: Any, api: Any, draft: Application) -> None:
    asked = advance(draft, world, "submitted")
    api(world.carl).post(
        f"{BASE}/applications/{asked.pk}/transitions/request_info",
        {"question": "Send budgettet"},
        format="json",
    )
    refused = api(world.anna).post(
        f"{BASE}/applications/{asked.pk}/transitions/provide_info",
        {"answer": "Her", "documents": [SimpleUploadedFile("x.exe", b"MZ" * 20)]},
        format="multipart",
    )
    assert refused.status_code == 400
    assert "documents" in refused.json()
    assert not ReceivedDocument.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"), [("anna", 403), ("gustav", 403), ("erik", 403), ("helle", 404)]
)
def test_only_the_case_officer_registers(
    world: Any, api: Any, case: Application, who: str, status: int
) -> None:
    response = api(getattr(world, who)).post(
        f"{BASE}/applications/{case.pk}/received-documents",
        {
            "file": SimpleUploadedFile("brev.pdf", PDF_BYTES, "application/pdf"),
            "received_via": "post",
            "received_on": "2026-11-30",
            "description": "Brev",
        },
        format="multipart",
    )
    assert response.status_code == status
    assert not ReceivedDocument.objects.exists()


def test_registering_refuses_a_future_date(world: Any, api: Any, case: Application) -> None:
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    response = api(world.carl).post(
        f"{BASE}/applications/{case.pk}/received-documents",
        {
            "file": SimpleUploadedFile("brev.pdf", PDF_BYTES, "application/pdf"),
            "received_via": "email",
            "received_on": future,
            "description": "Mail",
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert "received_on" in response.json()


def test_the_schema_describes_the_endpoints(client: Any) -> None:
    schema = client.get(f"{BASE}/schema").content.decode()
    for path in (
        "/api/v1/applications/{id}/notes",
        "/api/v1/applications/{id}/received-documents",
        "/api/v1/received-documents/{id}/file",
    ):
        assert path in schema
