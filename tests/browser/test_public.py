"""The public pages as an anonymous visitor sees them, in Danish: the municipality's front,
an open call, the grants register filtered by year and focus area, and the CSV download;
no WCAG 2.1 A/AA finding on any page, at laptop and phone width."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest

from .test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SIZES = [(1366, 900), (390, 844)]
SLUG = "roskilde-kommune"  # seed_demo's municipality, "Roskilde Kommune"


@pytest.fixture(params=SIZES, ids=["laptop", "phone"])
def visitor(browser: Any, request: Any) -> Iterator[Any]:
    width, height = request.param
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="da-DK", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def show(page: Any) -> None:
    """Submit the register's filter and wait for the new page."""
    with page.expect_navigation():
        page.click("[data-register-filter] button[type=submit]")


def test_an_anonymous_visitor_reads_the_calls_and_the_register(
    demo_server: str, visitor: Any
) -> None:
    page = visitor
    page.goto(f"{demo_server}/{SLUG}/")
    assert page.locator("h1").inner_text() == "Roskilde Kommune"
    assert page.locator("#nav-login").inner_text() == "Log ind"  # the header, signed out
    assert violations(page) == []

    # An open call: its texts, the countdown, and »Søg om tilskud« into the sign-in.
    page.click("[data-open-calls] a")
    page.wait_for_selector("[data-call-facts]")
    assert "dage tilbage" in page.locator("[data-countdown]").inner_text()
    assert page.locator("[data-call-decision] li").count() >= 3
    assert page.locator("#apply").inner_text() == "Søg om tilskud"
    assert violations(page) == []
    apply_url = page.locator("#apply").get_attribute("href")
    assert apply_url.startswith("/applications/new/?round=")

    # The register: every grant, then by year and by focus area.
    page.goto(f"{demo_server}/{SLUG}/")
    page.click("#register-link")
    page.wait_for_selector("[data-register-table]")
    assert page.locator("h1").inner_text() == "Tilskudsregister"
    everything = page.locator("[data-register-table] tbody tr").count()
    assert everything >= 2
    assert violations(page) == []
    years = [
        o for o in page.locator("#id_aar option").evaluate_all("os => os.map(o => o.value)") if o
    ]
    page.select_option("#id_aar", years[-1])  # the earliest year
    show(page)
    by_year = page.locator("[data-register-table] tbody tr").count()
    assert 0 < by_year < everything
    assert violations(page) == []
    page.select_option("#id_aar", "")
    show(page)
    shown = page.locator("[data-register-table]").inner_text()
    options = page.locator("#id_fokusomraade option").evaluate_all("os => os.map(o => o.value)")
    area = next(o for o in options if o and o in shown)  # a focus area with grants
    page.select_option("#id_fokusomraade", area)
    show(page)
    assert page.locator("[data-register-table] tbody tr").count() >= 1
    assert page.locator("svg.pf-chart").count() == 2  # per year and per focus area
    assert violations(page) == []

    # The CSV of what is shown: Danish Excel's dialect, the documented field names.
    with page.expect_download() as download:
        page.click("#download-csv")
    text = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["case_number", "association", "title"]
    assert len(rows) - 1 == page.locator("[data-register-table] tbody tr").count()


def test_a_bad_filter_is_explained_beside_the_field(demo_server: str, visitor: Any) -> None:
    visitor.goto(f"{demo_server}/{SLUG}/tilskud/?aar=abc")
    assert "Vælg et år på listen" in visitor.locator("#id_aar-error").inner_text()
    assert violations(visitor) == []
