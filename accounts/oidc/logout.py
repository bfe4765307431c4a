"""RP-initiated logout: after Puljeflow's own session ends, the browser goes on to the
provider's end_session_endpoint (OpenID Connect RP-Initiated Logout 1.0), which ends the
sign-in there too and sends it back to Puljeflow's login page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import urlencode

from . import config
from .errors import OidcRefused
from .views import SIGN_IN_KEY


def provider_logout_url(request: HttpRequest) -> str:
    """Where to send the browser after logging out, or "" (not signed in through the
    provider, or it has no end_session_endpoint). Read it before the session is flushed."""
    session = getattr(request, "session", None)
    signed_in = session.get(SIGN_IN_KEY) if session is not None else None
    if not signed_in or not config.enabled():
        return ""
    try:
        endpoint = config.provider().end_session_endpoint
    except OidcRefused:
        return ""
    if not endpoint:
        return ""
    query = urlencode(
        {
            "id_token_hint": signed_in.get("id_token", ""),
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "post_logout_redirect_uri": request.build_absolute_uri(
                resolve_url(settings.LOGOUT_REDIRECT_URL)
            ),
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
