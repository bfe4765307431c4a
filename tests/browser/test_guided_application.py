"""The association applies in steps (issue 17), in chromium at desktop and phone width:
saves and leaves each step, uploads mid-way without losing what was typed, sees the
autosave say "Gemt kl.", reviews, submits and gets the receipt; axe on every step; and
the whole form once by keyboard alone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.factories import PDF_BYTES

from .conftest import login
from .test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PURPOSE = "Hjælp til lektier og et fællesskab efter skole"


@pytest.fixture
def da_page(browser: Any) -> Iterator[Any]:
    """A page of a browser that asks for Danish, as the association's would."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="da-DK")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def serious(page: Any) -> list[str]:
    """axe's findings on the page (the house rule: none at all, serious or not)."""
    return violations(page)


def new_draft(page: Any, base: str, title: str) -> None:
    # From the association's home: "Start ansøgning" on the open round.
    page.goto(base + "/")
    page.click("main a[href*='/applications/new/']")
    page.fill("#id_title", title)
    page.click("main form button[type=submit]")
    page.wait_for_selector("#step-indicator")


def upload(page: Any, kind: str) -> None:
    page.select_option("#id_kind", kind)
    page.set_input_files(
        "#id_file",
        files=[{"name": f"{kind}.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}],
    )
    page.click("#upload-button")
    page.wait_for_selector(f"#attachment-list a:has-text('{kind}.pdf')")


def apply_in_steps(page: Any, base: str, title: str, *, check_axe: bool = False) -> str:
    """From "new application" to the receipt; returns the case number."""
    findings: dict[str, list[str]] = {}
    new_draft(page, base, title)
    assert "/edit/association/" in page.url  # the first step that lacks something

    if check_axe:
        findings["association"] = serious(page)
    page.fill("#id_volunteers", "12")
    page.click("#save-next")

    page.wait_for_selector("#id_purpose")
    if check_axe:
        findings["activity"] = serious(page)
    page.fill("#id_purpose", PURPOSE)
    page.fill("#id_target_group", "Børn 7-14 år i Musicon")
    page.fill("#id_activity_description", "To ugentlige lektiecaféer med frivillige")
    page.click("label[for=id_focus_areas_0]")
    page.click("#save-next")

    page.wait_for_selector("#id_amount_requested")
    if check_axe:
        findings["budget"] = serious(page)
    page.fill("#id_amount_requested", "28000")
    page.fill("#id_lines-0-description", "Materialer")
    page.fill("#id_lines-0-amount", "15000")
    page.fill("#id_lines-1-description", "Udflugter")
    page.fill("#id_lines-1-amount", "10000")
    # A third line at once, without saving first; the budget adds up only with it.
    page.click("#add-budget-line")
    assert page.evaluate("document.activeElement.id") == "id_lines-2-description"
    page.keyboard.type("Transport")
    page.fill("#id_lines-2-amount", "3000")
    page.click("#save-next")

    page.wait_for_selector("#id_kind")
    if check_axe:
        findings["attachments"] = serious(page)
    for kind in ("accounts", "budget", "bylaws"):
        upload(page, kind)
    page.click("#save-next")

    page.wait_for_selector("#id_declaration_correct")
    if check_axe:
        findings["declarations"] = serious(page)
    page.click("label[for=id_declaration_correct]")
    page.click("#save-next")

    page.wait_for_selector("#submit-application")
    assert page.locator("#missing").count() == 0
    assert PURPOSE in page.inner_text("main")  # typed before the uploads, still there
    if check_axe:
        findings["review"] = serious(page)
    page.click("#submit-application")

    page.wait_for_selector("#receipt-banner")
    case_number = page.inner_text("#case-number").strip()
    # "Ansøgningen er sendt. Sagsnummer …" in place of "Udført: Indsend."
    assert case_number in page.inner_text("main .alert-success")
    if check_axe:
        findings["receipt"] = serious(page)
    assert {k: v for k, v in findings.items() if v} == {}
    return case_number


@pytest.mark.parametrize("size", [(1366, 900), (390, 844)], ids=["desktop", "phone"])
def test_the_association_applies_in_steps_and_gets_the_receipt(
    demo_server: str, browser: Any, size: tuple[int, int]
) -> None:
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="da-DK")
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        login(page, demo_server, "applicant_a")
        case_number = apply_in_steps(page, demo_server, f"Lektiecafé {size[0]}", check_axe=True)
        assert re.fullmatch(r"\d{4}-\d{4}", case_number)
        # The case page: submitted, and withdrawing is not the main action.
        assert "Ansøgningen er sendt" in page.inner_text("main")
        page.click("#go-to-case")
        assert page.get_attribute("#status", "data-status") == "submitted"
        assert "button-primary" not in (
            page.get_attribute("a[data-action=withdraw]", "class") or ""
        )
        with page.expect_download() as download:
            page.click("#receipt-link")
        assert download.value.suggested_filename == f"kvittering-{case_number}.pdf"
    finally:
        context.close()


def test_typed_text_survives_a_refused_upload_and_the_autosave_says_when(
    demo_server: str, da_page: Any
) -> None:
    page = da_page
    login(page, demo_server, "applicant_a")
    new_draft(page, demo_server, "Autosave i browseren")
    case_url = page.url.split("/edit/")[0]
    page.goto(case_url + "/edit/activity/")
    page.fill("#id_purpose", "Skrevet og gemt af sig selv")
    page.wait_for_selector("#autosave-status:has-text('Gemt kl.')", timeout=10000)
    assert re.search(r"Gemt kl\. \d{2}\.\d{2}", page.inner_text("#autosave-status"))
    # Left without pressing a button: the text is there when the page is opened again.
    page.reload()
    assert page.input_value("#id_purpose") == "Skrevet og gemt af sig selv"

    page.goto(case_url + "/edit/attachments/")
    page.set_input_files(
        "#id_file",
        files=[{"name": "virus.exe", "mimeType": "application/octet-stream", "buffer": b"MZ\x90"}],
    )
    page.click("#upload-button")
    page.wait_for_selector("#id_file-error")
    assert serious(page) == []  # the error state too
    page.goto(case_url + "/edit/activity/")
    assert page.input_value("#id_purpose") == "Skrevet og gemt af sig selv"


def test_the_whole_form_by_keyboard_alone(demo_server: str, da_page: Any) -> None:
    """Tab, Space, Enter (and the arrow keys of a select) only: every step's fields are
    reached and filled; the file chosen in the dialog the keyboard opened is the one thing
    the test harness sets."""
    page = da_page
    login(page, demo_server, "applicant_a")
    new_draft(page, demo_server, "Med tastaturet")
    keyboard = page.keyboard

    def tab_to(selector: str, limit: int = 80) -> None:
        for _ in range(limit):
            keyboard.press("Tab")
            if page.evaluate(
                "(s) => document.activeElement === document.querySelector(s)", selector
            ):
                return
        raise AssertionError(f"Tab never reached {selector}")

    def choose_file(name: str) -> None:
        # Space opens the file dialog; on a busy machine chromium now and then misses the
        # first key press, so Enter (which opens it too) is tried next. A key press the
        # page took while it was still settling can also move the focus: a try that finds
        # the focus elsewhere goes back to the file field by Tab, as a keyboard user would.
        for key in ("Space", "Enter", "Space", "Enter"):
            if not page.evaluate(
                "(s) => document.activeElement === document.querySelector(s)", "#id_file"
            ):
                tab_to("#id_file")
            try:
                with page.expect_file_chooser(timeout=5000) as chooser:
                    keyboard.press(key)
            except PlaywrightTimeout:
                continue
            chooser.value.set_files(
                files=[{"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}]
            )
            return
        raise AssertionError("the file dialog did not open from the keyboard")

    tab_to("#id_volunteers")
    keyboard.type("8")
    tab_to("#save-next")
    keyboard.press("Enter")
    page.wait_for_selector("#id_purpose")
    for selector, text in (
        ("#id_purpose", "Lektiehjælp"),
        ("#id_target_group", "Børn"),
        ("#id_activity_description", "Ugentlig lektiecafé"),
    ):
        tab_to(selector)
        keyboard.type(text)
    tab_to("#id_focus_areas_0")
    keyboard.press("Space")
    tab_to("#save-next")
    keyboard.press("Enter")
    page.wait_for_selector("#id_amount_requested")
    for selector, text in (
        ("#id_amount_requested", "1.000"),
        ("#id_lines-0-description", "Kaffe"),
        ("#id_lines-0-amount", "1000"),
    ):
        tab_to(selector)
        keyboard.type(text)
    tab_to("#save-next")
    keyboard.press("Enter")
    page.wait_for_selector("#id_kind")
    for position, kind in enumerate(("accounts", "budget", "bylaws")):
        tab_to("#id_kind")
        for _ in range(position):  # a closed select steps through its options by arrow key
            keyboard.press("ArrowDown")
        assert page.input_value("#id_kind") == kind
        tab_to("#id_file")
        choose_file(f"{kind}.pdf")
        tab_to("#upload-button")
        keyboard.press("Enter")
        page.wait_for_selector(f"#attachment-list a:has-text('{kind}.pdf')")
    tab_to("#save-next")
    keyboard.press("Enter")
    page.wait_for_selector("#id_declaration_correct")
    tab_to("#id_declaration_correct")
    keyboard.press("Space")
    tab_to("#save-next")
    keyboard.press("Enter")
    page.wait_for_selector("#submit-application")
    assert page.locator("#missing").count() == 0
    tab_to("#submit-application", limit=200)
    keyboard.press("Enter")
    page.wait_for_selector("#receipt-banner")
