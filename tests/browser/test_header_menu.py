"""The header: one line on a 1366 px screen; on a phone the menu folds behind a button."""

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


def test_on_a_phone_the_menu_folds_behind_a_button(demo_server: str, browser: Any) -> None:
    page = _page(browser, 390, 844)
    login(page, demo_server, "caseofficer")

    header = page.evaluate("document.querySelector('.pf-header').getBoundingClientRect().height")
    assert header < 100  # the brand and the button, not half the screen
    assert page.is_visible(".pf-menu-button") and not page.is_visible("#pf-main-nav")
    assert page.get_attribute(".pf-menu-button", "aria-expanded") == "false"

    page.click(".pf-menu-button")

    assert page.is_visible("#pf-main-nav")
    assert page.get_attribute(".pf-menu-button", "aria-expanded") == "true"
    assert page.is_visible("text=Aktindsigt")
    assert violations(page) == []
    page.context.close()


def test_on_a_1366_screen_the_header_is_one_line_without_the_button(
    demo_server: str, browser: Any
) -> None:
    page = _page(browser, 1366, 900)
    login(page, demo_server, "caseofficer")  # the longest menu of the cast

    assert not page.is_visible(".pf-menu-button")

    def tops(selector: str) -> list[float]:
        return page.evaluate(
            f"[...document.querySelectorAll('{selector}')].map(li => li.getBoundingClientRect().top)"
        )

    menu, utility = tops(".pf-nav > li:not(.pf-nav-utility)"), tops(".pf-nav > li.pf-nav-utility")
    assert len(menu) >= 8 and len(utility) == 3  # the cases and the payouts are in the menu
    assert max(menu) - min(menu) < 20, menu  # every link of the menu on one line
    assert max(utility) - min(utility) < 20, utility  # who, »Log ud«, the language: one line
    assert max(utility) < min(menu)  # above the menu
    page.context.close()


def test_on_a_1366_screen_the_chairs_overview_shows_every_column(
    demo_server: str, browser: Any
) -> None:
    """The widest table of the council: nothing to scroll for, the action column in view."""
    page = _page(browser, 1366, 900)
    login(page, demo_server, "council_chair")
    page.goto(demo_server + "/meetings/1/assessments/")  # the demo's council meeting

    region = page.evaluate(
        "(() => { const r = document.querySelector('#assessments').parentElement;"
        " return [r.scrollWidth, r.clientWidth]; })()"
    )
    assert region[0] <= region[1], region  # the table fits its region: no column cut off
    headers = page.evaluate(
        "[...document.querySelectorAll('#assessments thead th')].map(th => th.textContent.trim())"
    )
    assert headers[:2] == ["Punkt", "Indstilling"]
    assert violations(page) == []
    page.context.close()


def test_on_a_1366_screen_the_inbox_shows_every_column(demo_server: str, browser: Any) -> None:
    """The case officer's widest list: the case officer column in view, nothing to scroll."""
    page = _page(browser, 1366, 900)
    login(page, demo_server, "caseofficer")
    page.goto(demo_server + "/cases/")  # every round's cases: the longest rows

    region = page.evaluate(
        "(() => { const r = document.querySelector('#inbox').parentElement;"
        " return [r.scrollWidth, r.clientWidth]; })()"
    )
    assert region[0] <= region[1], region
    assert page.is_visible("#inbox th:has-text('Sagsbehandler')")
    page.context.close()
