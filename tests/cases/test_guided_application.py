"""The guided application (issue 17): steps that save and leave, the review page that lists
what is missing and submits, labels that follow the submit rule, uploads and autosave that
keep what was typed, and the receipt as page, PDF and e-mail."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases import limits
from cases.completeness import ATTACHMENTS, BUDGET_LINES, missing, required_fields
from cases.models import Application, Body, Meeting
from notifications.models import Kind, Notification
from web.applications import steps
from web.applications.forms import ApplicationForm
from workflows import engine

from ..factories import PDF_BYTES
from ..workflows.support import paper_draft

pytestmark = pytest.mark.django_db


def _set(application: Application, **values: Any) -> None:
    """Change the stored draft (through save(), as the history wants)."""
    fresh = Application.objects.get(pk=application.pk)
    for name, value in values.items():
        setattr(fresh, name, value)
    fresh.save()


def step_url(application: Application, step: str) -> str:
    return reverse("applications:draft_step", args=[application.pk, step])


def autosave_url(application: Application, step: str) -> str:
    return reverse("applications:draft_autosave", args=[application.pk, step])


def activity(application: Application, **overrides: Any) -> dict[str, Any]:
    data = {
        "step": "activity",
        "title": application.title,
        "purpose": "Lektiehjælp efter skole",
        "target_group": "Børn 7-14 år",
        "activity_description": "Ugentlig lektiecafé",
        "participants": "40",
        "focus_areas": [f.pk for f in application.focus_areas.all()],
    }
    data.update(overrides)
    return data


# --- steps ---------------------------------------------------------------------------------


def test_each_step_saves_and_goes_on_to_the_next(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    client = as_user(world.anna)
    response = client.post(step_url(draft, "activity"), {**activity(draft), "next": ""})
    assert response.status_code == 302
    assert response["Location"] == step_url(draft, "budget")
    draft.refresh_from_db()
    assert draft.purpose == "Lektiehjælp efter skole"
    assert draft.participants == 40
    # The last step goes on to the review page.
    response = client.post(
        step_url(draft, "declarations"),
        {"step": "declarations", "declaration_correct": "on", "next": ""},
    )
    assert response["Location"] == reverse("applications:draft_review", args=[draft.pk])


def test_save_draft_stays_and_back_goes_to_the_step_before(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    client = as_user(world.anna)
    response = client.post(
        step_url(draft, "activity"), {**activity(draft, purpose="Ny"), "save": ""}
    )
    assert response["Location"] == step_url(draft, "activity")
    response = client.post(
        step_url(draft, "activity"), {**activity(draft, purpose="Igen"), "back": ""}
    )
    assert response["Location"] == step_url(draft, "association")
    draft.refresh_from_db()
    assert draft.purpose == "Igen"


def test_a_step_leaves_the_other_steps_fields_alone(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    before = (draft.amount_requested, draft.volunteers, draft.declaration_correct)
    as_user(world.anna).post(step_url(draft, "activity"), {**activity(draft), "next": ""})
    draft.refresh_from_db()
    assert (draft.amount_requested, draft.volunteers, draft.declaration_correct) == before
    assert draft.budget_lines.count() > 0


def test_bad_input_on_a_step_is_shown_next_to_the_field_and_nothing_is_saved(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    before = draft.other_funding_note
    response = as_user(world.anna).post(
        step_url(draft, "budget"),
        {
            "step": "budget",
            "amount_requested": "tusind",
            "other_funding": "0",
            "other_funding_note": "Fonden X, ikke afgjort",
            "lines-TOTAL_FORMS": "0",
            "lines-INITIAL_FORMS": "0",
            "next": "",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_amount_requested-error"' in html
    assert "Fonden X, ikke afgjort" in html  # what was typed is shown again
    draft.refresh_from_db()
    assert draft.other_funding_note == before


def test_a_purpose_over_the_limit_is_refused_next_to_the_field(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    response = as_user(world.anna).post(
        step_url(draft, "activity"), {**activity(draft, purpose="x" * 224_000), "next": ""}
    )
    assert response.status_code == 400
    assert 'id="id_purpose-error"' in response.content.decode()
    draft.refresh_from_db()
    assert len(draft.purpose) < limits.TEXT


def test_every_free_text_shows_its_limit_and_a_help_text(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    client = as_user(world.anna)
    for step in steps.STEPS:
        html = client.get(step_url(draft, step.slug)).content.decode()
        for name in step.fields:
            field = ApplicationForm.base_fields[name]
            if getattr(field, "max_length", None):
                assert f'maxlength="{field.max_length}"' in html, name
                hint = re.search(rf'id="id_{name}-hint">([^<]*)<', html)
                assert hint and "tegn" in hint[1] and len(hint[1]) > 20, name


def test_the_edit_link_leads_to_the_first_unfinished_step_or_the_review(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    client = as_user(world.anna)
    url = reverse("applications:application_edit", args=[draft.pk])
    assert client.get(url)["Location"] == reverse("applications:draft_review", args=[draft.pk])
    _set(draft, amount_requested=None)
    assert client.get(url)["Location"] == step_url(draft, "budget")


def test_an_unknown_step_is_404(world: SimpleNamespace, draft: Application, as_user: Any) -> None:
    assert as_user(world.anna).get(step_url(draft, "nowhere")).status_code == 404


# --- the submit rule and the labels ----------------------------------------------------------

#: How each field of the form is left empty (for the rule: missing).
EMPTY: dict[str, Any] = {
    "title": {"title": ""},
    "purpose": {"purpose": ""},
    "target_group": {"target_group": ""},
    "activity_description": {"activity_description": ""},
    "volunteers": {"volunteers": None},
    "members": {"members": None},
    "participants": {"participants": None},
    "amount_requested": {"amount_requested": None},
    "other_funding": {"other_funding": 0},
    "other_funding_note": {"other_funding_note": ""},
    "declaration_correct": {"declaration_correct": False},
    "works_with_children": {"works_with_children": False},
}


def _empty(application: Application, field: str) -> None:
    if field in EMPTY:
        _set(application, **EMPTY[field])
    elif field in ("focus_areas", "target_groups"):
        getattr(application, field).clear()
    elif field == BUDGET_LINES:
        for line in application.budget_lines.all():
            line.delete()
    elif field == ATTACHMENTS:
        for attachment in application.attachments.all():
            attachment.delete()
    else:
        raise AssertionError(f"say how {field} is left empty")


FIELDS = [
    *ApplicationForm.base_fields,
    BUDGET_LINES,
    ATTACHMENTS,
]


@pytest.mark.parametrize("field", [f for f in FIELDS if f != "child_certificates_obtained"])
def test_a_field_is_marked_required_exactly_when_submitting_needs_it(
    world: SimpleNamespace, draft: Application, as_user: Any, field: str
) -> None:
    assert missing(draft) == []
    _empty(draft, field)
    draft = Application.objects.get(pk=draft.pk)
    needed = [m.field for m in missing(draft)]
    html = as_user(world.anna).get(step_url(draft, steps.step_of(field).slug)).content.decode()
    if field in required_fields(world.round):
        assert needed and set(needed) <= {field, BUDGET_LINES}, needed
        assert f'data-required="{field}"' in html
        assert f'data-optional="{field}"' not in html
    else:
        assert needed == []
        assert f'data-required="{field}"' not in html
        if field not in ("declaration_correct",):
            assert f'data-optional="{field}"' in html or field == "works_with_children"


def test_child_certificates_are_required_only_for_work_with_children(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    _set(draft, works_with_children=True, child_certificates_obtained=False)
    assert [m.field for m in missing(Application.objects.get(pk=draft.pk))] == [
        "child_certificates_obtained"
    ]
    html = as_user(world.anna).get(step_url(draft, "declarations")).content.decode()
    # Neither "required" nor "optional": the hint says when.
    assert 'data-required="child_certificates_obtained"' not in html
    assert 'data-optional="child_certificates_obtained"' not in html
    assert "hvis I arbejder med børn" in html


def test_focus_areas_are_optional_in_a_round_without_them(world: SimpleNamespace) -> None:
    assert "focus_areas" in required_fields(world.round)
    assert "focus_areas" not in required_fields(world.other_round)


def test_checkboxes_look_like_checkboxes(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    html = as_user(world.anna).get(step_url(draft, "activity")).content.decode()
    assert 'type="checkbox" name="target_groups"' in html
    assert re.search(r'<input type="checkbox" name="target_groups"[^>]*class="form-checkbox"', html)
    assert "form-radio" not in html


# --- review and submit ------------------------------------------------------------------------


def test_the_review_page_lists_what_is_missing_with_links_to_the_fields(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    _set(draft, purpose="", volunteers=None)
    for attachment in draft.attachments.filter(kind="bylaws"):
        attachment.delete()
    response = as_user(world.anna).get(reverse("applications:draft_review", args=[draft.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{step_url(draft, "activity")}#id_purpose"' in html
    assert f'href="{step_url(draft, "association")}#id_volunteers"' in html
    assert f'href="{step_url(draft, "attachments")}#id_kind"' in html
    assert "Ugentlig lektiecafé" in html or draft.activity_description in html  # the answers


def test_submitting_from_the_review_page_gives_the_receipt(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    client = as_user(world.anna)
    response = client.post(
        reverse("applications:draft_review", args=[draft.pk]),
        {"seen_status": "draft", "seen_version": draft.version},
        follow=True,
    )
    draft.refresh_from_db()
    assert draft.status == "submitted"
    assert response.redirect_chain[-1][0] == reverse(
        "applications:application_receipt", args=[draft.pk]
    )
    html = response.content.decode()
    assert f"Ansøgningen er sendt. Sagsnummer {draft.case_number}." in html
    assert "Udført: Indsend." not in html


def test_a_refused_submit_keeps_everything_and_says_why(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    _set(draft, purpose="")
    draft.refresh_from_db()
    response = as_user(world.anna).post(
        reverse("applications:draft_review", args=[draft.pk]),
        {"seen_status": "draft", "seen_version": draft.version},
    )
    assert response.status_code in (400, 409)
    html = response.content.decode()
    assert 'id="refused"' in html and "formål mangler" in html.lower()
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert draft.activity_description and draft.budget_lines.exists()


def test_the_review_page_is_for_the_drafts_editors(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    url = reverse("applications:draft_review", args=[draft.pk])
    assert as_user(world.bo).get(url).status_code == 404
    assert as_user(world.carl).get(url).status_code == 403
    assert as_user(world.anna).get(url).status_code == 200


# --- uploads keep what was typed --------------------------------------------------------------


def test_an_upload_saves_the_typed_text_first(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    response = as_user(world.anna).post(
        reverse("applications:attachment_upload", args=[draft.pk]),
        {
            **activity(draft, purpose="Skrevet, ikke gemt"),
            "kind": "other",
            "file": SimpleUploadedFile("plan.pdf", PDF_BYTES, "application/pdf"),
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.purpose == "Skrevet, ikke gemt"
    assert draft.attachments.filter(original_name="plan.pdf").exists()


def test_a_refused_upload_keeps_the_typed_text_too(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    response = as_user(world.anna).post(
        reverse("applications:attachment_upload", args=[draft.pk]),
        {
            **activity(draft, purpose="Skrevet før en dårlig fil"),
            "kind": "other",
            "file": SimpleUploadedFile(
                "virus.exe", b"MZ\x90\x00binary", "application/octet-stream"
            ),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_file-error"' in html
    assert "Skrevet før en dårlig fil" in html
    draft.refresh_from_db()
    assert draft.purpose == "Skrevet før en dårlig fil"


# --- autosave ---------------------------------------------------------------------------------


def test_autosave_saves_and_says_when_in_danish_time(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    response = as_user(world.anna).post(
        autosave_url(draft, "activity"), activity(draft, purpose="Gemt af sig selv")
    )
    assert response.status_code == 200
    now = timezone.localtime()
    assert f"Gemt kl. {now:%H}." in response.content.decode()
    draft.refresh_from_db()
    assert draft.purpose == "Gemt af sig selv"


def test_autosave_saves_what_is_valid_and_says_what_is_not(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    response = as_user(world.anna).post(
        autosave_url(draft, "activity"),
        activity(draft, purpose="Det gyldige", participants="mange", title="x" * 5000),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "ikke gemt" in html and "deltagere" in html.lower()
    draft.refresh_from_db()
    assert draft.purpose == "Det gyldige"
    assert draft.participants != "mange" and len(draft.title) < 5000


@pytest.mark.parametrize(
    "data",
    [
        {"volunteers": "1e5", "members": "-3"},
        {"lines-TOTAL_FORMS": "x", "amount_requested": "12.500.50"},
        {"purpose": "\x00", "focus_areas": ["abc", "99999"]},
        {},
    ],
)
def test_autosave_answers_garbage_without_a_500(
    world: SimpleNamespace, draft: Application, as_user: Any, data: dict[str, Any]
) -> None:
    client = as_user(world.anna)
    for step in steps.STEPS:
        response = client.post(autosave_url(draft, step.slug), {"step": step.slug, **data})
        assert response.status_code == 200, (step.slug, response.status_code)


def test_autosave_is_refused_for_others_and_for_a_submitted_case(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    data = activity(draft, purpose="Fremmed")
    assert as_user(world.bo).post(autosave_url(draft, "activity"), data).status_code == 404
    assert as_user(world.carl).post(autosave_url(draft, "activity"), data).status_code == 403
    assert as_user(world.anna).get(autosave_url(draft, "activity")).status_code == 405
    submitted = engine.perform(draft, "submit", user=world.anna)
    assert as_user(world.anna).post(autosave_url(submitted, "activity"), data).status_code == 403
    submitted.refresh_from_db()
    assert submitted.purpose != "Fremmed"


# --- the receipt ------------------------------------------------------------------------------


def _submit(world: SimpleNamespace, draft: Application) -> Application:
    return engine.perform(draft, "submit", user=world.anna)


def test_the_receipt_names_the_case_and_the_planned_dates(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    world.round.council_meeting_date = date(2027, 2, 12)
    world.round.committee_meeting_date = None
    world.round.save()
    submitted = _submit(world, draft)
    html = (
        as_user(world.anna)
        .get(reverse("applications:application_receipt", args=[submitted.pk]))
        .content.decode()
    )
    assert submitted.case_number in html
    assert "12. februar 2027" in html
    assert "datoen er ikke fastsat endnu" in html  # the committee's date
    assert reverse("applications:application_receipt_pdf", args=[submitted.pk]) in html


def test_a_planned_meeting_comes_before_the_rounds_own_date(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    world.round.committee_meeting_date = date(2027, 3, 1)
    world.round.save()
    Meeting.objects.create(round=world.round, body=Body.COMMITTEE, date=date(2027, 3, 8))
    submitted = _submit(world, draft)
    html = (
        as_user(world.anna)
        .get(reverse("applications:application_receipt", args=[submitted.pk]))
        .content.decode()
    )
    assert "8. marts 2027" in html and "1. marts 2027" not in html


def test_a_draft_has_no_receipt_yet(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    for name in ("application_receipt", "application_receipt_pdf"):
        response = as_user(world.anna).get(reverse(f"applications:{name}", args=[draft.pk]))
        assert response["Location"] == reverse("applications:application_detail", args=[draft.pk])


def test_the_receipt_pdf_holds_the_case_number_and_the_dates(
    world: SimpleNamespace, draft: Application, as_user: Any, tmp_path: Path
) -> None:
    assert shutil.which("pdftotext"), "pdftotext is missing: install Debian's poppler-utils"
    world.round.council_meeting_date = date(2027, 2, 12)
    world.round.committee_meeting_date = date(2027, 3, 1)
    world.round.save()
    submitted = _submit(world, draft)
    response = as_user(world.anna).get(
        reverse("applications:application_receipt_pdf", args=[submitted.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"kvittering-{submitted.case_number}.pdf" in response["Content-Disposition"]
    path = tmp_path / "receipt.pdf"
    path.write_bytes(response.content)
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout.split()
    )
    assert submitted.case_number in text
    assert "12. februar 2027" in text and "1. marts 2027" in text
    assert submitted.purpose.split()[0] in text
    # Staff of the municipality may fetch it too; another association may not.
    assert (
        as_user(world.carl)
        .get(reverse("applications:application_receipt_pdf", args=[submitted.pk]))
        .status_code
        == 200
    )
    assert (
        as_user(world.bo)
        .get(reverse("applications:application_receipt_pdf", args=[submitted.pk]))
        .status_code
        == 404
    )


def test_the_receipt_by_e_mail_says_what_happens_next(
    world: SimpleNamespace, draft: Application, mailoutbox: Any
) -> None:
    world.round.council_meeting_date = date(2027, 2, 12)
    world.round.committee_meeting_date = None
    world.round.save()
    submitted = _submit(world, draft)
    mail = Notification.objects.get(kind=Kind.APPLICATION_SUBMITTED, recipient=world.anna)
    for body in (mail.body_text, mail.body_html):
        assert submitted.case_number in body
        assert "12. februar 2027" in body
        assert "datoen er ikke fastsat endnu" in body
        assert "vedhæftet som PDF" in body
    # Sent, it carries the receipt itself: the same PDF the case page offers, in Danish.
    from notifications.delivery import deliver_notification

    deliver_notification(mail.pk)
    sent = next(m for m in mailoutbox if m.to == [world.anna.email])
    [(name, pdf, kind)] = sent.attachments
    assert name == f"kvittering-{submitted.case_number}.pdf" and kind == "application/pdf"
    assert pdf.startswith(b"%PDF")


def test_after_submitting_withdrawing_is_not_the_main_action(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    submitted = _submit(world, draft)
    html = (
        as_user(world.anna)
        .get(reverse("applications:application_detail", args=[submitted.pk]))
        .content.decode()
    )
    withdraw = re.search(r'<a class="([^"]*)"[^>]*data-action="withdraw"', html)
    assert withdraw and "button-primary" not in withdraw[1]
    assert "pf-button-danger" in withdraw[1]
    assert 'id="receipt-link"' in html


def test_a_case_officer_types_in_a_paper_application_in_steps_and_submits_it(
    world: SimpleNamespace, as_user: Any
) -> None:
    paper = paper_draft(world, received_at=timezone.now() - timedelta(days=1))
    client = as_user(world.carl)
    response = client.post(
        step_url(paper, "activity"), {**activity(paper, purpose="Fra papirskemaet"), "next": ""}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("applications:draft_review", args=[paper.pk]),
        {"seen_status": "draft", "seen_version": Application.objects.get(pk=paper.pk).version},
    )
    assert response["Location"] == reverse("applications:application_receipt", args=[paper.pk])
    paper.refresh_from_db()
    assert (paper.status, paper.purpose) == ("submitted", "Fra papirskemaet")
    html = client.get(response["Location"]).content.decode()
    received = timezone.localtime(paper.received_at)
    assert paper.case_number in html and f"kl. {received:%H.%M}" in html  # Danish time
