"""The case officer's staff screens (issue 17) in Debian's chromium: she searches across
rounds, sorts the inbox, assigns a case to herself and creates a round; axe finds no
serious or critical problem at 1366×900 or 390×844."""

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


def _follow(page: Any, selector: str) -> None:
    # A click that loads a new page returns once the navigation has begun; the rows and
    # headings read next must be the new page's, so wait for it to have loaded.
    with page.expect_navigation():
        page.click(selector)


def _serious(page: Any) -> list[str]:
    # violations() lists every finding; the rule here is none serious or critical, and the
    # project's pages have none of the lesser ones either.
    return violations(page)


def test_a_case_officer_searches_sorts_assigns_and_creates_a_round(
    demo_server: str, browser: Any
) -> None:
    page = _page(browser, 1366, 900)
    login(page, demo_server, "caseofficer")

    page.goto(demo_server + "/rounds/")
    page.click("#case-search-link")
    page.fill("#id_q", "Seniorklubben")
    _follow(page, "#inbox-filters button[type=submit]")
    rows = page.locator("#inbox tbody tr[data-case]")
    assert rows.count() >= 1
    assert all("Seniorklubben" in t for t in rows.all_inner_texts())
    assert "Viser 1–" in page.inner_text("#inbox caption")
    assert _serious(page) == []

    _follow(page, "th[data-sort=amount] a")
    assert page.get_attribute("th[data-sort=amount]", "aria-sort") == "ascending"
    assert "q=Seniorklubben" in page.url  # the search is kept
    _follow(page, "th[data-sort=amount] a")
    assert page.get_attribute("th[data-sort=amount]", "aria-sort") == "descending"

    _follow(page, "#inbox tbody tr[data-case] td a")
    _follow(page, "#assign-me")
    assert "Tildelt: Carl" in page.inner_text("#assigned-to")
    assert _serious(page) == []

    page.goto(demo_server + "/rounds/")
    page.click("#round-new-link")
    page.fill("#id_name", "Foreningspuljen 2028")
    page.fill("#id_opens_at", "2027-09-01T08:00")
    page.fill("#id_deadline", "2027-10-01T12:00")
    page.fill("#id_pool_amount", "0")
    page.fill("#id_focus_areas-0-name", "Ensomhed")
    page.fill("#id_criteria-0-title", "Når aktiviteten nye frivillige?")
    page.click("#round-form button[type=submit]")
    assert "Puljen skal være på mere end 0 kr." in page.inner_text("#id_pool_amount-error")
    assert _serious(page) == []
    page.fill("#id_pool_amount", "250.000,00")
    page.click("#round-form button[type=submit]")
    page.wait_for_selector("h1:has-text('Foreningspuljen 2028')")
    page.context.close()


@pytest.mark.parametrize("path", ["/cases/?sort=-waiting", "/rounds/new/", "/payouts/", "/rounds/"])
def test_the_staff_screens_on_a_phone(demo_server: str, browser: Any, path: str) -> None:
    page = _page(browser, 390, 844)
    login(page, demo_server, "caseofficer")
    page.goto(demo_server + path)
    assert _serious(page) == []
    page.context.close()
