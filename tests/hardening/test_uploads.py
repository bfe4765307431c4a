"""Uploads: type by content, size, archives, zip bombs, programs, polyglots, names, serving."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import override

from cases import uploads
from cases.services import round_exports
from tests.factories import PDF_BYTES

from . import files

pytestmark = pytest.mark.django_db


def refused(name: str, content: bytes) -> str:
    with override("en"), pytest.raises(ValidationError) as caught:
        uploads.check_upload(SimpleUploadedFile(name, content))
    return " ".join(caught.value.messages)


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("regnskab.pdf", PDF_BYTES, "application/pdf"),
        ("link.pdf", files.pdf(), "application/pdf"),
        ("budget.docx", files.docx(), uploads.ALLOWED_TYPES[".docx"]),
        ("felter.docx", files.docx_with_ordinary_fields(), uploads.ALLOWED_TYPES[".docx"]),
        ("budget.xlsx", files.xlsx(), uploads.ALLOWED_TYPES[".xlsx"]),
        ("tekst.xlsx", files.xlsx(b'IF(A1=1,"a|b!","")'), uploads.ALLOWED_TYPES[".xlsx"]),
        ("vedtaegter.odt", files.odt(), uploads.ALLOWED_TYPES[".odt"]),
        ("logo.png", files.png(), "image/png"),
        ("foto.JPG", files.jpeg(), "image/jpeg"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 40 else "",
)
def test_real_documents_and_images_are_accepted(
    name: str, content: bytes, content_type: str
) -> None:
    assert uploads.check_upload(SimpleUploadedFile(name, content)) == content_type


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("faktura.pdf", files.exe(), "it is a program"),
        ("billede.png", files.elf(), "it is a program"),
        ("script.pdf", b"#!/bin/sh\nrm -rf /\n", "it is a program"),
        ("setup.exe", files.exe(), "Programs are not accepted"),
        ("bilag.zip", files.plain_zip(), "Archives (ZIP and the like) are not accepted"),
        ("bilag.docx", files.plain_zip(), "is a ZIP archive, not a DOCX document"),
        ("bilag.pdf", b"\x1f\x8b\x08\x00" + b"\x00" * 40, "is an archive"),
        ("bombe.docx", files.zip_bomb_docx(200), "zip bomb"),
        ("makro.docx", files.docx({"word/vbaProject.bin": b"\x00" * 10}), "contains macros"),
        ("polyglot.pdf", files.pdf_with_zip_appended(), "has data after its end"),
        ("side.pdf", files.pdf_with_html(), "contains scripts or actions"),
        ("js.pdf", files.pdf_with_javascript(), "contains scripts or actions"),
        ("js2.pdf", files.pdf_with_javascript(b"/J#61vaScript"), "contains scripts or actions"),
        # Not a readable PDF (no catalogue): refused as such, whatever it holds.
        ("js3.pdf", files.pdf_with_compressed_javascript(), "cannot be read"),
        ("launch.pdf", files.pdf_with_javascript(b"/Launch"), "contains scripts or actions"),
        ("billede.png", files.png() + files.plain_zip(), "contains another file"),
        ("billede.png", files.png() + b"trailing", "is not a PNG file"),
        ("billede.png", files.png()[:-1] + b"\x00", "is not a PNG file"),
        (
            "foto.jpg",
            files.jpeg() + b"<?php system($_GET[1]); ?>",
            "contains another file or a script",
        ),
        ("foto.jpg", files.jpeg() + b"MORE", "is not a JPG file"),
        ("..\\..\\windows\\evil.pdf", PDF_BYTES, "not a plain file name"),
        ("bad\x07name.pdf", PDF_BYTES, "not a plain file name"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 40 else "",
)
def test_dangerous_files_are_refused_with_a_reason(name: str, content: bytes, message: str) -> None:
    assert message in refused(name, content)


def test_the_size_limit_is_a_setting(settings: Any) -> None:
    settings.PULJEFLOW_MAX_UPLOAD_BYTES = 1024
    assert "the limit is" in refused("stor.pdf", PDF_BYTES + b" " * 2000)
    settings.PULJEFLOW_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    assert uploads.check_upload(SimpleUploadedFile("stor.pdf", PDF_BYTES + b" " * 2000))


def test_names_are_kept_plain() -> None:
    assert uploads.safe_name("..\\..\\evil.pdf") == "evil.pdf"
    assert uploads.safe_name("a/b/../../c\x00d.pdf") == "cd.pdf"
    assert uploads.safe_name("...hidden.pdf") == "hidden.pdf"
    assert uploads.safe_name("Årsregnskab 2025.pdf") == "Årsregnskab 2025.pdf"
    long = uploads.safe_name("x" * 300 + ".pdf")
    assert long.endswith(".pdf") and len(long) <= 120


# --- through the real upload screen ---------------------------------------------------------


def upload(client: Any, application: Any, name: str, content: bytes) -> Any:
    return client.post(
        reverse("applications:attachment_upload", args=[application.pk]),
        {"kind": "other", "file": SimpleUploadedFile(name, content)},
        HTTP_ACCEPT_LANGUAGE="en",
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("stor.pdf", PDF_BYTES + b" " * (11 * 1024 * 1024), "the limit is 10 MB"),
        ("bombe.docx", files.zip_bomb_docx(200), "zip bomb"),
        ("faktura.pdf", files.exe(), "it is a program"),
        ("polyglot.pdf", files.pdf_with_zip_appended(), "has data after its end"),
        ("side.pdf", files.pdf_with_html(), "contains scripts or actions"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 40 else "",
)
def test_the_upload_screen_refuses_with_the_reason_next_to_the_field(
    world: Any, draft: Any, as_user: Any, name: str, content: bytes, message: str
) -> None:
    before = set(draft.attachments.values_list("pk", flat=True))
    response = upload(as_user(world.anna), draft, name, content)
    assert response.status_code == 400
    html = response.content.decode()
    error = html.split('id="id_file-error"', 1)[1].split("</span>", 2)[1]
    assert message in error.replace("&#x27;", "'").replace("&quot;", '"')
    assert set(draft.attachments.values_list("pk", flat=True)) == before


def multipart(filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = "puljeflowtestboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nother\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("name", ["../../../../etc/cron.d/evil.pdf", "..\\..\\boot\\evil.pdf"])
def test_a_path_traversal_name_cannot_leave_the_upload_folder(
    world: Any, draft: Any, as_user: Any, settings: Any, name: str
) -> None:
    # Django's multipart parser already cuts a name to its last part, before our code
    # sees it; the stored path is ours in any case (applications/<id>/<time>-<name>).
    body, content_type = multipart(name, PDF_BYTES)
    client = as_user(world.anna)
    response = client.post(
        reverse("applications:attachment_upload", args=[draft.pk]), body, content_type=content_type
    )
    assert response.status_code == 302
    attachment = draft.attachments.order_by("-pk").first()
    assert attachment.original_name == "evil.pdf"
    assert attachment.file.name.startswith(f"applications/{draft.pk}/")
    assert ".." not in attachment.file.name
    stored = (settings.MEDIA_ROOT / attachment.file.name).resolve()
    assert stored.is_relative_to(settings.MEDIA_ROOT.resolve())


# --- serving --------------------------------------------------------------------------------


def test_a_download_is_an_attachment_that_cannot_render(
    world: Any, draft: Any, as_user: Any
) -> None:
    client = as_user(world.anna)
    assert upload(client, draft, "regnskab.pdf", PDF_BYTES).status_code == 302
    attachment = draft.attachments.order_by("-pk").first()
    response = client.get(reverse("applications:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="regnskab.pdf"' in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_stored_type_outside_the_list_is_served_as_bytes(
    world: Any, draft: Any, as_user: Any
) -> None:
    client = as_user(world.anna)
    upload(client, draft, "regnskab.pdf", PDF_BYTES)
    attachment = draft.attachments.order_by("-pk").first()
    # As if an old row or another path had stored something a browser would render.
    attachment.content_type = "text/html"
    attachment.original_name = 'x"; filename=evil.html\r\nX-Injected: 1'
    attachment.save()
    response = client.get(reverse("applications:attachment_download", args=[attachment.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert b"\r\nX-Injected" not in response.serialize_headers()
    assert not response.has_header("X-Injected")
    assert response["Content-Disposition"].startswith("attachment;")


def test_exports_are_attachments_too(world: Any, as_user: Any) -> None:
    client = as_user(world.carl)
    export, _ = round_exports.request_export(world.round, world.carl, "da")
    round_exports.build(export.pk)
    for url in (
        reverse("audit:round_export_file", args=[export.pk]),
        reverse("audit:round_decisions", args=[world.round.pk]) + "?format=csv",
        reverse("audit:round_decisions", args=[world.round.pk]) + "?format=xlsx",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Disposition"].startswith("attachment;"), url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert "html" not in response["Content-Type"], url


# --- active content, read from the file's structure ---------------------------------------

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound file's signature

ACTIVE = [
    (
        "open.pdf",
        lambda: files.pdf_open_action("JavaScript", JS="app.alert(1)"),
        "contains scripts or actions",
    ),
    ("objstm.pdf", files.pdf_javascript_in_object_stream, "contains scripts or actions"),
    ("launch.pdf", lambda: files.pdf_open_action("Launch", F="cmd.exe"), "scripts or actions"),
    ("bilag.pdf", files.pdf_with_embedded_file, "has other files embedded in it"),
    ("skema.pdf", files.pdf_with_submit_form, "a form that sends data elsewhere"),
    (
        "import.pdf",
        lambda: files.pdf_open_action("ImportData", F="x.fdf"),
        "a form that sends data elsewhere",
    ),
    ("laast.pdf", files.pdf_with_password, "protected by a password"),
    ("stykker.pdf", lambda: b"%PDF-1.7\n1 0 obj<<garbage\n%%EOF\n", "cannot be read"),
    ("skabelon.docx", files.docx_with_remote_template, "fetches content from outside"),
    ("dde.docx", files.docx_with_dde, "DDE fields or formulas"),
    # A part in UTF-16 would slip a document type declaration past a byte search.
    ("utf16.docx", files.docx_with_utf16_entities, "fetches content from outside"),
    ("dde2.docx", lambda: files.docx_with_dde(split=True), "DDE fields or formulas"),
    ("dde.xlsx", lambda: files.xlsx(b"cmd|' /C calc'!A0"), "DDE fields or formulas"),
    ("bombe.docx", files.zip_bomb_of_small_parts, "zip bomb"),
    (
        "kontrol.docx",
        lambda: files.docx({"word/activeX/activeX1.bin": b"\x00" * 10}),
        "controls (ActiveX)",
    ),
    ("makro.xlsx", lambda: files.xlsx(extra={"xl/macrosheets/sheet1.xml": b"<x/>"}), "macros"),
    # Legacy OLE documents (where VBA macros hide in .doc/.xls) are not accepted at all.
    ("gammel.doc", lambda: OLE + b"\x00" * 500, "are not accepted"),
    ("gammel.docx", lambda: OLE + b"\x00" * 500, "is not a DOCX file"),
]


@pytest.mark.parametrize(("name", "build", "message"), ACTIVE, ids=[a[0] for a in ACTIVE])
def test_active_content_is_refused_with_a_reason(name: str, build: Any, message: str) -> None:
    assert message in refused(name, build())


def test_the_bomb_is_small_and_every_part_of_it_is_modest() -> None:
    import zipfile
    from io import BytesIO

    data = files.zip_bomb_of_small_parts()
    members = zipfile.ZipFile(BytesIO(data)).infolist()
    assert len(data) < 120_000
    assert sum(m.file_size for m in members) > 99 * 1_000_000
    assert max(m.file_size for m in members) <= 1_048_576


def test_the_reason_is_in_danish_by_default() -> None:
    with pytest.raises(ValidationError) as caught:
        uploads.check_upload(SimpleUploadedFile("laast.pdf", files.pdf_with_password()))
    assert "kan ikke læses" in " ".join(caught.value.messages)


@pytest.mark.parametrize(
    ("name", "build", "message"),
    [ACTIVE[1], ACTIVE[3], ACTIVE[8], ACTIVE[11]],
    ids=lambda v: v if isinstance(v, str) and len(v) < 40 else "",
)
def test_the_upload_screen_and_the_api_refuse_active_content(
    world: Any, draft: Any, as_user: Any, name: str, build: Any, message: str
) -> None:
    from rest_framework.test import APIClient

    before = set(draft.attachments.values_list("pk", flat=True))
    response = upload(as_user(world.anna), draft, name, build())
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    api = APIClient()
    api.force_authenticate(world.anna)
    response = api.post(
        f"/api/v1/applications/{draft.pk}/attachments",
        {"kind": "other", "file": SimpleUploadedFile(name, build())},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert any(message in m for m in response.json()["file"])
    assert set(draft.attachments.values_list("pk", flat=True)) == before


# --- how much one application may hold ------------------------------------------------------


def _fill(application: Any, count: int, user: Any) -> None:
    from cases.models import Attachment

    existing = application.attachments.count()
    for n in range(count - existing):
        attachment = Attachment(
            application=application,
            kind="other",
            original_name=f"{n}.pdf",
            size=1000,
            uploaded_by=user,
        )
        attachment.file.save(f"{n}.pdf", SimpleUploadedFile(f"{n}.pdf", PDF_BYTES), save=False)
        attachment.save()


def test_the_31st_attachment_is_refused_on_the_screen_and_in_the_api(
    world: Any, draft: Any, as_user: Any, settings: Any
) -> None:
    from rest_framework.test import APIClient

    assert settings.PULJEFLOW_MAX_ATTACHMENTS == 30
    _fill(draft, 29, world.anna)
    client = as_user(world.anna)
    assert upload(client, draft, "nr30.pdf", PDF_BYTES).status_code == 302
    stored = set(draft.attachments.values_list("pk", flat=True))
    assert len(stored) == 30
    response = upload(client, draft, "nr31.pdf", PDF_BYTES)
    assert response.status_code == 400
    error = response.content.decode().split('id="id_file-error"', 1)[1]
    assert "already has 30 attachments, and at most 30 are allowed" in error
    api = APIClient()
    api.force_authenticate(world.anna)
    response = api.post(
        f"/api/v1/applications/{draft.pk}/attachments",
        {"kind": "other", "file": SimpleUploadedFile("nr31.pdf", PDF_BYTES)},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "at most 30 are allowed" in response.json()["file"][0]
    assert set(draft.attachments.values_list("pk", flat=True)) == stored


def test_the_case_officer_of_a_paper_application_meets_the_same_limit(
    world: Any, as_user: Any, settings: Any
) -> None:
    from tests.factories import ApplicationFactory

    paper = ApplicationFactory(round=world.round, association=world.a, registered_by=world.carl)
    most = paper.attachments.count() + 1
    settings.PULJEFLOW_MAX_ATTACHMENTS = most
    client = as_user(world.carl)
    assert upload(client, paper, "sidste.pdf", PDF_BYTES).status_code == 302
    response = upload(client, paper, "en-til.pdf", PDF_BYTES)
    assert response.status_code == 400
    assert f"at most {most} are allowed" in response.content.decode()
    assert paper.attachments.count() == most


def test_the_total_size_is_limited_too(world: Any, draft: Any, as_user: Any, settings: Any) -> None:
    from cases.upload_quota import usage

    count, size = usage(draft)
    settings.PULJEFLOW_MAX_ATTACHMENT_BYTES = size + len(PDF_BYTES) + 10
    client = as_user(world.anna)
    assert upload(client, draft, "lille.pdf", PDF_BYTES).status_code == 302
    response = upload(client, draft, "en-til.pdf", PDF_BYTES)
    assert response.status_code == 400
    assert "MB are allowed" in response.content.decode()
    assert usage(draft)[0] == count + 1


def test_usage_report_attachments_count_towards_the_limit(
    world: Any, draft: Any, settings: Any
) -> None:
    from cases.errors import InvalidInput
    from tests.conftest import advance, report_data
    from workflows import engine

    paid = advance(draft, world, "paid")
    settings.PULJEFLOW_MAX_ATTACHMENTS = paid.attachments.count()
    with override("en"), pytest.raises(InvalidInput) as caught:
        engine.perform(paid, "submit_report", user=world.anna, **report_data())
    assert "at most" in " ".join(caught.value.errors["accounts"])
    settings.PULJEFLOW_MAX_ATTACHMENTS = paid.attachments.count() + 1
    paid.refresh_from_db()
    assert engine.perform(paid, "submit_report", user=world.anna, **report_data())
