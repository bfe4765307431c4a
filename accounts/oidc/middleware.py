"""Let the logout form lead on to the provider's logout.

Chromium applies the page's CSP ``form-action`` to the redirects after a form is sent, so
the logout button's POST, answered with a redirect to the provider's end_session_endpoint,
would be blocked by ``form-action 'self'``. For a session signed in through the provider,
its origin (kept in the session at sign-in) is added to ``form-action``, and only then."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .views import SIGN_IN_KEY


class ProviderLogoutFormAction:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return response
        origin = (session.get(SIGN_IN_KEY) or {}).get("logout_origin")
        if origin:
            update = dict(getattr(response, "_csp_update", None) or {})
            update["form-action"] = [*update.get("form-action", []), origin]
            response._csp_update = update  # type: ignore[attr-defined]
        return response
