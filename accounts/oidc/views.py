"""The browser's side of the sign-in: off to the provider, and back with a code.

mozilla-django-oidc's request view makes state, nonce and the PKCE pair and keeps them in
the session; its callback view is replaced here by one that refuses with a page saying
what to do (and a line in the security log) instead of a bare redirect or a 400/500.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from accounts import two_factor
from accounts.refusals import log_event
from accounts.signals import TWO_FACTOR_REQUIRED

from . import config
from .errors import OidcRefused

logger = logging.getLogger("puljeflow.security")

#: The session's record of how it was signed in: issuer, subject, acr, amr, whether the
#: provider's second factor was accepted, and what the provider's logout needs.
SIGN_IN_KEY = "puljeflow_oidc"
#: A sign-in not finished within this time starts again (the provider's codes live shorter).
STATE_SECONDS = 15 * 60


def refused(request: HttpRequest, refusal: OidcRefused) -> HttpResponse:
    log_event(
        "oidc_refused",
        request,
        reason=refusal.reason,
        detail=json.dumps(refusal.detail[:300], ensure_ascii=True),
    )
    return render(
        request,
        "accounts/oidc_refused.html",
        {"title": refusal.title, "advice": refusal.advice},
        status=refusal.status,
    )


@method_decorator(never_cache, name="dispatch")
class AuthenticateView(OIDCAuthenticationRequestView):
    """»Log ind med kommunens login«: to the provider's authorization endpoint."""

    def __init__(self, **kwargs: Any) -> None:
        # The parent reads the endpoint from settings here; ours may come from discovery.
        View.__init__(self, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not config.enabled():
            raise Http404
        try:
            op = config.provider()
        except OidcRefused as refusal:
            return refused(request, refusal)
        self.OIDC_OP_AUTH_ENDPOINT = op.authorization_endpoint
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


@method_decorator(never_cache, name="dispatch")
class CallbackView(View):
    """Back from the provider: the state checked and spent, the code exchanged and the ID
    token verified (backend.OIDCBackend), the user logged in, or a refusal page."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        if not config.enabled():
            raise Http404
        try:
            return self._sign_in(request)
        except OidcRefused as refusal:
            return refused(request, refusal)

    def _spend_state(self, request: HttpRequest) -> dict[str, Any]:
        """The nonce and PKCE verifier of the sign-in this state started, removed from the
        session first so that the same answer cannot be used twice."""
        state = request.GET.get("state", "")
        states = request.session.get("oidc_states")
        entry = states.pop(state, None) if isinstance(states, dict) and state else None
        if entry is not None:
            request.session["oidc_states"] = states
            request.session.save()
        if request.GET.get("error"):
            raise OidcRefused("provider_error", detail=request.GET.get("error", "")[:100])
        if entry is None:
            # Used already, or started in another browser (or not started here at all).
            raise OidcRefused("unknown_state", detail="the state is not this session's")
        if time.time() - float(entry.get("added_on", 0)) > STATE_SECONDS:
            raise OidcRefused("stale_state", detail="the sign-in was started too long ago")
        if not request.GET.get("code"):
            raise OidcRefused("invalid_token", detail="no code")
        return entry

    def _sign_in(self, request: HttpRequest) -> HttpResponse:
        entry = self._spend_state(request)
        target = request.session.get("oidc_login_next") or resolve_url(settings.LOGIN_REDIRECT_URL)
        user = auth.authenticate(
            request=request,
            nonce=entry.get("nonce") or "",
            code_verifier=entry.get("code_verifier"),
        )
        if user is None:
            raise OidcRefused("refused", detail="no backend accepted the sign-in")
        details = dict(user.puljeflow_oidc)  # type: ignore[attr-defined]
        auth.login(request, user)
        origin = ""
        try:
            end_session = config.provider().end_session_endpoint
        except OidcRefused:
            end_session = ""
        if end_session:
            origin = "/".join(end_session.split("/", 3)[:3])
        request.session[SIGN_IN_KEY] = {**details, "logout_origin": origin}
        if details["mfa"]:
            # The provider's second factor counts as Puljeflow's (PULJEFLOW_OIDC_MFA_*).
            request.session[TWO_FACTOR_REQUIRED] = False
        logger.info(
            "oidc_login user=%s issuer=%s acr=%s amr=%s mfa=%s",
            user.pk,
            details["issuer"],
            json.dumps(details["acr"]),
            json.dumps(details["amr"]),
            details["mfa"],
        )
        if request.session.get(TWO_FACTOR_REQUIRED):
            return redirect(two_factor.second_factor_url(request, target))
        return redirect(target)
