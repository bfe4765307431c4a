"""The authentication backend: the code for tokens, the ID token verified, the user found.

mozilla-django-oidc's backend checks the signature and the nonce, but neither the issuer
nor the audience, and lets an expired token's error escape as a crash. This subclass
verifies everything itself with PyJWT (RS256 by default, the key from the provider's JWKS
by ``kid``, issuer, audience and ``azp``, ``exp``/``iat`` with a small leeway, nonce) and
turns every failure into an ``OidcRefused`` with a reason the callback view shows and logs.
"""

from __future__ import annotations

from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from . import config, linking
from .errors import OidcRefused

# The claims every ID token must carry (OpenID Connect Core 1.0, 2).
REQUIRED_CLAIMS = ["iss", "sub", "aud", "exp", "iat"]


def _token_errors(error: jwt.InvalidTokenError) -> str:
    """PyJWT's error as the refusal's reason (the most specific classes first)."""
    for cls, reason in (
        (jwt.ExpiredSignatureError, "expired"),
        (jwt.ImmatureSignatureError, "not_yet_valid"),
        (jwt.InvalidAudienceError, "wrong_audience"),
        (jwt.InvalidIssuerError, "wrong_issuer"),
        (jwt.InvalidSignatureError, "bad_signature"),
        (jwt.MissingRequiredClaimError, "missing_claim"),
    ):
        if isinstance(error, cls):
            return reason
    return "invalid_token"


class OIDCBackend(OIDCAuthenticationBackend):
    """Answers only the callback of a sign-in started here (it passes the session's nonce);
    for a username and password it returns None, so it costs a password login nothing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The parent reads the endpoints here; ours may come from discovery, which is only
        # worth a request once a sign-in comes back (``authenticate``).
        self.UserModel = get_user_model()

    def get_user(self, user_id: Any) -> Any:
        # The parent's get_user returns inactive users too; Django's own checks is_active.
        return ModelBackend.get_user(self, user_id)

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        if request is None or "nonce" not in kwargs or not config.enabled():
            return None
        code = request.GET.get("code")
        if not code:
            return None
        self.request = request
        op = config.provider()
        self.OIDC_OP_TOKEN_ENDPOINT = op.token_endpoint
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        payload = {
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "client_secret": settings.OIDC_RP_CLIENT_SECRET,
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": request.build_absolute_uri(
                reverse(settings.OIDC_AUTHENTICATION_CALLBACK_URL)
            ),
        }
        if kwargs.get("code_verifier"):
            payload["code_verifier"] = kwargs["code_verifier"]
        try:
            tokens = self.get_token(payload)
        except requests.HTTPError as error:
            # A code used before, expired, or not issued to this client (invalid_grant).
            raise OidcRefused("token_refused", detail=str(error)[:300]) from error
        except (requests.RequestException, ValueError) as error:
            raise OidcRefused("unavailable", detail=f"token endpoint: {error}") from error
        id_token = tokens.get("id_token") if isinstance(tokens, dict) else None
        if not isinstance(id_token, str):
            raise OidcRefused("invalid_token", detail="no id_token in the token response")
        claims = self.verified_claims(id_token, op=op, nonce=kwargs["nonce"])
        person = self._with_userinfo(claims, tokens.get("access_token"), op)
        user = linking.user_for(issuer=op.issuer, claims=person)
        # Read by the callback view once the user is logged in (the session is cycled then).
        user.puljeflow_oidc = {
            "issuer": op.issuer,
            "subject": str(claims["sub"]),
            "acr": str(claims.get("acr") or ""),
            "amr": [str(value) for value in (claims.get("amr") or [])],
            "mfa": config.provider_mfa(claims),
            "id_token": id_token,
        }
        return user

    def _signing_key(self, token: str, op: config.Provider) -> Any:
        header = jwt.get_unverified_header(token)
        algorithm = settings.OIDC_RP_SIGN_ALGO
        if header.get("alg") != algorithm:
            raise OidcRefused("bad_signature", detail=f"alg {header.get('alg')!r}")
        try:
            response = requests.get(op.jwks_uri, timeout=settings.OIDC_TIMEOUT)
            response.raise_for_status()
            keys = response.json().get("keys", [])
        except (requests.RequestException, ValueError, AttributeError) as error:
            raise OidcRefused("unavailable", detail=f"jwks: {error}") from error
        kid = header.get("kid")
        matching = [
            key
            for key in keys
            if isinstance(key, dict)
            and key.get("use", "sig") == "sig"
            and key.get("alg", algorithm) == algorithm
            and (kid is None or key.get("kid") == kid)
        ]
        if len(matching) != 1:
            raise OidcRefused("bad_signature", detail=f"{len(matching)} keys for kid {kid!r}")
        try:
            return jwt.PyJWK(matching[0], algorithm=algorithm).key
        except jwt.PyJWKError as error:
            raise OidcRefused("bad_signature", detail=f"jwk: {error}") from error

    def verified_claims(self, token: str, *, op: config.Provider, nonce: str) -> dict[str, Any]:
        """The ID token's claims once its signature, issuer, audience, times and nonce
        hold; else OidcRefused."""
        client_id = settings.OIDC_RP_CLIENT_ID
        try:
            key = self._signing_key(token, op)
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[settings.OIDC_RP_SIGN_ALGO],
                audience=client_id,
                issuer=op.issuer,
                leeway=settings.PULJEFLOW_OIDC_LEEWAY_SECONDS,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.InvalidTokenError as error:
            raise OidcRefused(_token_errors(error), detail=str(error)) from error
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != client_id:
            raise OidcRefused("wrong_audience", detail="several audiences and another azp")
        if not nonce or claims.get("nonce") != nonce:
            raise OidcRefused("nonce", detail="the nonce is not the one this sign-in sent")
        return claims

    def _with_userinfo(
        self, claims: dict[str, Any], access_token: Any, op: config.Provider
    ) -> dict[str, Any]:
        """The ID token's claims, with what the userinfo endpoint adds (e-mail, name) when
        the provider keeps them there. The ID token's own values win."""
        if not op.userinfo_endpoint or not isinstance(access_token, str):
            return claims
        try:
            response = requests.get(
                op.userinfo_endpoint,
                headers={"Authorization": f"Bearer {access_token}"},
                timeout=settings.OIDC_TIMEOUT,
            )
            response.raise_for_status()
            info = response.json()
        except (requests.RequestException, ValueError) as error:
            raise OidcRefused("unavailable", detail=f"userinfo: {error}") from error
        if not isinstance(info, dict) or str(info.get("sub")) != str(claims["sub"]):
            # OpenID Connect Core 5.3.2: a userinfo answer about someone else is not used.
            raise OidcRefused("invalid_token", detail="userinfo sub differs from the ID token")
        return {**info, **claims}
