"""Hand-overs in Debian's chromium (issue 18, item 6): the case officer creates a payment
file from /payouts/, opens the run and a case in it, and journalises the case now; axe
finds no serious or critical problem at 1366×900 or 390×844."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import login
from .test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _page(browser: Any, width: int, height: int) -> Any:
    page = browser.new_context(
        viewport={"width": width, "height": height}, locale="da-DK"
    ).new_page()
    page.set_default_timeout(15000)
    return page


def test_a_case_officer_hands_payouts_to_finance_and_journalises_a_case(
    demo_server: str, browser: Any
) -> None:
    page = _page(browser, 1366, 900)
    login(page, demo_server, "caseofficer")
    page.goto(demo_server + "/payouts/")
    assert "registrerede udbetalinger er ikke sendt til økonomisystemet" in page.inner_text("main")
    page.click("#payment-run-new")
    page.wait_for_selector("h1:has-text('Opret betalingsfil')")
    pending = page.locator("#pending-payouts tbody tr[data-payout]").count()
    assert pending >= 2
    assert page.inner_text("#run-total").endswith("kr.")
    assert violations(page) == []
    page.click("#confirm-run")
    page.wait_for_selector("h1:has-text('Betalingskørsel')")
    assert "er sendt til økonomisystemet" in page.inner_text("main")
    assert page.locator("#run-items tbody tr").count() == pending
    assert violations(page) == []

    with page.expect_download() as download:
        page.click("#run-file")
    with open(download.value.path(), encoding="utf-8") as handed_over:
        first_line = handed_over.readline()
    assert first_line.strip() == "cvr;amount;reference;account;text;payment_date;payout"

    page.goto(demo_server + "/payouts/")
    assert page.locator("#payment-run-list tbody tr[data-run]").count() == 1
    page.click("#payment-run-list tbody tr[data-run] a")
    page.click("#run-items tbody tr td a")
    page.wait_for_selector("#journal")
    page.click("#journal-now")
    page.wait_for_selector("#journal-status:has-text('Journaliseret')")
    assert "reference" in page.inner_text("#journal-status")
    assert violations(page) == []
    page.context.close()


@pytest.mark.parametrize("path", ["/payouts/", "/payouts/runs/new/"])
def test_the_hand_over_screens_on_a_phone(demo_server: str, browser: Any, path: str) -> None:
    page = _page(browser, 390, 844)
    login(page, demo_server, "caseofficer")
    page.goto(demo_server + path)
    assert violations(page) == []
    page.context.close()
