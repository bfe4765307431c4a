"""The associations' voice in chromium (issue 20): applicant_b, whose grants of last year were
decided in the demo data, finds the questionnaire on its home, answers it on a phone (390 px)
after one refused empty try, and is thanked. axe-core (WCAG 2.1 A/AA) on
the questionnaire and the thank-you page at 1366×900 and 390×844."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import DEMO_PASSWORD, login
from .test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
COMMENT = "Budgettet var svært at udfylde på telefonen."


def _decided_case(page: Any, base: str) -> int:
    api = page.request
    token = api.post(
        f"{base}/api/v1/auth/token", data={"username": "applicant_b", "password": DEMO_PASSWORD}
    ).json()["token"]
    headers = {"Authorization": f"Token {token}"}
    for application in api.get(f"{base}/api/v1/applications", headers=headers).json()["results"]:
        state = api.get(f"{base}/api/v1/applications/{application['id']}/feedback", headers=headers)
        if state.ok and state.json()["open"]:
            return int(application["id"])
    raise AssertionError("applicant_b has no decided case with an open questionnaire")


def test_the_association_answers_the_questionnaire_on_a_phone(demo_server: str, page: Any) -> None:
    base = demo_server
    pk = _decided_case(page, base)
    page.set_viewport_size(PHONE)
    login(page, base, "applicant_b")
    home = page.inner_text("main")  # the task on the home (in the browser's language)
    assert "Spørgeskemaer" in home or "Questionnaires" in home
    page.goto(f"{base}/applications/{pk}/")
    page.click("#feedback-link")
    page.wait_for_selector("form[data-keep-input]")
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        assert violations(page) == [], size
    # Sent with nothing answered: refused with the summary at the top, linked to the form.
    page.click("#feedback-send")
    page.wait_for_selector(".alert-error")
    assert page.locator(".alert-error li").count() == 1
    assert violations(page) == []
    page.fill("#id_comment", COMMENT)
    page.check("input[name=ease][value='4']")
    page.check("input[name=time_spent][value=hours_1_3]")
    page.click("#feedback-send")
    page.wait_for_url(f"{base}/applications/{pk}/")
    assert page.locator("#feedback-invitation").count() == 0
    page.goto(f"{base}/applications/{pk}/feedback/")
    page.wait_for_selector("#feedback-thanks")
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        assert violations(page) == [], size
