"""The Content-Security-Policy breaks nothing a user sees: chromium reports no violation
on the main pages of each role and in the Django admin."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import login

# One xdist worker for the browser tests: one demo server and chromium, and the
# modules run in their order on its shared database (conftest.py).
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PAGES = {
    "applicant_a": ["/", "/applications/"],
    "caseofficer": ["/", "/rounds/", "/flow/"],
    "admin": ["/admin/", "/admin/cases/application/", "/admin/cases/municipality/"],
}


def test_no_page_violates_the_policy(demo_server: str, page: Any) -> None:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    for username, paths in PAGES.items():
        page.context.clear_cookies()
        login(page, demo_server, username)
        for path in paths:
            response = page.goto(demo_server + path)
            assert response is not None and response.status == 200, path
            page.wait_for_load_state("networkidle")
    assert not violations, "\n".join(violations)
    # The check can see a violation: an inline script is refused and reported.
    page.context.clear_cookies()
    page.goto(demo_server + "/login/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = 1'; document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.injected") is None
    assert violations
