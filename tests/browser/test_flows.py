"""The flows (issue 20) in Debian's chromium: the case officer opens a quick pool by choosing
its flow in the round form (a § 79 flow for a § 18 round is refused beside the field, what
was typed kept), and the flow chart page shows the quick pool's own path — no council, no
committee; axe finds nothing serious at 1366×900 or 390×844."""

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


def test_a_case_officer_opens_a_quick_pool_and_reads_its_chart(
    demo_server: str, browser: Any
) -> None:
    page = _page(browser, 1366, 900)
    login(page, demo_server, "caseofficer")
    page.goto(demo_server + "/rounds/")
    page.click("#round-new-link")
    assert "Akutpulje" in page.inner_text("#id_flow-hint")
    page.fill("#id_name", "Akutpuljen 2028")
    page.fill("#id_opens_at", "2027-09-01T08:00")
    page.fill("#id_deadline", "2027-10-01T12:00")
    page.fill("#id_pool_amount", "50.000,00")
    page.fill("#id_ceiling_per_application", "5.000,00")
    page.select_option("#id_flow", "older_people")
    page.click("#round-form button[type=submit]")
    assert "§ 79" in page.inner_text("#id_flow-error")
    assert page.input_value("#id_name") == "Akutpuljen 2028"
    assert violations(page) == []
    page.select_option("#id_flow", "quick_pool")
    page.click("#round-form button[type=submit]")
    page.wait_for_selector("h1:has-text('Akutpuljen 2028')")

    page.goto(demo_server + "/flow/")
    page.click("text=Akutpulje")
    assert page.inner_text("#flow-quick_pool") == "Akutpulje"
    chart = page.inner_text("figure.pf-chart >> nth=0")
    assert "Indsendt" in chart or "indsendt" in chart.lower()
    svg = page.inner_html("figure.pf-chart >> nth=0")
    assert "Frivillighedsrådet" not in svg and "udvalg" not in svg.lower()
    assert violations(page) == []
    page.context.close()


@pytest.mark.parametrize("flow", ["quick_pool", "older_people"])
def test_the_flow_charts_on_a_phone(demo_server: str, browser: Any, flow: str) -> None:
    page = _page(browser, 390, 844)
    login(page, demo_server, "caseofficer")
    page.goto(f"{demo_server}/flow/?flow={flow}")
    assert page.locator("figure.pf-chart svg").count() == 2
    assert violations(page) == []
    page.context.close()
