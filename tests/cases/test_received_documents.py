"""Documents received after submission: with an answer to a question (provide_info), or
registered by the case officer (post, e-mail); checked like every upload, counted in the
case's quota, chained with their SHA-256, listed, downloadable and exported."""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import zipfile
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import override

from cases.documents.exports import case_file_zip
from cases.errors import InvalidInput
from cases.models import Application, ReceivedDocument, TransitionRecord
from cases.services.case_documents import document_register, receive_document
from cases.trail.disclosure import disclosed_records
from cases.trail.verify import verify_trail
from workflows.engine import perform

from ..factories import PDF_BYTES
from ..workflows.support import S, reach

pytestmark = pytest.mark.django_db

ANSWER = "Her er det opdaterede budget."


@pytest.fixture(autouse=True)
def _in_english() -> Any:
    with override("en"):
        yield


@pytest.fixture
def as_user(as_user: Any) -> Any:
    def login(user: Any) -> Any:
        client = as_user(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return login


def pdf(name: str = "budget-2027.pdf", data: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture
def asked(world: SimpleNamespace, draft: Application) -> Application:
    return reach(draft, world, S.INFO_REQUESTED)


@pytest.fixture
def submitted(world: SimpleNamespace, draft: Application) -> Application:
    return reach(draft, world, S.SUBMITTED)


# --- with an answer to a question ---------------------------------------------------------


def test_anna_answers_with_a_document(world: SimpleNamespace, asked: Application) -> None:
    answered = perform(asked, "provide_info", user=world.anna, answer=ANSWER, documents=[pdf()])

    assert answered.status == S.SUBMITTED
    document = ReceivedDocument.objects.get()
    assert (document.original_name, document.received_via) == ("budget-2027.pdf", "answer")
    assert document.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert document.file.read() == PDF_BYTES
    records = list(TransitionRecord.objects.filter(application=asked).order_by("seq"))
    answer, received = records[-2:]
    assert (answer.transition, answer.payload["documents"]) == ("provide_info", ["budget-2027.pdf"])
    assert received.transition == "receive_document"
    assert received.payload["sha256"] == document.sha256
    assert received.payload["document"] == document.pk
    assert verify_trail(Application.objects.filter(pk=asked.pk), scoped=True).problems == []
    # anna sees her own document in her timeline.
    seen = disclosed_records(world.anna, answered, records)
    assert [r.payload.get("sha256") for r in seen if r.transition == "receive_document"] == [
        document.sha256
    ]


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("virus.exe", b"MZ\x90\x00" * 10), "not accepted"),
        (SimpleUploadedFile("budget.pdf", b"not a pdf at all"), "not a PDF file"),
    ],
    ids=["wrong-type", "fake-pdf"],
)
def test_a_bad_file_is_a_field_error_and_nothing_changes(
    world: SimpleNamespace, asked: Application, upload: Any, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        perform(asked, "provide_info", user=world.anna, answer=ANSWER, documents=[upload])
    assert message in " ".join(refused.value.errors["documents"])
    assert Application.objects.get(pk=asked.pk).status == S.INFO_REQUESTED
    assert not ReceivedDocument.objects.exists()


def test_a_file_too_big_is_a_field_error(
    world: SimpleNamespace, asked: Application, settings: Any
) -> None:
    settings.PULJEFLOW_MAX_UPLOAD_BYTES = 100
    with pytest.raises(InvalidInput) as refused:
        perform(asked, "provide_info", user=world.anna, answer=ANSWER, documents=[pdf()])
    assert "the limit is" in " ".join(refused.value.errors["documents"])
    assert not ReceivedDocument.objects.exists()


def test_a_file_over_the_quota_is_a_field_error(
    world: SimpleNamespace, asked: Application, settings: Any
) -> None:
    settings.PULJEFLOW_MAX_ATTACHMENTS = asked.attachments.count() + 1
    with pytest.raises(InvalidInput) as refused:
        perform(
            asked,
            "provide_info",
            user=world.anna,
            answer=ANSWER,
            documents=[pdf("a.pdf"), pdf("b.pdf")],
        )
    assert "at most" in " ".join(refused.value.errors["documents"])
    assert not ReceivedDocument.objects.exists()
    # One fits.
    perform(asked, "provide_info", user=world.anna, answer=ANSWER, documents=[pdf("a.pdf")])
    assert ReceivedDocument.objects.count() == 1


def test_the_answer_page_shows_the_question_and_takes_files(
    world: SimpleNamespace, asked: Application, as_user: Any
) -> None:
    client = as_user(world.anna)
    url = reverse("applications:application_act", args=[asked.pk, "provide_info"])
    page = client.get(url).content.decode()
    assert asked.open_question in page
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file"' in page and "multiple" in page

    refused = client.post(
        url,
        {
            "answer": ANSWER,
            "documents": [SimpleUploadedFile("x.exe", b"MZ" * 20)],
            "seen_status": asked.status,
            "seen_version": asked.version,
        },
    )
    assert refused.status_code == 400
    text = refused.content.decode()
    assert 'id="id_documents-error"' in text
    assert ANSWER in text  # the answer typed is kept
    assert asked.open_question in text

    done = client.post(
        url,
        {
            "answer": ANSWER,
            "documents": [pdf("a.pdf"), pdf("b.pdf")],
            "seen_status": asked.status,
            "seen_version": asked.version,
        },
    )
    assert done.status_code == 302
    assert sorted(ReceivedDocument.objects.values_list("original_name", flat=True)) == [
        "a.pdf",
        "b.pdf",
    ]


# --- registered by the case officer -------------------------------------------------------


def _register(case: Application, user: Any, **kwargs: Any) -> ReceivedDocument:
    values = {
        "upload": pdf("brev.pdf"),
        "received_via": "post",
        "received_on": datetime.date(2026, 11, 30),
        "description": "Brev fra foreningens kasserer med regnskab",
        **kwargs,
    }
    return document_register(application=case, acting_user=user, **values)


def test_carl_registers_a_letter_received_by_post(
    world: SimpleNamespace, submitted: Application, as_user: Any
) -> None:
    document = _register(submitted, world.carl)

    assert (document.received_via, document.received_on) == ("post", datetime.date(2026, 11, 30))
    record = TransitionRecord.objects.filter(application=submitted).order_by("-seq").first()
    assert record is not None and record.transition == "receive_document"
    assert record.payload["sha256"] == document.sha256
    assert record.reason == document.description
    assert verify_trail(Application.objects.filter(pk=submitted.pk), scoped=True).problems == []
    # The staff see and download it; the association does not (not one it sent).
    carl = as_user(world.carl)
    assert (
        "brev.pdf"
        in carl.get(
            reverse("applications:application_detail", args=[submitted.pk])
        ).content.decode()
    )
    download = carl.get(reverse("notes:received_document_download", args=[document.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    anna = as_user(world.anna)
    assert (
        "brev.pdf"
        not in anna.get(
            reverse("applications:application_detail", args=[submitted.pk])
        ).content.decode()
    )
    assert (
        anna.get(reverse("notes:received_document_download", args=[document.pk])).status_code == 404
    )
    assert (
        as_user(world.helle)
        .get(reverse("notes:received_document_download", args=[document.pk]))
        .status_code
        == 404
    )


def test_the_association_downloads_what_it_sent(
    world: SimpleNamespace, asked: Application, as_user: Any
) -> None:
    perform(asked, "provide_info", user=world.anna, answer=ANSWER, documents=[pdf()])
    document = ReceivedDocument.objects.get()
    anna = as_user(world.anna)
    assert (
        "budget-2027.pdf"
        in anna.get(reverse("applications:application_detail", args=[asked.pk])).content.decode()
    )
    assert (
        anna.get(reverse("notes:received_document_download", args=[document.pk])).status_code == 200
    )
    assert (
        as_user(world.bo)
        .get(reverse("notes:received_document_download", args=[document.pk]))
        .status_code
        == 404
    )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"received_via": "answer"}, "received_via"),
        ({"received_on": datetime.date.today() + datetime.timedelta(days=2)}, "received_on"),
        ({"received_on": None}, "received_on"),
        ({"description": " "}, "description"),
        ({"upload": SimpleUploadedFile("a.zip", b"PK\x03\x04" + b"0" * 30)}, "file"),
    ],
    ids=["applicant-channel", "future", "no-date", "no-description", "archive"],
)
def test_registering_refuses_bad_input(
    world: SimpleNamespace, submitted: Application, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        _register(submitted, world.carl, **kwargs)
    assert field in refused.value.message_dict
    assert not ReceivedDocument.objects.exists()


@pytest.mark.parametrize("who", ["anna", "dorte", "erik", "gustav"])
def test_only_the_case_officer_registers(
    world: SimpleNamespace, submitted: Application, who: str
) -> None:
    with pytest.raises(PermissionDenied, match="Only the case officer"):
        _register(submitted, getattr(world, who))
    assert _register(submitted, world.carl)


def test_nothing_is_registered_on_a_draft(world: SimpleNamespace, draft: Application) -> None:
    with pytest.raises(PermissionDenied, match="still a draft"):
        _register(draft, world.carl)
    assert not ReceivedDocument.objects.exists()


def test_the_register_screen(world: SimpleNamespace, submitted: Application, as_user: Any) -> None:
    url = reverse("notes:document_register", args=[submitted.pk])
    carl = as_user(world.carl)
    refused = carl.post(
        url,
        {
            "file": pdf(),
            "received_via": "email",
            "received_on": "2026-11-30",
            "description": "",
        },
    )
    assert refused.status_code == 400
    assert 'id="doc-description-error"' in refused.content.decode()
    future = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    kept = carl.post(
        url,
        {"file": pdf(), "received_via": "email", "received_on": future, "description": "Mail"},
    )
    assert kept.status_code == 400
    assert 'id="doc-received_on-error"' in kept.content.decode()
    assert "Mail" in kept.content.decode()
    done = carl.post(
        url,
        {
            "file": pdf(),
            "received_via": "email",
            "received_on": "2026-11-30",
            "description": "Mail fra formanden",
        },
    )
    assert done.status_code == 302
    assert ReceivedDocument.objects.get().received_via == "email"
    for who, status in (("anna", 403), ("gustav", 403), ("helle", 404)):
        response = as_user(getattr(world, who)).post(
            url,
            {
                "file": pdf(),
                "received_via": "post",
                "received_on": "2026-11-30",
                "description": "x",
            },
        )
        assert response.status_code == status
    assert ReceivedDocument.objects.count() == 1


def test_a_received_document_is_never_changed(
    world: SimpleNamespace, submitted: Application
) -> None:
    from cases.models import AppendOnlyRowError

    document = _register(submitted, world.carl)
    document.description = "noget andet"
    with pytest.raises(AppendOnlyRowError):
        document.save()
    with pytest.raises(AppendOnlyRowError):
        document.delete()


def test_a_received_document_gone_without_retention_breaks_the_trail(
    world: SimpleNamespace, submitted: Application
) -> None:
    from django.db import connection

    from cases.models import AppendOnlyRowError

    document = _register(submitted, world.carl)
    with pytest.raises(AppendOnlyRowError):
        ReceivedDocument.objects.filter(pk=document.pk).delete()
    table = ReceivedDocument._meta.db_table
    with connection.cursor() as cursor:  # behind the model's back
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [document.pk])  # noqa: S608

    problems = verify_trail(Application.objects.filter(pk=submitted.pk), scoped=True).problems

    assert [p.problem for p in problems] == [
        f"the received document {document.pk} it records is gone"
    ]


def test_the_export_holds_the_documents(world: SimpleNamespace, asked: Application) -> None:
    perform(asked, "provide_info", user=world.anna, answer=ANSWER, documents=[pdf()])
    posted = _register(Application.objects.get(pk=asked.pk), world.carl)

    buffer = io.BytesIO()
    case_file_zip(asked, buffer)
    with zipfile.ZipFile(buffer) as archive:
        listed = json.loads(archive.read("received.json"))["documents"]
        assert [d["received_via"] for d in listed] == ["answer", "post"]
        assert listed[1]["sha256"] == posted.sha256
        for entry in listed:
            assert archive.read(entry["file"]) == PDF_BYTES


def test_the_hearing_part_can_receive_a_document(
    world: SimpleNamespace, submitted: Application
) -> None:
    """The service the hearing's answer calls: checked, stored, chained."""
    document = receive_document(submitted, pdf(), by=world.anna, source="hearing", note="Svar")
    record = TransitionRecord.objects.filter(application=submitted).order_by("-seq").first()
    assert record is not None and record.role == "applicant"
    assert record.payload["received_via"] == "hearing"
    assert document.from_applicant
    with pytest.raises(ValidationError):
        receive_document(
            submitted, SimpleUploadedFile("x.exe", b"MZ" * 9), by=world.anna, source="hearing"
        )
