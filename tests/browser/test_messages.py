"""Messages on a case in chromium (issue 17): the case officer asks a question; the
association answers it with a file from the answer page, which shows the question, then
writes a message; the case officer reads both in the thread. axe-core (WCAG 2.1 A/AA) on
each page, at 1366×900 and 390×844."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import PDF_BYTES

from .conftest import DEMO_PASSWORD, login, logout
from .test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

QUESTION = "Hvor mange frivillige er med i lektiecaféen?"
ANSWER = "Vi er tolv frivillige; listen er vedlagt."
MESSAGE = "Vi har fået en ny kasserer. Skal budgettet sendes igen?"
SIZES = ({"width": 1366, "height": 900}, {"width": 390, "height": 844})


def _submitted_case(page: Any, base: str) -> int:
    """applicant_a's application, submitted through the API (the form is not this test's
    subject); its id."""
    api = page.request
    token = api.post(
        f"{base}/api/v1/auth/token",
        data={"username": "applicant_a", "password": DEMO_PASSWORD},
    ).json()["token"]
    headers = {"Authorization": f"Token {token}"}
    association = api.get(f"{base}/api/v1/me", headers=headers).json()["associations"][0]["id"]
    grant_round = api.get(f"{base}/api/v1/rounds", headers=headers).json()["results"][0]
    created = api.post(
        f"{base}/api/v1/applications",
        headers=headers,
        data={
            "round": grant_round["id"],
            "association": association,
            "title": "Lektiecafé i Trekroner",
            "purpose": "Lektiehjælp og fællesskab efter skole",
            "target_group": "Børn 7-14 år",
            "activity_description": "To ugentlige lektiecaféer med frivillige",
            "focus_areas": [grant_round["focus_areas"][0]["id"]],
            "volunteers": 12,
            "amount_requested": "25000.00",
            "other_funding": "0",
            "declarations": {"correct": True},
            "budget_lines": [{"description": "Materialer", "amount": "25000"}],
        },
    )
    assert created.status == 201, created.text()
    pk = created.json()["id"]
    for kind in ("accounts", "budget", "bylaws"):
        uploaded = api.post(
            f"{base}/api/v1/applications/{pk}/attachments",
            headers=headers,
            multipart={
                "kind": kind,
                "file": {"name": f"{kind}.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES},
            },
        )
        assert uploaded.status == 201, uploaded.text()
    submitted = api.post(
        f"{base}/api/v1/applications/{pk}/transitions/submit", headers=headers, data={}
    )
    assert submitted.status in (200, 201), submitted.text()
    return int(pk)


def _axe_at_both_sizes(page: Any) -> None:
    for size in SIZES:
        page.set_viewport_size(size)
        assert violations(page) == [], (page.url, size)
    page.set_viewport_size(SIZES[0])


def test_a_question_answered_with_a_file_and_a_message_reach_the_case_officer(
    demo_server: str, page: Any, tmp_path: Any
) -> None:
    pk = _submitted_case(page, demo_server)
    case_url = f"{demo_server}/applications/{pk}/"

    login(page, demo_server, "caseofficer")
    page.goto(case_url)
    page.click("a[data-action=request_info]")
    page.fill("#id_question", QUESTION)
    page.click("#confirm")
    assert page.get_attribute("#status", "data-status") == "info_requested"
    logout(page)

    login(page, demo_server, "applicant_a")
    page.goto(case_url)
    page.click("a[data-action=provide_info]")
    # The answer page shows the question, who asked and when, and takes files.
    assert QUESTION in page.inner_text("#question")
    assert "Carl" in page.inner_text("#asked-by")
    assert page.get_attribute("main form", "enctype") == "multipart/form-data"
    _axe_at_both_sizes(page)
    page.screenshot(path=str(tmp_path / "answer.png"), full_page=True)
    page.fill("#id_answer", ANSWER)
    page.set_input_files(
        "#id_documents",
        files=[{"name": "frivillige.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}],
    )
    page.click("#confirm")
    page.wait_for_selector("#thread")
    assert page.get_attribute("#status", "data-status") == "submitted"

    # A message without text is stopped beside the field (the page sees it before it is
    # sent: tests/browser/test_message_files.py); then written and sent.
    page.click("#send-message")
    page.wait_for_selector("#message-body-client-error")
    _axe_at_both_sizes(page)
    page.fill("#message-body", MESSAGE)
    page.click("#send-message")
    page.wait_for_selector(f"#thread li[data-kind=message]:has-text('{MESSAGE[:20]}')")
    _axe_at_both_sizes(page)
    page.screenshot(path=str(tmp_path / "thread-association.png"), full_page=True)
    logout(page)

    login(page, demo_server, "caseofficer")
    page.goto(case_url)
    thread = page.inner_text("#thread")
    assert thread.index(QUESTION) < thread.index(ANSWER) < thread.index(MESSAGE)
    assert page.locator("#thread li[data-kind=answer] a:has-text('frivillige.pdf')").count() == 1
    _axe_at_both_sizes(page)
    page.set_viewport_size(SIZES[1])
    page.screenshot(path=str(tmp_path / "thread-case-officer-phone.png"), full_page=True)
