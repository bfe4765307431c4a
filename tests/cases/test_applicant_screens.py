from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import override

from cases.models import Application, ApplicationStatus, Attachment
from tests.factories import PDF_BYTES, ApplicationFactory

pytestmark = pytest.mark.django_db


def edit_post(application: Application, **overrides: Any) -> dict[str, Any]:
    data = {
        "title": application.title,
        "purpose": "Lektiehjælp",
        "target_group": "Børn",
        "activity_description": "Ugentlig lektiecafé",
        "volunteers": "10",
        "members": "30",
        "participants": "50",
        "amount_requested": "25000",
        "other_funding": "0",
        "declaration_correct": "on",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "50",
        "lines-0-description": "Materialer",
        "lines-0-amount": "15000",
        "lines-1-description": "Udflugt",
        "lines-1-amount": "10000",
    }
    data.update(overrides)
    return data


def test_anna_creates_a_draft_with_a_case_number(world: Any, as_user: Any) -> None:
    client = as_user(world.anna)
    response = client.post(
        reverse("applications:application_new"),
        {"round": world.round.pk, "association": world.a.pk, "title": "Lektiecafé"},
    )
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:application_edit", args=[application.pk])
    assert application.status == ApplicationStatus.DRAFT
    assert application.case_number.endswith("-0001")
    assert application.history.get().history_user == world.anna


def test_anna_cannot_create_a_draft_for_bos_association(world: Any, as_user: Any) -> None:
    response = as_user(world.anna).post(
        reverse("applications:application_new"),
        {"round": world.round.pk, "association": world.b.pk, "title": "Forsøg"},
    )
    assert response.status_code == 400
    assert not Application.objects.exists()
    # The same request by bo, who represents B, is allowed: the refusal came from the rule.
    response = as_user(world.bo).post(
        reverse("applications:application_new"),
        {"round": world.round.pk, "association": world.b.pk, "title": "Forsøg"},
    )
    assert response.status_code == 302


def test_saving_a_draft_records_budget_lines_and_history(
    world: Any, draft: Any, as_user: Any
) -> None:
    response = as_user(world.anna).post(
        reverse("applications:application_edit", args=[draft.pk]),
        edit_post(draft, amount_requested="25000,00"),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.purpose == "Lektiehjælp"
    assert [(b.description, b.amount) for b in draft.budget_lines.all()] == [
        ("Materialer", Decimal("15000")),
        ("Udflugt", Decimal("10000")),
    ]
    assert draft.history.first().history_user == world.anna


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        # The amounts' messages are the one amount rule's (cases.formatting.parse_amount).
        ("amount_requested", "abc", "is not an amount we can read"),
        ("amount_requested", "-5", "The amount cannot be negative."),
        ("volunteers", "-1", "greater than or equal to 0"),
        ("title", "", "This field is required."),
        ("lines-0-amount", "tusind", "is not an amount we can read"),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_lost(
    world: Any, draft: Any, as_user: Any, field: str, value: str, message: str
) -> None:
    before = (draft.purpose, draft.amount_requested, draft.budget_lines.count())
    with override("en"):
        response = as_user(world.anna).post(
            reverse("applications:application_edit", args=[draft.pk]),
            edit_post(draft, purpose="Nyt formål der ikke må gå tabt", **{field: value}),
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 400
    html = response.content.decode()
    # The message sits in the field's own group, linked by aria-describedby.
    field_id = f"id_{field}"
    assert f'id="{field_id}-error"' in html
    assert message in html
    # What the user typed is shown again, and nothing was saved.
    assert "Nyt formål der ikke må gå tabt" in html
    draft.refresh_from_db()
    assert (draft.purpose, draft.amount_requested, draft.budget_lines.count()) == before


def test_a_budget_line_without_amount_is_refused(world: Any, draft: Any, as_user: Any) -> None:
    response = as_user(world.anna).post(
        reverse("applications:application_edit", args=[draft.pk]),
        edit_post(draft, **{"lines-1-amount": ""}),
    )
    assert response.status_code == 400
    assert 'id="id_lines-1-amount-error"' in response.content.decode()


def upload(
    client: Any, application: Application, name: str, content: bytes, kind: str = "other"
) -> Any:
    return client.post(
        reverse("applications:attachment_upload", args=[application.pk]),
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_a_pdf_upload_is_stored_and_downloaded_as_attachment(
    world: Any, draft: Any, as_user: Any
) -> None:
    client = as_user(world.anna)
    response = upload(client, draft, "../../etc/årsregnskab 2025.pdf", PDF_BYTES, kind="accounts")
    assert response.status_code == 302
    attachment = draft.attachments.order_by("-pk").first()
    assert attachment.original_name.endswith("årsregnskab 2025.pdf")
    assert ".." not in attachment.file.name and " " not in attachment.file.name
    download = client.get(reverse("applications:attachment_download", args=[attachment.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == PDF_BYTES


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("program.exe", b"MZ\x90\x00" + b"\x00" * 100, "are not accepted"),
        ("faktura.pdf", b"MZ\x90\x00" + b"\x00" * 100, "is not a PDF file"),
        ("tom.pdf", b"", "The submitted file is empty."),
        ("billede.png", b"%PDF-1.4 not a png", "is not a PNG file"),
        ("regnskab.docx", b"PK\x03\x04 broken zip", "is not a DOCX file"),
    ],
)
def test_a_bad_upload_gets_a_message_and_keeps_what_was_there(
    world: Any, draft: Any, as_user: Any, name: str, content: bytes, message: str
) -> None:
    before = list(draft.attachments.values_list("pk", flat=True))
    with override("en"):
        response = upload(as_user(world.anna), draft, name, content)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_file-error"' in html
    assert message in html
    assert list(draft.attachments.values_list("pk", flat=True)) == before


def test_a_50_mb_upload_is_refused_with_the_limit(world: Any, draft: Any, as_user: Any) -> None:
    big = PDF_BYTES + b"0" * (50 * 1024 * 1024)
    with override("en"):
        response = upload(as_user(world.anna), draft, "stor.pdf", big)
    assert response.status_code == 400
    assert "the limit is 10 MB" in response.content.decode()
    assert not Attachment.objects.filter(original_name="stor.pdf").exists()


def test_attachments_can_only_be_changed_on_a_draft(world: Any, draft: Any, as_user: Any) -> None:
    from workflows import engine

    engine.perform(draft, "submit", user=world.anna)
    attachment = draft.attachments.first()
    client = as_user(world.anna)
    assert upload(client, draft, "ekstra.pdf", PDF_BYTES).status_code == 403
    response = client.post(reverse("applications:attachment_delete", args=[attachment.pk]))
    assert response.status_code == 403
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_submitting_an_incomplete_draft_says_what_is_missing(world: Any, as_user: Any) -> None:
    incomplete = ApplicationFactory(round=world.round, association=world.a, complete=False)
    with override("en"):
        response = as_user(world.anna).post(
            reverse("applications:application_act", args=[incomplete.pk, "submit"]),
            {"seen_status": "draft"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The application is not complete" in html
    assert "at least one budget line is needed" in html
    incomplete.refresh_from_db()
    assert incomplete.status == ApplicationStatus.DRAFT


def test_anna_submits_through_the_screen(world: Any, draft: Any, as_user: Any) -> None:
    client = as_user(world.anna)
    response = client.post(
        reverse("applications:application_act", args=[draft.pk, "submit"]), {"seen_status": "draft"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.SUBMITTED
    detail = client.get(reverse("applications:application_detail", args=[draft.pk]))
    assert 'data-transition="submit"' in detail.content.decode()
    # Once submitted, the draft can no longer be edited.
    assert client.get(reverse("applications:application_edit", args=[draft.pk])).status_code == 403


def test_an_outdated_page_gets_the_moved_on_message(world: Any, draft: Any, as_user: Any) -> None:
    from workflows import engine

    submitted = engine.perform(draft, "submit", user=world.anna)
    client = as_user(world.carl)
    engine.perform(submitted, "accept", user=world.carl)
    with override("en"):
        response = client.post(
            reverse("applications:application_act", args=[draft.pk, "reject"]),
            {"seen_status": "submitted", "reason": "Ikke frivilligt"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 409
    assert "This case has moved on" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.IN_COUNCIL_REVIEW


def test_a_refused_transition_says_why_on_the_page(world: Any, draft: Any, as_user: Any) -> None:
    with override("en"):
        response = as_user(world.anna).post(
            reverse("applications:application_act", args=[draft.pk, "accept"]),
            {"seen_status": "draft"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 403
    assert "You are not allowed to take the action" in response.content.decode()


def test_a_missing_reason_is_shown_next_to_the_field(world: Any, draft: Any, as_user: Any) -> None:
    from workflows import engine

    engine.perform(draft, "submit", user=world.anna)
    with override("en"):
        response = as_user(world.carl).post(
            reverse("applications:application_act", args=[draft.pk, "reject"]),
            {"seen_status": "submitted", "reason": "  "},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 400
    assert 'id="id_reason-error"' in response.content.decode()


def test_an_unknown_action_is_a_404(world: Any, draft: Any, as_user: Any) -> None:
    response = as_user(world.anna).get(
        reverse("applications:application_act", args=[draft.pk, "approve_all"])
    )
    assert response.status_code == 404
