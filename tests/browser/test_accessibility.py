"""WCAG 2.1 A/AA checks with axe-core (from npm) on the main pages, in chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT, login

# One xdist worker for the browser tests: one demo server and chromium, and the
# modules run in their order on its shared database (conftest.py).
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def violations(page: Any) -> list[str]:
    page.evaluate(Path(AXE).read_text())  # the CSP blocks an injected <script> tag
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
        })"""
    )
    return [
        f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
        for v in result["violations"]
    ]


@pytest.mark.parametrize(
    ("username", "path"),
    [
        (None, "/login/"),
        (None, "/tilgaengelighed/"),
        (None, "/ingen-side-her/"),  # the 404 page
        ("applicant_a", "/applications/"),
        ("applicant_a", "/applications/new/"),
        ("caseofficer", "/rounds/"),
        ("caseofficer", "/flow/"),
    ],
)
def test_pages_have_no_wcag_violations(
    demo_server: str, page: Any, username: str | None, path: str
) -> None:
    if username:
        login(page, demo_server, username)
    page.goto(demo_server + path)
    assert violations(page) == []


def test_the_draft_form_with_errors_has_no_wcag_violations(demo_server: str, page: Any) -> None:
    login(page, demo_server, "applicant_a")
    page.goto(demo_server + "/applications/new/")
    page.fill("#id_title", "Tilgængelighedstest")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#step-indicator")
    page.goto(page.url.split("/edit/")[0] + "/edit/budget/")  # a step of the guided form
    page.fill("#id_amount_requested", "abc")
    page.click("button[name=save]")
    page.wait_for_selector("#id_amount_requested-error")
    assert violations(page) == []
    page.goto(page.url.split("/edit/")[0] + "/")
    assert violations(page) == []
