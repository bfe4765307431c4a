"""Session timeouts and the second-factor gate, applied to every request."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import sessions, two_factor
from .signals import TWO_FACTOR_REQUIRED

Handler = Callable[[HttpRequest], HttpResponse]


class SessionTimeoutMiddleware:
    """End a session idle longer than PULJEFLOW_SESSION_IDLE_SECONDS, or older than
    PULJEFLOW_SESSION_MAX_SECONDS since login. The request goes on as anonymous."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and sessions.expired(request.session):
            sessions.forget(request.session.session_key)
            logout(request)
            messages.info(request, _("You were logged out because your session ended."))
        return self.get_response(request)


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
