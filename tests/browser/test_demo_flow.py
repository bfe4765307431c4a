"""From the demo data: the applicant applies and submits, the case officer accepts — in chromium."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import login, logout
from .test_guided_application import apply_in_steps

# One xdist worker for the browser tests: one demo server and chromium, and the
# modules run in their order on its shared database (conftest.py).
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_applicant_submits_and_case_officer_accepts(demo_server: str, page: Any) -> None:
    login(page, demo_server, "applicant_a")
    # The guided application, step by step to the receipt (test_guided_application.py).
    case_number = apply_in_steps(page, demo_server, "Lektiecafé i Musicon")
    page.click("#go-to-case")
    assert page.get_attribute("#status", "data-status") == "submitted"
    logout(page)

    login(page, demo_server, "caseofficer")
    page.click("main a[href*='/rounds/']")
    page.click(f"#inbox a:has-text('{case_number}')")
    page.click("a[data-action=accept]")
    page.fill("#id_reason", "Opfylder kriterierne; frivilligbaseret og lokalt.")
    with page.expect_navigation():  # the counts below must read the loaded case page
        page.click("#confirm")
    assert page.get_attribute("#status", "data-status") == "in_council_review"
    assert page.locator("#timeline li[data-transition=accept]").count() == 1
    assert "Opfylder kriterierne" in page.inner_text("#timeline")
