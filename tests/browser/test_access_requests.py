"""The register of requests for access in chromium: registering one and the pages it
leads to, checked with axe-core (WCAG 2.1 A/AA), on a phone and a laptop."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import login
from .test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_a_case_officer_registers_a_request_and_the_pages_pass_axe(
    demo_server: str, page: Any, tmp_path: Any
) -> None:
    login(page, demo_server, "caseofficer")
    page.goto(demo_server + "/access-requests/new/")
    assert violations(page) == []
    page.click("main button[type=submit]")  # nothing filled in: the errors, accessible
    page.wait_for_selector(".alert-error")
    assert violations(page) == []
    page.fill("#id_requester_name", "Jens Journalist")
    page.fill("#id_text", "Alle dokumenter i sagen")
    page.check("input[name=applications] >> nth=0")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Jens Journalist")
    assert "/access-requests/" in page.url
    assert violations(page) == []
    page.screenshot(path=str(tmp_path / "detail.png"), full_page=True)
    page.goto(demo_server + "/access-requests/")
    assert violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert violations(page) == []
    page.screenshot(path=str(tmp_path / "list-phone.png"), full_page=True)
