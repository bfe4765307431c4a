"""From the demo data: the applicant applies and submits, the case officer accepts — in chromium."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import PDF_BYTES

from .conftest import login, logout

# One xdist worker for the browser tests: one demo server and chromium, and the
# modules run in their order on its shared database (conftest.py).
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_applicant_submits_and_case_officer_accepts(demo_server: str, page: Any) -> None:
    login(page, demo_server, "applicant_a")
    # From the home: "Start ansøgning" on the open round, for the association.
    page.click("main a[href*='/applications/new/']")
    page.fill("#id_title", "Lektiecafé i Musicon")
    page.click("main form button[type=submit]")

    page.wait_for_selector("#id_purpose")
    page.fill("#id_purpose", "Hjælp til lektier og et fællesskab efter skole")
    page.fill("#id_target_group", "Børn 7-14 år i Musicon")
    page.fill("#id_activity_description", "To ugentlige lektiecaféer med frivillige")
    page.fill("#id_volunteers", "12")
    page.fill("#id_amount_requested", "25000")
    page.click("label[for=id_focus_areas_0]")
    page.click("label[for=id_declaration_correct]")
    page.fill("#id_lines-0-description", "Materialer")
    page.fill("#id_lines-0-amount", "15000")
    page.fill("#id_lines-1-description", "Udflugter")
    page.fill("#id_lines-1-amount", "10000")
    page.click("button[name=save]")
    page.wait_for_selector(".alert-success")

    for kind in ("accounts", "budget", "bylaws"):
        page.select_option("#id_kind", kind)
        page.set_input_files(
            "#id_file",
            files=[{"name": f"{kind}.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}],
        )
        page.click("form[action$='/attachments/'] button[type=submit]")
        page.wait_for_selector(f"a:has-text('{kind}.pdf')")

    page.click("button[name=submit]")
    page.click("#confirm")
    assert page.get_attribute("#status", "data-status") == "submitted"
    case_heading = page.inner_text("main h1")
    case_number = case_heading.split(":")[0]
    logout(page)

    login(page, demo_server, "caseofficer")
    page.click("main a[href*='/rounds/']")
    page.click(f"#inbox a:has-text('{case_number}')")
    page.click("a[data-action=accept]")
    page.fill("#id_reason", "Opfylder kriterierne; frivilligbaseret og lokalt.")
    page.click("#confirm")
    assert page.get_attribute("#status", "data-status") == "in_council_review"
    assert page.locator("#timeline li[data-transition=accept]").count() == 1
    assert "Opfylder kriterierne" in page.inner_text("#timeline")
