"""The directory of associations in a real browser: the association lists itself from its
home (fill in, preview, publish), an anonymous visitor finds it by search and filter and
reads its page, and the association's withdrawal removes it at once from what the visitor
sees. In Danish, at laptop and phone width, with no WCAG 2.1 A/AA finding on any page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import login
from .test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SIZES = [(1366, 900), (390, 844)]
SLUG = "roskilde-kommune"  # seed_demo's municipality


@pytest.fixture(params=SIZES, ids=["laptop", "phone"])
def size(request: Any) -> tuple[int, int]:
    return request.param


def _context(browser: Any, size: tuple[int, int]) -> Any:
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height}, locale="da-DK")
    context.set_default_timeout(15000)
    return context


@pytest.fixture
def association(browser: Any, size: tuple[int, int]) -> Iterator[Any]:
    context = _context(browser, size)
    yield context.new_page()
    context.close()


@pytest.fixture
def visitor(browser: Any, size: tuple[int, int]) -> Iterator[Any]:
    context = _context(browser, size)
    yield context.new_page()
    context.close()


def _tick(page: Any, field_id: str, on: bool = True) -> None:
    """A DKFDS checkbox: the box drawn is the label's, the input itself is hidden."""
    if page.locator(f"#{field_id}").is_checked() != on:
        page.click(f"label[for={field_id}]")


def _submit(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_an_association_lists_itself_and_a_visitor_finds_it_until_it_withdraws(
    demo_server: str, association: Any, visitor: Any
) -> None:
    page = association
    login(page, demo_server, "applicant_a")
    # From the home: »Vis jer i foreningsoversigten«, then Roskilde's row.
    page.click("main a[id^=directory-]")
    page.wait_for_selector("[data-directory-own]")
    assert violations(page) == []
    page.click(f"[data-municipality={SLUG}] .pf-directory-list-us")
    page.wait_for_selector("#directory-entry-form")
    assert violations(page) == []

    # A refusal keeps what was typed and says why beside the field.
    page.fill("#id_description", "Lektiehjælp for børn og unge hver tirsdag i biblioteket.")
    _tick(page, "id_target_groups_0")  # Børn og unge
    _tick(page, "id_whole_municipality", on=False)
    page.fill("#id_area", "")  # (the second size finds what the first one wrote)
    _submit(page, "#directory-preview")
    assert "Skriv, hvor I arbejder" in page.locator("#id_area-error").inner_text()
    assert "tirsdag" in page.locator("#id_description").input_value()
    assert page.locator("#id_target_groups_0").is_checked()
    assert violations(page) == []

    # The preview: the page as everyone will see it, nothing published yet.
    page.fill("#id_area", "4000 Roskilde")
    _tick(page, "id_seeks_volunteers")
    page.fill("#id_volunteers_text", "Vi søger frivillige til matematik og dansk.")
    _submit(page, "#directory-preview")
    preview = page.locator("[data-directory-preview]")
    assert "4000 Roskilde" in preview.inner_text()
    assert "Søger frivillige" in preview.inner_text()
    assert violations(page) == []
    _submit(page, "#directory-publish")
    assert "Med i oversigten" in page.locator(f"[data-municipality={SLUG}]").inner_text()

    # The visitor: from the municipality's front to the directory, search and filter.
    visitor.goto(f"{demo_server}/{SLUG}/")
    visitor.click("#directory-link")
    visitor.wait_for_selector("[data-directory-list]")
    assert visitor.locator("h1").inner_text() == "Foreningsoversigt"
    assert violations(visitor) == []
    visitor.fill("#id_soeg", "matematik")
    _tick(visitor, "id_frivillige")
    _submit(visitor, "[data-directory-filter] button[type=submit]")
    items = visitor.locator("[data-directory-list] li")
    assert items.count() == 1
    assert "Lektiecaf" in items.first.inner_text()
    assert violations(visitor) == []
    visitor.select_option("#id_maalgruppe", "older")
    _submit(visitor, "[data-directory-filter] button[type=submit]")
    assert "Ingen foreninger passer til søgningen." in visitor.locator("main").inner_text()
    visitor.select_option("#id_maalgruppe", "children")
    _submit(visitor, "[data-directory-filter] button[type=submit]")
    visitor.click("[data-directory-list] li h3 a")
    visitor.wait_for_selector("[data-directory-entry]")
    entry_url = visitor.url
    assert "Vi søger frivillige til matematik og dansk." in visitor.locator("main").inner_text()
    assert violations(visitor) == []

    # The association withdraws, with a confirmation.
    page.click(f"[data-municipality={SLUG}] .pf-directory-withdraw")
    page.wait_for_selector("#directory-withdraw-confirm")
    assert violations(page) == []
    _submit(page, "#directory-withdraw-confirm")
    assert "Trukket tilbage" in page.locator(f"[data-municipality={SLUG}]").inner_text()

    # At once: the visitor's next request no longer shows it anywhere.
    response = visitor.reload()
    assert response.status == 404
    assert "Lektiehjælp" not in visitor.locator("main").inner_text()
    visitor.goto(f"{demo_server}/{SLUG}/foreninger/?soeg=matematik")
    assert visitor.locator("[data-directory-list]").count() == 0
    json_text = visitor.request.get(f"{demo_server}/{SLUG}/foreninger.json").text()
    assert "matematik" not in json_text
    assert visitor.request.get(entry_url).status == 404
