"""The thread of a case through the API (issue 17): the same rules as the screens."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Application, CaseMessage, ReceivedDocument
from tests.conftest import advance
from tests.factories import PDF_BYTES
from workflows.engine import perform

pytestmark = pytest.mark.django_db

BASE = "/api/v1"
TEXT = "Vi har et spørgsmål til budgettet."


@pytest.fixture
def case(world: Any, draft: Application) -> Application:
    return advance(draft, world, "submitted")


def _url(case: Application) -> str:
    return f"{BASE}/applications/{case.pk}/messages"


def pdf(name: str = "budget.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def test_the_association_writes_with_files_and_both_read_the_thread(
    world: Any, api: Any, case: Application
) -> None:
    asked = perform(case, "request_info", user=world.carl, question="Hvor mange?")
    created = api(world.anna).post(
        _url(asked), {"body": TEXT, "documents": [pdf("a.pdf"), pdf("b.pdf")]}, format="multipart"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["kind"], body["side"], body["text"]) == ("message", "association", TEXT)
    assert body["at"].endswith(("+01:00", "+02:00"))  # local time
    assert [d["name"] for d in body["documents"]] == ["a.pdf", "b.pdf"]
    assert body["documents"][0]["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()
    assert body["documents"][0]["id"] == ReceivedDocument.objects.order_by("pk").first().pk

    as_json = api(world.carl).post(_url(asked), {"body": "Tak."}, format="json")
    assert as_json.status_code == 201, as_json.json()
    for reader in (world.anna, world.carl, world.gustav):
        listed = api(reader).get(_url(asked))
        assert listed.status_code == 200
        results = listed.json()["results"]
        assert [(e["kind"], e["text"]) for e in results] == [
            ("question", "Hvor mange?"),
            ("message", TEXT),
            ("message", "Tak."),
        ]


def test_readers_who_do_not_write_are_refused_and_outsiders_do_not_see_the_case(
    world: Any, api: Any, case: Application
) -> None:
    for user in (world.erik, world.frida, world.gustav):
        refused = api(user).post(
            _url(case), {"body": TEXT}, format="json", HTTP_ACCEPT_LANGUAGE="en"
        )
        assert refused.status_code == 403
        assert "Only the association's representatives" in refused.json()["detail"]
    for user in (world.bo, world.helle):
        assert api(user).get(_url(case)).status_code == 404
        assert api(user).post(_url(case), {"body": TEXT}, format="json").status_code == 404
    assert api(None).get(_url(case)).status_code == 401
    assert not CaseMessage.objects.exists()
    assert api(world.anna).post(_url(case), {"body": TEXT}, format="json").status_code == 201


def test_bad_input_is_a_structured_400(world: Any, api: Any, case: Application) -> None:
    anna = api(world.anna)
    missing = anna.post(_url(case), {}, format="json")
    assert missing.status_code == 400 and "body" in missing.json()
    blank = anna.post(_url(case), {"body": "   "}, format="json")
    assert blank.status_code == 400 and "body" in blank.json()
    too_long = anna.post(_url(case), {"body": "x" * 20_001}, format="json")
    assert too_long.status_code == 400 and "body" in too_long.json()
    bad_file = anna.post(
        _url(case),
        {"body": TEXT, "documents": [SimpleUploadedFile("x.exe", b"MZ" * 20)]},
        format="multipart",
    )
    assert bad_file.status_code == 400 and "documents" in bad_file.json()
    too_many = anna.post(
        _url(case),
        {"body": TEXT, "documents": [pdf(f"{n}.pdf") for n in range(11)]},
        format="multipart",
    )
    assert too_many.status_code == 400 and "documents" in too_many.json()
    assert not CaseMessage.objects.exists()


def test_a_draft_and_a_finished_case_take_no_messages(
    world: Any, api: Any, draft: Application
) -> None:
    assert api(world.anna).post(_url(draft), {"body": TEXT}, format="json").status_code == 403
    closed = advance(draft, world, "closed")
    refused = api(world.carl).post(
        _url(closed), {"body": TEXT}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 403 and "finished" in refused.json()["detail"]


def test_messages_are_never_changed_nor_deleted(world: Any, api: Any, case: Application) -> None:
    carl = api(world.carl)
    assert carl.patch(_url(case), {"body": "x"}, format="json").status_code == 405
    assert carl.delete(_url(case)).status_code == 405


def test_the_schema_describes_the_thread(api: Any, world: Any) -> None:
    schema = api(world.anna).get(f"{BASE}/schema?format=json").json()
    path = schema["paths"]["/api/v1/applications/{id}/messages"]
    assert set(path) >= {"get", "post"}
    assert "multipart/form-data" in path["post"]["requestBody"]["content"]
    assert "201" in path["post"]["responses"]
