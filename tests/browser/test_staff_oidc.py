"""carl, the demo's case officer, signs in through the municipality's identity provider (a
real OpenID Connect provider on this machine) in chromium, lands on his home, and logs out
of both."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import serve_demo
from tests.idp.oidc_provider import CLIENT_ID, CLIENT_SECRET, running_provider


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def demo_with_idp(tmp_path_factory: Any) -> Iterator[tuple[str, str]]:
    # The provider's port is chosen first: the demo server needs its issuer, the provider
    # the demo server's callback (the demo finds the provider's endpoints at sign-in).
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    with serve_demo(
        tmp_path_factory.mktemp("var"),
        PULJEFLOW_OIDC_ENABLED="1",
        PULJEFLOW_OIDC_ISSUER=issuer,
        PULJEFLOW_OIDC_CLIENT_ID=CLIENT_ID,
        PULJEFLOW_OIDC_CLIENT_SECRET=CLIENT_SECRET,
    ) as base:
        account = {
            "username": "carl",
            "sub": "carl-at-the-municipality",
            "email": "caseofficer@demo.puljeflow.invalid",
        }
        with running_provider(
            redirect_uris=[f"{base}/oidc/callback/"], accounts=[account], port=port
        ) as started:
            assert started == issuer
            yield base, issuer


def test_carl_signs_in_through_the_municipality_login_and_lands_on_his_home(
    browser: Any, demo_with_idp: tuple[str, str]
) -> None:
    base, issuer = demo_with_idp
    context = browser.new_context(locale="da-DK", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(base + "/login/")
    page.get_by_role("link", name="Log ind med kommunens login").click()
    page.wait_for_url(issuer + "/interaction/**")
    page.fill("#username", "carl")
    page.check("input[name=mfa]")
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")
    assert page.locator("main h1").inner_text() == "Mine opgaver"
    page.click("header form[action$='/logout/'] button")
    page.wait_for_url(base + "/login/")
    page.goto(base + "/")
    assert page.url.startswith(base + "/login/")
    context.close()
