"""Every way a sign-in through the identity provider is refused gets a page saying what to
do and an ``oidc_refused`` line in the security log, and logs nobody in. The tokens come
from real providers: one whose keys Puljeflow does not trust, one naming another audience,
one whose ID tokens have expired."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import ExternalIdentity
from tests.idp.oidc_provider import log_in_at_provider
from tests.oidc.conftest import provider

pytestmark = pytest.mark.django_db


def callback_from(client: Any, username: str) -> str:
    response = client.get(reverse("oidc:authenticate"))
    return log_in_at_provider(response["Location"], username, mfa=True).removeprefix(
        "http://testserver"
    )


def assert_refused(response: Any, client: Any, caplog: Any, reason: str, status: int = 403) -> None:
    assert response.status_code == status
    assert "_auth_user_id" not in client.session
    lines = [r.getMessage() for r in caplog.records if r.name == "puljeflow.security"]
    assert any("oidc_refused" in line and f"reason={reason} " in line for line in lines), lines


@pytest.fixture
def security_log(caplog: Any) -> Iterator[Any]:
    with caplog.at_level(logging.WARNING, logger="puljeflow.security"):
        yield caplog


@pytest.fixture(scope="module")
def other_keys_idp() -> Iterator[str]:
    """A second provider: a key of the same id, but not the same key."""
    with provider() as issuer:
        yield issuer


def test_a_token_signed_by_another_key_is_refused(
    client: Any,
    world: SimpleNamespace,
    oidc_on: str,
    other_keys_idp: str,
    settings: Any,
    security_log: Any,
) -> None:
    settings.OIDC_OP_JWKS_ENDPOINT = f"{other_keys_idp}/jwks"
    response = client.get(callback_from(client, "carl"))
    assert_refused(response, client, security_log, "bad_signature")
    assert "Start forfra" in response.content.decode()
    assert not ExternalIdentity.objects.exists()


def test_a_token_for_another_audience_is_refused(
    client: Any, world: SimpleNamespace, settings: Any, security_log: Any
) -> None:
    with provider("--id-token-audience", "another-application") as issuer:
        settings.PULJEFLOW_OIDC_ENABLED = True
        settings.PULJEFLOW_OIDC_ISSUER = issuer
        settings.OIDC_RP_CLIENT_ID = "puljeflow"
        settings.OIDC_RP_CLIENT_SECRET = "puljeflow-test-secret"
        response = client.get(callback_from(client, "carl"))
    assert_refused(response, client, security_log, "wrong_audience")


def test_an_expired_token_is_refused(
    client: Any, world: SimpleNamespace, settings: Any, security_log: Any
) -> None:
    # Ten minutes past its expiry: well beyond the leeway for clocks (a minute).
    with provider("--id-token-expired", "600") as issuer:
        settings.PULJEFLOW_OIDC_ENABLED = True
        settings.PULJEFLOW_OIDC_ISSUER = issuer
        settings.OIDC_RP_CLIENT_ID = "puljeflow"
        settings.OIDC_RP_CLIENT_SECRET = "puljeflow-test-secret"
        response = client.get(callback_from(client, "carl"))
    assert_refused(response, client, security_log, "expired")


def test_a_replayed_answer_is_refused(
    client: Any, world: SimpleNamespace, oidc_on: str, security_log: Any, django_user_model: Any
) -> None:
    back = callback_from(client, "carl")
    assert client.get(back)["Location"] == reverse("home:home")
    client.logout()
    # The same answer again (the state was spent), in this browser or another one.
    assert_refused(client.get(back), client, security_log, "unknown_state")
    other = type(client)()
    response = other.get(back)
    assert response.status_code == 403 and "_auth_user_id" not in other.session


def test_a_code_used_once_is_refused_with_a_fresh_state(
    client: Any, world: SimpleNamespace, oidc_on: str, security_log: Any
) -> None:
    back = callback_from(client, "carl")
    client.get(back)
    client.logout()
    # An attacker's own fresh sign-in, carrying the code already used: the provider says no.
    start = client.get(reverse("oidc:authenticate"))
    state = start["Location"].split("state=", 1)[1].split("&", 1)[0]
    code = back.split("code=", 1)[1].split("&", 1)[0]
    response = client.get(reverse("oidc:callback"), {"code": code, "state": state})
    assert_refused(response, client, security_log, "token_refused")


def test_an_answer_without_a_sign_in_started_here_is_refused(
    client: Any, oidc_on: str, security_log: Any
) -> None:
    response = client.get(reverse("oidc:callback"), {"code": "abc", "state": "forged"})
    assert_refused(response, client, security_log, "unknown_state")


def test_an_inactive_user_is_refused_at_the_first_and_later_sign_ins(
    client: Any, world: SimpleNamespace, oidc_on: str, security_log: Any
) -> None:
    world.carl.is_active = False
    world.carl.save()
    response = client.get(callback_from(client, "carl"))
    assert_refused(response, client, security_log, "inactive")
    assert "ikke aktiv" in response.content.decode()
    world.carl.is_active = True
    world.carl.save()
    client.get(callback_from(client, "carl"))
    client.logout()
    world.carl.is_active = False
    world.carl.save()
    # Found by issuer and subject now, and still refused.
    assert_refused(client.get(callback_from(client, "carl")), client, security_log, "inactive")


def test_an_association_user_is_not_a_staff_user(
    client: Any, world: SimpleNamespace, oidc_on: str, security_log: Any
) -> None:
    assert_refused(client.get(callback_from(client, "anna")), client, security_log, "no_account")


def test_an_unverified_email_links_nobody(
    client: Any, world: SimpleNamespace, oidc_on: str, security_log: Any
) -> None:
    response = client.get(callback_from(client, "carl-unverified"))
    assert_refused(response, client, security_log, "no_account")
    assert not ExternalIdentity.objects.exists()


def test_a_second_provider_account_cannot_take_over_a_linked_user(
    client: Any, world: SimpleNamespace, oidc_on: str, security_log: Any
) -> None:
    client.get(callback_from(client, "carl"))
    client.logout()
    response = client.get(callback_from(client, "carl-again"))
    assert_refused(response, client, security_log, "linked_elsewhere")
    assert ExternalIdentity.objects.count() == 1


def test_an_unreachable_provider_gets_a_clear_page(
    client: Any, settings: Any, security_log: Any
) -> None:
    settings.PULJEFLOW_OIDC_ENABLED = True
    settings.PULJEFLOW_OIDC_ISSUER = "http://127.0.0.1:9"  # discard port: nothing listens
    response = client.get(reverse("oidc:authenticate"))
    assert_refused(response, client, security_log, "unavailable", status=503)
    assert "Kommunens login kan ikke nås" in response.content.decode()


def test_a_sign_in_started_too_long_ago_is_refused(
    client: Any, world: SimpleNamespace, oidc_on: str, security_log: Any
) -> None:
    back = callback_from(client, "carl")
    session = client.session
    for entry in session["oidc_states"].values():
        entry["added_on"] -= 16 * 60
    session.save()
    assert_refused(client.get(back), client, security_log, "stale_state")


def test_the_provider_s_own_refusal_spends_the_state(
    client: Any, oidc_on: str, security_log: Any
) -> None:
    start = client.get(reverse("oidc:authenticate"))
    state = start["Location"].split("state=", 1)[1].split("&", 1)[0]
    response = client.get(reverse("oidc:callback"), {"error": "access_denied", "state": state})
    assert_refused(response, client, security_log, "provider_error")
    assert state not in client.session["oidc_states"]


def test_a_token_whose_nonce_is_not_this_sign_in_s_is_refused(
    client: Any, world: SimpleNamespace, oidc_on: str, security_log: Any
) -> None:
    back = callback_from(client, "carl")
    session = client.session
    for entry in session["oidc_states"].values():
        entry["nonce"] = "another-sign-in-s-nonce"
    session.save()
    assert_refused(client.get(back), client, security_log, "nonce")


def test_a_token_from_another_issuer_is_refused(
    client: Any, world: SimpleNamespace, oidc_on: str, settings: Any, security_log: Any
) -> None:
    # Every endpoint named (no discovery): the provider's tokens name an issuer not expected.
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{oidc_on}/auth"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{oidc_on}/token"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{oidc_on}/jwks"
    settings.PULJEFLOW_OIDC_ISSUER = "https://login.example.org/another-tenant"
    assert_refused(client.get(callback_from(client, "carl")), client, security_log, "wrong_issuer")


def test_two_staff_users_with_the_same_email_link_neither(
    client: Any, world: SimpleNamespace, oidc_on: str, security_log: Any
) -> None:
    world.gustav.email = "CARL@example.org"
    world.gustav.save(update_fields=["email"])
    response = client.get(callback_from(client, "carl"))
    assert_refused(response, client, security_log, "ambiguous")
    assert not ExternalIdentity.objects.exists()
