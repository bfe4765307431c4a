"""The local OpenID Connect provider, and Puljeflow's settings pointing at it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.idp.oidc_provider import CLIENT_ID, CLIENT_SECRET, running_provider

# The Django test client's own address: the provider sends the browser back here.
CALLBACK = "http://testserver/oidc/callback/"

# The provider's people. carl's e-mail is the cast's (tests/factories.py: <name>@example.org).
ACCOUNTS = [
    {"username": "carl", "sub": "carl-at-idp", "email": "carl@example.org"},
    {"username": "anna", "sub": "anna-at-idp", "email": "anna@example.org"},
    {"username": "nn", "sub": "nn-at-idp", "email": "nobody@example.org"},
    {
        "username": "carl-unverified",
        "sub": "carl-unverified-at-idp",
        "email": "carl@example.org",
        "email_verified": False,
    },
    {"username": "carl-again", "sub": "carl-again-at-idp", "email": "carl@example.org"},
]


def provider(*extra: str) -> Any:
    return running_provider(redirect_uris=[CALLBACK], accounts=ACCOUNTS, extra=extra)


@pytest.fixture(scope="session")
def idp() -> Iterator[str]:
    """The municipality's identity provider, as it should behave. Yields its issuer."""
    with provider() as issuer:
        yield issuer


@pytest.fixture
def oidc_on(settings: Any, idp: str) -> str:
    """Puljeflow with the identity provider on, endpoints found by discovery."""
    settings.PULJEFLOW_OIDC_ENABLED = True
    settings.PULJEFLOW_OIDC_ISSUER = idp
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    return idp
