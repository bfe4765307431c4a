"""The provider as configured: settings from config/integrations.py, endpoints from the
provider's discovery document unless set one by one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache

from .errors import OidcRefused

# Discovery documents change rarely; an hour keeps a sign-in to one request to the provider
# for the code, one for the keys (and one for userinfo).
DISCOVERY_SECONDS = 3600


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str = ""
    end_session_endpoint: str = ""


def enabled() -> bool:
    return bool(getattr(settings, "PULJEFLOW_OIDC_ENABLED", False))


def _csv(value: str) -> frozenset[str]:
    return frozenset(part.strip() for part in (value or "").split(",") if part.strip())


def _discovery_url() -> str:
    if settings.PULJEFLOW_OIDC_DISCOVERY_URL:
        return str(settings.PULJEFLOW_OIDC_DISCOVERY_URL)
    if settings.PULJEFLOW_OIDC_ISSUER:
        return f"{settings.PULJEFLOW_OIDC_ISSUER}/.well-known/openid-configuration"
    return ""


def _discover(url: str) -> dict[str, Any]:
    key = f"puljeflow:oidc:discovery:{url}"
    document = cache.get(key)
    if document is None:
        try:
            response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as error:
            raise OidcRefused("unavailable", detail=f"discovery: {error}") from error
        if not isinstance(document, dict):
            raise OidcRefused("unavailable", detail="discovery: not a JSON object")
        cache.set(key, document, DISCOVERY_SECONDS)
    return document


def provider() -> Provider:
    """The provider's issuer and endpoints. Raises OidcRefused("unavailable") when they
    cannot be known (discovery failed, or neither discovery nor endpoints are configured)."""
    explicit = {
        "issuer": settings.PULJEFLOW_OIDC_ISSUER,
        "authorization_endpoint": settings.OIDC_OP_AUTHORIZATION_ENDPOINT,
        "token_endpoint": settings.OIDC_OP_TOKEN_ENDPOINT,
        "jwks_uri": settings.OIDC_OP_JWKS_ENDPOINT,
        "userinfo_endpoint": settings.OIDC_OP_USER_ENDPOINT,
        "end_session_endpoint": settings.PULJEFLOW_OIDC_END_SESSION_ENDPOINT,
    }
    required = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
    values = dict(explicit)
    if not all(values[name] for name in required):
        url = _discovery_url()
        if not url:
            raise OidcRefused("unavailable", detail="no issuer, discovery URL or endpoints set")
        document = _discover(url)
        if explicit["issuer"] and document.get("issuer", "").rstrip("/") != explicit["issuer"]:
            # A discovery document naming another issuer is not this provider's.
            raise OidcRefused("unavailable", detail="discovery names another issuer")
        for name in explicit:
            values[name] = explicit[name] or str(document.get(name) or "")
    if not all(values[name] for name in required):
        raise OidcRefused("unavailable", detail="the provider's endpoints are incomplete")
    return Provider(**values)


def provider_mfa(claims: dict[str, Any]) -> bool:
    """Did the provider sign the person in with a second factor Puljeflow accepts?"""
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    if _csv(settings.PULJEFLOW_OIDC_MFA_AMR) & {str(value) for value in amr}:
        return True
    acr = claims.get("acr")
    return bool(acr) and str(acr) in _csv(settings.PULJEFLOW_OIDC_MFA_ACR)
