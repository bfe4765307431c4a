"""Session timeouts and the second-factor gate, applied to every request."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from . import sessions, two_factor
from .signals import TWO_FACTOR_REQUIRED

Handler = Callable[[HttpRequest], HttpResponse]


#: Every signed-in page's response says how many seconds its session has left, so the
#: warning (static/js/session.js) can start again after a request made without a page load.
REMAINING_HEADER = "X-Session-Remaining"


def _page_they_were_on(request: HttpRequest) -> str:
    """The page a POST came from (its Referer, when it is this site), else the POST's own
    address: where signing in again should lead, to the form and what was typed in it."""
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        # Only the path and query: the host was checked, the scheme may differ behind a proxy.
        after_host = referer.split("://", 1)[-1]
        path = "/" + after_host.split("/", 1)[1] if "/" in after_host else "/"
        return path.split("#", 1)[0]
    return request.get_full_path()


class SessionTimeoutMiddleware:
    """End a session idle longer than PULJEFLOW_SESSION_IDLE_SECONDS, or older than
    PULJEFLOW_SESSION_MAX_SECONDS since login. A page request goes on as anonymous; a form
    sent into an ended session is not handled as anonymous (it would only be refused) but
    answered with the login page, whose ``next`` leads back to the page the form was on."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def _goes_on(self, request: HttpRequest) -> bool:
        """Requests that mean the same signed in or not: signing in, out, the language."""
        return request.method not in ("POST", "PUT", "PATCH", "DELETE") or request.path in (
            reverse("accounts:login"),
            reverse("accounts:logout"),
            reverse("accounts:session_stay"),
            reverse("set_language"),
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and sessions.expired(request.session):
            sessions.forget(request.session.session_key)
            logout(request)
            messages.info(request, _("You were logged out because your session ended."))
            if not request.path.startswith("/api/") and not self._goes_on(request):
                login = f"{reverse('accounts:login')}?{urlencode({'next': _page_they_were_on(request)})}"
                if request.headers.get("HX-Request"):
                    # htmx would put the login page inside the form: session.js says instead.
                    return HttpResponse(
                        _("You were logged out because your session ended."),
                        status=401,
                        headers={"HX-Trigger": "pf-session-ended"},
                    )
                return redirect(login)
        response = self.get_response(request)
        if request.user.is_authenticated and hasattr(request, "session"):
            response.headers[REMAINING_HEADER] = str(sessions.seconds_left(request.session))
        return response


class TwoFactorMiddleware:
    """Until a user who needs a second factor has given one, every page but the login
    pages answers with a redirect to enter the code (or set up the app)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def _open_prefixes(self) -> tuple[str, ...]:
        return (
            reverse("accounts:login"),
            reverse("accounts:logout"),
            reverse("accounts:otp_setup"),
            reverse("accounts:otp_verify"),
            reverse("set_language"),
            settings.STATIC_URL,
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated or request.path.startswith(self._open_prefixes()):
            return self.get_response(request)
        required = request.session.get(TWO_FACTOR_REQUIRED)
        if required is None:  # a session from before the flag existed
            required = request.session[TWO_FACTOR_REQUIRED] = two_factor.required_for(user)
        is_verified = getattr(user, "is_verified", None)
        if not required or (is_verified is not None and is_verified()):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return HttpResponseForbidden(_("Two-factor login is required."))
        return redirect(two_factor.second_factor_url(request, request.get_full_path()))
