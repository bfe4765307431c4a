"""Login, logout, and the second factor: set up an authenticator app, enter its code."""

from __future__ import annotations

import binascii
from typing import Any

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from accounts import enrolment, sessions, two_factor
from accounts.oidc import config as oidc_config
from accounts.oidc.logout import provider_logout_url
from accounts.refusals import log_event
from accounts.signals import TWO_FACTOR_REQUIRED
from web.accounts.forms import CodeForm, EnrolmentForm, LoginForm

SETUP_KEY = "puljeflow_otp_setup_key"


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = False

    def get_success_url(self) -> str:
        target = super().get_success_url()
        if self.request.session.get(TWO_FACTOR_REQUIRED):
            return two_factor.second_factor_url(self.request, target)
        return target

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # »Log ind med kommunens login« when the municipality's identity provider is on.
        return {**super().get_context_data(**kwargs), "oidc_enabled": oidc_config.enabled()}


class LogoutView(auth_views.LogoutView):
    """POST only (Django's own rule since 5.0); flushes the session. Signed in through the
    municipality's identity provider, the browser then goes on to end that sign-in too."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        at_provider = provider_logout_url(request)  # read before the session is flushed
        response = super().post(request, *args, **kwargs)
        return redirect(at_provider) if at_provider else response


@never_cache
@require_http_methods(["POST"])
def session_stay(request: HttpRequest) -> JsonResponse:
    """ "Stay logged in" on the warning before the idle limit (static/js/session.js): counts
    as activity and says how long the session now has. A session that has already ended
    (the middleware logged it out on this very request) gets 401 and a sentence to show."""
    if not request.user.is_authenticated:
        return JsonResponse(
            {"detail": _("Your session has ended. Log in again to go on.")}, status=401
        )
    sessions.touch(request.session)
    return JsonResponse({"remaining": sessions.seconds_left(request.session)})


def _verified(request: HttpRequest) -> bool:
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


def _enrolment_code(request: HttpRequest, user: Any) -> bool:
    """Send the first app's enrolment code (accounts.enrolment) unless a live one was sent
    in this session, or send a new one when asked; tell the person what happened."""
    asked = request.method == "POST" and "resend" in request.POST
    if enrolment.pending(request.session) is not None and not asked:
        return True
    if asked and not enrolment.may_send(request.session):
        messages.info(request, _("Wait a minute before asking for a new code."))
        return True
    if not user.email:
        messages.error(
            request,
            _(
                "No e-mail address is registered for you, so no code can be sent. Ask your "
                "municipality's administrator to register one."
            ),
        )
        return False
    if not enrolment.send_code(request, user):
        messages.error(request, _("The e-mail with your code could not be sent. Try again later."))
        return False
    messages.info(request, _("We have sent a code to %(email)s.") % {"email": user.email})
    return True


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app. Nothing is stored until a correct code confirms it.

    The first app also needs the enrolment code e-mailed to the user, so that a password
    alone cannot enrol (accounts/enrolment.py); a second app needs a signed-in first one.
    """
    user: Any = request.user
    # A second device is added only after signing in with the first.
    if two_factor.has_device(user) and not _verified(request):
        return redirect(two_factor.second_factor_url(request, _next(request)))
    first = not two_factor.has_device(user)
    can_enrol = _enrolment_code(request, user) if first else True
    key = request.session.get(SETUP_KEY)
    if not key:
        key = default_key()
        request.session[SETUP_KEY] = key
    submitted = request.method == "POST" and "resend" not in request.POST
    form_class = EnrolmentForm if first else CodeForm
    form = form_class(request.POST if submitted else None)
    # The code from the e-mail first (a wrong one uses up a try), then the app's code.
    if (
        submitted
        and form.is_valid()
        and first
        and not enrolment.check(request, user, form.cleaned_data["enrolment_code"])
    ):
        form.add_error(
            "enrolment_code",
            _(
                "The code is not right, or it has expired or been used: ask for a new "
                "code and type the newest one."
            ),
        )
    if submitted and form.is_valid():
        totp = TOTP(binascii.unhexlify(key.encode()))
        if totp.verify(int(form.cleaned_data["code"]), tolerance=1):
            device = TOTPDevice.objects.create(
                user=user,
                name=_("Authenticator app"),
                key=key,
                confirmed=True,
                last_t=totp.t(),
            )
            del request.session[SETUP_KEY]
            enrolment.consume(request.session)
            django_otp.login(request, device)
            messages.success(request, _("Two-factor login is set up."))
            return redirect(_next(request))
        log_event("otp_failed", request, stage="setup")
        form.add_error("code", _("The code is not right. Check the time on your phone and retry."))
    device = TOTPDevice(user=user, name="setup", key=key)
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4, title=_("QR code"))
    secret = device.config_url.split("secret=")[1].split("&")[0]
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr_svg": qr_svg,
            "secret": secret,
            "next": _next(request),
            "first": first,
            "can_enrol": can_enrol,
        },
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second step of login: a code from the app the user enrolled."""
    user: Any = request.user
    if not two_factor.has_device(user):
        return redirect(f"{reverse('accounts:otp_setup')}?{urlencode({'next': _next(request)})}")
    if _verified(request):
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.verified_device(user, form.cleaned_data["code"])
        if device is not None:
            django_otp.login(request, device)
            return redirect(_next(request))
        log_event("otp_failed", request, stage="verify")
        form.add_error(
            "code",
            _(
                "The code is not right, or too many wrong codes were typed: wait a moment "
                "and type the newest code."
            ),
        )
    return render(
        request,
        "accounts/otp_verify.html",
        {"form": form, "next": _next(request)},
        status=400 if form.errors else 200,
    )


def lockout(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """Shown by axes (AXES_LOCKOUT_CALLABLE) instead of the login page while locked out."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/lockout.html", {"minutes": minutes}, status=429)
