"""Who is calling: a hashed API token, or the browser's session.

Staff of a municipality that enforces two-factor sign-in (``accounts.two_factor``,
provided by the security work) must have proved a second factor: with a token, when
the token was issued; with a session, by a verified session (django-otp's middleware).
"""

from __future__ import annotations

import importlib
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from .models import ApiToken, hash_key

# last_used_at is written at most this often per token, so reads do not all write.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def two_factor() -> Any:
    """The security module's interface, or None while it is not installed."""
    try:
        return importlib.import_module("accounts.two_factor")
    except ImportError:
        return None


def two_factor_required(user: Any) -> bool:
    module = two_factor()
    return bool(module and module.required_for(user))


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            key = header[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
        if token is None or token.is_expired() or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            # Not a domain model: a plain UPDATE, no history row per API call.
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class SessionAuthentication(authentication.SessionAuthentication):
    """The browser's session, refused for 2FA staff whose session is not verified."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        # Signed in through the municipality's identity provider with its second factor
        # (accounts/oidc: PULJEFLOW_OIDC_MFA_*): that counts as Puljeflow's, as on the pages.
        by_provider = (request.session.get("puljeflow_oidc") or {}).get("mfa") is True
        if two_factor_required(user) and not by_provider:
            is_verified = getattr(user, "is_verified", None)
            if not (callable(is_verified) and is_verified()):
                raise exceptions.PermissionDenied(
                    _("Sign in with your second factor before using the API.")
                )
        return result
