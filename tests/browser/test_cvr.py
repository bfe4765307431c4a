"""Issue 18 (CVR) in Debian's chromium: the case officer registers an association by its CVR
number, the name and address filled in from the (local, fake) CVR register; a number the
register does not know leads to typing the details in; the association's representative
sees the register's data and fetches it again. axe finds nothing at 1366×900 or 390×844."""

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


def _contact(page: Any) -> None:
    page.fill("#id_contact_person", "Kim Kontakt")
    page.fill("#id_email", "kim@example.org")
    page.fill("#id_phone", "12 34 56 78")


@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)])
def test_a_case_officer_registers_an_association_by_cvr(
    demo_server: str, browser: Any, width: int, height: int
) -> None:
    page = _page(browser, width, height)
    login(page, demo_server, "caseofficer")
    page.goto(demo_server + "/associations/new/")
    assert violations(page) == []
    cvr = "29990018" if width > 500 else "29990034"
    page.fill("#id_cvr", f"{cvr[:4]} {cvr[4:]}")  # typed with a space, as on a letter
    page.click("#cvr-form button[type=submit]")
    page.wait_for_selector("#cvr-found")
    name = page.input_value("#id_name")
    assert name.startswith("Fiktiv") and page.input_value("#id_cvr") == cvr
    assert page.input_value("#id_postal_code")
    assert violations(page) == []
    # Saving without the contact details is refused beside the fields, keeping the rest.
    page.click("#association-form button[type=submit]")
    assert page.inner_text("#id_contact_person-error")
    assert page.input_value("#id_name") == name
    _contact(page)
    page.click("#association-form button[type=submit]")
    page.wait_for_selector("#association-register")
    assert page.inner_text("main h1") == name
    assert "Hentet fra CVR-registret" in page.inner_text("#association-source")
    assert violations(page) == []
    # The same number again: refused, with a link to the association.
    page.goto(demo_server + "/associations/new/?cvr=" + cvr)
    assert "allerede registreret" in page.inner_text("#id_cvr-error")
    page.click("#cvr-existing a")
    assert page.inner_text("main h1") == name
    page.context.close()


def test_a_cvr_the_register_does_not_know_is_typed_in(demo_server: str, browser: Any) -> None:
    page = _page(browser, 1366, 900)
    login(page, demo_server, "caseofficer")
    page.goto(demo_server + "/associations/new/")
    page.fill("#id_cvr", "39990008")
    page.click("#cvr-form button[type=submit]")
    assert "har ingen virksomhed med dette nummer" in page.inner_text("#cvr-problem")
    assert page.input_value("#id_name") == ""
    assert violations(page) == []
    page.fill("#id_name", "Naboskab i Nord")
    page.fill("#id_address", "Nørregade 4")
    page.fill("#id_postal_code", "4000")
    page.fill("#id_city", "Roskilde")
    _contact(page)
    page.click("#association-form button[type=submit]")
    page.wait_for_selector("#association-register")
    assert page.inner_text("main h1") == "Naboskab i Nord"
    assert "Skrevet ind i hånden" in page.inner_text("#association-source")
    page.context.close()


@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)])
def test_the_representative_sees_and_refreshes_the_register_data(
    demo_server: str, browser: Any, width: int, height: int
) -> None:
    page = _page(browser, width, height)
    login(page, demo_server, "applicant_a")
    page.goto(demo_server + "/applications/")
    page.click("a:has-text('Lektiecaféen Roskilde')")
    page.wait_for_selector("#association-register")
    assert violations(page) == []
    page.click("#cvr-refresh button")
    page.wait_for_selector("#association-source:has-text('Hentet fra CVR-registret')")
    assert "Algade 1, 4000 Roskilde" in page.inner_text("#association-register")
    assert "hentet fra CVR-registret" in page.inner_text("#association-changes")
    assert violations(page) == []
    page.context.close()
