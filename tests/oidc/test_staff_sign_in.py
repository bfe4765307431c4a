"""Staff sign in through the municipality's identity provider: a real OpenID Connect
provider (tests/idp/oidc_provider.mjs) answers every request; the Django test client plays
Puljeflow's side of the browser, requests the provider's side."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from accounts.models import ExternalIdentity, IdentityProvider
from accounts.signals import TWO_FACTOR_REQUIRED
from tests.idp.oidc_provider import log_in_at_provider

pytestmark = pytest.mark.django_db


def sign_in(client: Any, username: str, *, mfa: bool = True, next_url: str = "") -> Any:
    """The whole dance: Puljeflow → provider's login → back with a code → Puljeflow."""
    start = reverse("oidc:authenticate") + (f"?next={next_url}" if next_url else "")
    response = client.get(start)
    assert response.status_code == 302
    back = log_in_at_provider(response["Location"], username, mfa=mfa)
    assert back.startswith("http://testserver/oidc/callback/?")
    return client.get(back.removeprefix("http://testserver"))


def test_the_login_page_offers_the_municipality_login_only_when_it_is_on(
    client: Any, settings: Any, idp: str
) -> None:
    settings.PULJEFLOW_OIDC_ENABLED = False
    page = client.get(reverse("accounts:login")).content.decode()
    assert "oidc/authenticate" not in page
    assert client.get(reverse("oidc:authenticate")).status_code == 404
    assert client.get(reverse("oidc:callback")).status_code == 404
    settings.PULJEFLOW_OIDC_ENABLED = True
    settings.PULJEFLOW_OIDC_ISSUER = idp
    page = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Log ind med kommunens login" in page


def test_the_request_to_the_provider_carries_state_nonce_and_pkce(
    client: Any, oidc_on: str
) -> None:
    response = client.get(reverse("oidc:authenticate"))
    url = urlsplit(response["Location"])
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{oidc_on}/auth"  # from discovery
    assert query["response_type"] == "code"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
    entry = client.session["oidc_states"][query["state"]]
    assert entry["nonce"] == query["nonce"] and entry["code_verifier"]


def test_carl_signs_in_and_is_linked_by_his_verified_email(
    client: Any, world: SimpleNamespace, oidc_on: str, caplog: Any
) -> None:
    with caplog.at_level(logging.INFO, logger="puljeflow.security"):
        response = sign_in(client, "carl", mfa=True)
    assert response.status_code == 302 and response["Location"] == reverse("home:home")
    assert client.get(reverse("home:home")).status_code == 200
    assert int(client.session["_auth_user_id"]) == world.carl.pk
    identity = ExternalIdentity.objects.get(provider=IdentityProvider.OIDC)
    assert (identity.issuer, identity.subject, identity.user) == (
        oidc_on,
        "carl-at-idp",
        world.carl,
    )
    assert identity.last_seen is not None
    signed_in = client.session["puljeflow_oidc"]
    assert signed_in["amr"] == ["pwd", "mfa"] and signed_in["mfa"] is True
    [line] = [r.getMessage() for r in caplog.records if "oidc_login" in r.getMessage()]
    assert f"user={world.carl.pk}" in line and '"mfa"' in line


def test_after_the_first_sign_in_only_issuer_and_subject_count(
    client: Any, world: SimpleNamespace, oidc_on: str
) -> None:
    sign_in(client, "carl")
    client.logout()
    # carl's e-mail changes in Puljeflow: the provider's subject still finds him.
    world.carl.email = "carl.new@example.org"
    world.carl.save(update_fields=["email"])
    response = sign_in(client, "carl")
    assert response["Location"] == reverse("home:home")
    assert int(client.session["_auth_user_id"]) == world.carl.pk
    assert ExternalIdentity.objects.count() == 1


def test_the_next_page_is_kept_through_the_provider(
    client: Any, world: SimpleNamespace, oidc_on: str
) -> None:
    target = reverse("applications:my_applications")
    response = sign_in(client, "carl", next_url=target)
    assert response["Location"] == target


# --- two-factor -------------------------------------------------------------------------------


@pytest.fixture
def two_factor_required(world: SimpleNamespace) -> None:
    world.roskilde.require_two_factor = True
    world.roskilde.save(update_fields=["require_two_factor"])


def test_the_provider_s_mfa_counts_as_the_second_factor(
    client: Any, world: SimpleNamespace, oidc_on: str, two_factor_required: None
) -> None:
    response = sign_in(client, "carl", mfa=True)
    assert response["Location"] == reverse("home:home")
    assert client.session[TWO_FACTOR_REQUIRED] is False
    assert client.get(reverse("home:home")).status_code == 200


def test_without_the_provider_s_mfa_puljeflow_asks_for_its_own_code(
    client: Any, world: SimpleNamespace, oidc_on: str, two_factor_required: None
) -> None:
    response = sign_in(client, "carl", mfa=False)
    assert response["Location"].startswith(reverse("accounts:otp_setup"))
    assert client.session[TWO_FACTOR_REQUIRED] is True
    home = client.get(reverse("home:home"))
    assert home.status_code == 302 and home["Location"].startswith(reverse("accounts:otp_setup"))


def test_an_acr_the_municipality_names_counts_as_the_second_factor(
    client: Any, world: SimpleNamespace, oidc_on: str, two_factor_required: None, settings: Any
) -> None:
    settings.PULJEFLOW_OIDC_MFA_AMR = ""
    settings.PULJEFLOW_OIDC_MFA_ACR = "urn:kommune:loa:substantial"
    response = client.get(reverse("oidc:authenticate"))
    back = log_in_at_provider(
        response["Location"], "carl", mfa=True, acr="urn:kommune:loa:substantial"
    )
    response = client.get(back.removeprefix("http://testserver"))
    assert response["Location"] == reverse("home:home")
    assert client.session["puljeflow_oidc"]["acr"] == "urn:kommune:loa:substantial"


# --- logout -----------------------------------------------------------------------------------


def test_logout_ends_the_session_and_goes_on_to_the_provider(
    client: Any, world: SimpleNamespace, oidc_on: str
) -> None:
    sign_in(client, "carl")
    id_token = client.session["puljeflow_oidc"]["id_token"]
    response = client.post(reverse("accounts:logout"))
    url = urlsplit(response["Location"])
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{oidc_on}/session/end"
    assert query["id_token_hint"] == id_token
    assert query["post_logout_redirect_uri"] == "http://testserver/login/"
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home:home")).status_code == 302


def test_a_password_login_logs_out_as_before(
    client: Any, world: SimpleNamespace, oidc_on: str
) -> None:
    client.force_login(world.carl)
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")


def test_an_unknown_person_is_refused_not_created(
    client: Any, world: SimpleNamespace, oidc_on: str, caplog: Any
) -> None:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.count()
    with caplog.at_level(logging.WARNING, logger="puljeflow.security"):
        response = sign_in(client, "nn")
    assert response.status_code == 403
    assert "Bed Puljeflows administrator" in response.content.decode()
    assert get_user_model().objects.count() == users
    assert not ExternalIdentity.objects.exists()
    assert "_auth_user_id" not in client.session
    assert any(
        "oidc_refused" in r.getMessage() and "reason=no_account" in r.getMessage()
        for r in caplog.records
    )


def test_the_api_accepts_the_session_the_provider_s_mfa_signed_in(
    client: Any, world: SimpleNamespace, oidc_on: str, two_factor_required: None
) -> None:
    sign_in(client, "carl", mfa=True)
    assert client.get(reverse("api:api_applications")).status_code == 200
    client.logout()
    sign_in(client, "carl", mfa=False)
    assert client.get(reverse("api:api_applications")).status_code == 403


def test_the_pages_let_the_logout_form_lead_on_to_the_provider_only_for_its_sessions(
    client: Any, world: SimpleNamespace, oidc_on: str
) -> None:
    def form_action() -> str:
        policy = client.get(reverse("home:home"))["Content-Security-Policy"]
        return next(part for part in policy.split(";") if "form-action" in part)

    client.force_login(world.carl)
    assert oidc_on not in form_action()
    client.logout()
    sign_in(client, "carl")
    assert oidc_on in form_action()


def test_the_matching_claim_can_be_the_username(
    client: Any, world: SimpleNamespace, oidc_on: str, settings: Any
) -> None:
    settings.PULJEFLOW_OIDC_MATCH_CLAIM = "preferred_username"
    settings.PULJEFLOW_OIDC_MATCH_FIELD = "username"
    world.carl.email = ""
    world.carl.save(update_fields=["email"])
    response = sign_in(client, "carl")
    assert response["Location"] == reverse("home:home")
    assert int(client.session["_auth_user_id"]) == world.carl.pk
