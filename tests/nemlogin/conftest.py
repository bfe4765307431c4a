"""The local identity provider (tests/idp/saml_idp.py) and the redirect dance with it.

The SP's key pair is made once per test session; the IdP's per test (its own directory
under the test's tmp_path). The Django test client is the browser: it follows our
redirect to the IdP over real HTTP, fills the IdP's form, and posts the signed answer
back to /saml/acs/.
"""

from __future__ import annotations

import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from accounts.nemlogin.keys import make_key_pair
from tests.idp.saml_idp import SamlIdp, _hidden_fields

CVR_IN_FAKE = "29990018"  # the fake CVR register knows it (cases/registers/cvr_fake_companies.json)


@pytest.fixture(scope="session")
def sp_keys(tmp_path_factory: Any) -> tuple[Path, Path]:
    directory = tmp_path_factory.mktemp("sp")
    key, cert = directory / "sp.key", directory / "sp.crt"
    make_key_pair(key, cert, "puljeflow-test-sp")
    return key, cert


@pytest.fixture(scope="session")
def idp_keys(tmp_path_factory: Any) -> tuple[Path, Path]:
    directory = tmp_path_factory.mktemp("idp-keys")
    key, cert = directory / "idp.key", directory / "idp.crt"
    make_key_pair(key, cert, "puljeflow-test-idp")
    return key, cert


@pytest.fixture
def saml_idp(
    tmp_path: Path,
    settings: Any,
    sp_keys: tuple[Path, Path],
    idp_keys: tuple[Path, Path],
    client: Any,
) -> Iterator[SamlIdp]:
    idp = SamlIdp(tmp_path / "idp", keys=idp_keys).start()
    settings.PULJEFLOW_NEMLOGIN_IDP_METADATA = str(idp.metadata_path)
    settings.PULJEFLOW_NEMLOGIN_BASE_URL = "http://testserver"
    settings.PULJEFLOW_NEMLOGIN_SP_ENTITY_ID = ""
    settings.PULJEFLOW_NEMLOGIN_KEY_FILE = str(sp_keys[0])
    settings.PULJEFLOW_NEMLOGIN_CERT_FILE = str(sp_keys[1])
    settings.PULJEFLOW_NEMLOGIN_LOA = "Substantial"
    cache.clear()
    metadata = client.get("/saml/metadata/")
    assert metadata.status_code == 200
    idp.trust_sp(metadata.content.decode())
    yield idp
    idp.stop()


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - our local IdP
        return answer.read().decode()


def _post(url: str, fields: dict[str, str]) -> str:
    data = urllib.parse.urlencode(fields).encode()
    with urllib.request.urlopen(url, data=data, timeout=10) as answer:  # noqa: S310
        return answer.read().decode()


def start_login(client: Any, next_url: str = "") -> str:
    """Our login view's redirect to the IdP: the AuthnRequest URL."""
    response = client.get("/saml/login/" + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302, response.content
    return str(response["Location"])


def idp_answer(idp: SamlIdp, authn_url: str, **login: str) -> tuple[str, dict[str, str]]:
    """At the IdP: open the login page, submit the form; the auto-posting answer's fields."""
    page = _get(authn_url)
    fields = dict(_hidden_fields(page))
    assert "key" in fields, page
    form = {"key": fields["key"], "cvr": CVR_IN_FAKE, "name": "Karen Frivillig"}
    form |= {"email": "karen@example.org", "loa": "Substantial", "subject": ""}
    form |= login
    answer = _post(f"{idp.base_url}/sso/login", form)
    action = answer.split('action="', 1)[1].split('"', 1)[0]
    return action, dict(_hidden_fields(answer))


def sign_in(client: Any, idp: SamlIdp, next_url: str = "", **login: str) -> Any:
    """The whole dance; returns our ACS's answer (and keeps the posted fields on it)."""
    action, fields = idp_answer(idp, start_login(client, next_url), **login)
    assert urllib.parse.urlsplit(action).path == "/saml/acs/"
    response = client.post("/saml/acs/", fields)
    response.saml_fields = fields
    return response
