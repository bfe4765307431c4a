"""A message the page can already see is wrong (no text, a file of a type not accepted) is
stopped before it is sent, with the error beside its field — so the files the person chose
are still chosen; put right, the message goes with them (issue 17: nothing chosen is lost)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PDF

from .conftest import login
from .test_accessibility import violations
from .test_bulk_decision import demo_var_dir, manage_shell

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# A case of Besøgsvennerne (the demo's applicant_b) that is open for messages.
CASE = r"""
import json
from django.contrib.auth import get_user_model
from cases.models import Application
from cases.permissions import message_refusal
anna = get_user_model().objects.get(username="applicant_b")
case = next(
    a for a in Application.objects.filter(association__members__user=anna).exclude(status="draft")
    if not message_refusal(anna, a)
)
print(json.dumps({"pk": case.pk}))
"""


def test_a_refusal_the_page_sees_keeps_the_chosen_files(
    demo_server: str, page: Any, tmp_path_factory: Any, tmp_path: Path
) -> None:
    case = manage_shell(demo_var_dir(tmp_path_factory), CASE)["pk"]
    budget = tmp_path / "budget.pdf"
    budget.write_bytes(PDF)
    program = tmp_path / "opdatering.exe"
    program.write_bytes(b"MZ" * 50)

    login(page, demo_server, "applicant_b")
    danish = page.locator("header button[name=language][value=da]")
    if danish.count():
        danish.click()
        page.wait_for_selector("html[lang=da]")
    page.goto(f"{demo_server}/applications/{case}/")
    page.set_input_files("#message-documents", [str(budget), str(program)])
    page.click("#send-message")

    # Stopped on the page: both errors beside their fields, and the files still chosen.
    page.wait_for_selector("#message-body-client-error")
    assert page.inner_text("#message-body-client-error") == "Skriv beskeden."
    assert "opdatering.exe" in page.inner_text("#message-documents-client-error")
    assert "budget.pdf" not in page.inner_text("#message-documents-client-error")
    assert page.evaluate("document.getElementById('message-documents').files.length") == 2
    assert page.evaluate("document.activeElement.id") == "message-body"
    assert violations(page) == []

    # Put right: the text written, the program taken out. The message goes with its file.
    page.fill("#message-body", "Her er det nye budget.")
    page.set_input_files("#message-documents", [str(budget)])
    page.click("#send-message")
    page.wait_for_selector(".alert-success")
    assert "Her er det nye budget." in page.inner_text("main")
    assert "budget.pdf" in page.inner_text("main")
