"""An association's person signs in with MitID Erhverv through the local IdP (pysaml2's IdP
side, tests/idp/saml_idp.py) in chromium, with a CVR number Puljeflow has not seen: the
association is made from the (fake) CVR register, the person completes its contact
details, lands on the home and starts an application. Each screen axe-clean at desktop
and phone width. (The lead extends it to the decision letter in Digital Post.)"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.idp.saml_idp import SamlIdp

from .conftest import serve_demo
from .test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NEW_CVR = "29990018"  # known to the fake CVR register, not to the demo data


@pytest.fixture(scope="module")
def nemlogin_demo(tmp_path_factory: Any) -> Iterator[tuple[str, SamlIdp]]:
    var: Path = tmp_path_factory.mktemp("nemlogin-var")
    idp = SamlIdp(var / "idp").start()
    try:
        with serve_demo(var, PULJEFLOW_NEMLOGIN_IDP_METADATA=str(idp.metadata_path)) as base:
            with urllib.request.urlopen(base + "/saml/metadata/", timeout=10) as answer:  # noqa: S310
                idp.trust_sp(answer.read().decode())
            yield base, idp
    finally:
        idp.stop()


def _clean(page: Any) -> None:
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        assert violations(page) == [], page.url


@pytest.fixture
def danish_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="da-DK")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_a_new_association_signs_in_with_mitid_erhverv_and_applies(
    danish_page: Any, nemlogin_demo: tuple[str, SamlIdp]
) -> None:
    page = danish_page
    base, idp = nemlogin_demo
    page.goto(base + "/login/")
    _clean(page)
    page.click("#nemlogin-login")

    # At the IdP: the AuthnRequest was signed and verified; a person of an unseen CVR.
    page.wait_for_selector("#idp-login")
    assert idp.last_authn_query["SigAlg"].endswith("rsa-sha256")
    page.fill("#cvr", NEW_CVR)
    page.fill("#name", "Karen Frivillig")
    page.fill("#email", "karen@example.org")
    page.click("#idp-login")

    # Back at Puljeflow: the association came from the register; its phone is missing.
    page.wait_for_selector("#id_phone")
    assert "Kontaktoplysninger for Fiktiv Strikkecafé Himmelev (demo)" in page.inner_text("h1")
    assert page.input_value("#id_contact_person") == "Karen Frivillig"
    _clean(page)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.fill("#id_phone", "55 44 33 22")
    page.click("main button[type=submit]")

    page.wait_for_selector("#nav-acting-for")
    assert "Fiktiv Strikkecafé Himmelev (demo)" in page.inner_text("#nav-acting-for")
    _clean(page)

    page.goto(base + "/applications/new/")
    _clean(page)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.fill("#id_title", "Lektiehjælp i Eksempelby")
    page.click("main form[data-keep-input] button[type=submit]")
    page.wait_for_url("**/applications/*/edit/**")
    assert page.locator(".alert-success").count() == 1  # "Kladde … oprettet"
    _clean(page)
    page.set_viewport_size({"width": 1366, "height": 900})

    # Logging out goes through the IdP (single logout) and ends on the login page.
    page.click("header form[action$='/logout/'] button")
    page.wait_for_selector("#id_username")
    assert idp.last_logout_request is not None
