"""Who must sign in with a second factor, and checking their code.

Staff of a municipality that requires two-factor login (``Municipality.require_two_factor``,
on by default) sign in with a password and a TOTP code from an authenticator app
(django-otp's ``otp_totp`` devices). Applicants (association users) do not.

Django admins (superusers and ``is_staff`` users) see every municipality's data through
the admin, so the strictest municipality's rule applies to them: they need a second
factor as soon as any municipality requires it. The demo and the test factory switch the
requirement off for their municipalities, so their admins sign in with a password only.
"""

from __future__ import annotations

from typing import Any

from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.models import Municipality, StaffRole
from cases.parsing import parse_int


def required_for(user: Any) -> bool:
    """Must this user pass a second factor before any staff screen?"""
    if user is None or not user.is_authenticated:
        return False
    if StaffRole.objects.filter(user=user, municipality__require_two_factor=True).exists():
        return True
    if user.is_superuser or user.is_staff:
        return Municipality.objects.filter(require_two_factor=True).exists()
    return False


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_device(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def clean_code(code: str) -> str:
    return "".join((code or "").split())


def verified_device(user: Any, code: str) -> TOTPDevice | None:
    """The user's confirmed TOTP device that accepts this code, if any.

    ``verify_token`` throttles: after each failure the device refuses codes for an
    exponentially growing time (OTP_TOTP_THROTTLE_FACTOR), and it refuses a code
    already used (replay).
    """
    token = clean_code(code)
    if not 6 <= len(token) <= 8 or parse_int(token) is None:  # ASCII digits only
        return None
    for device in TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk"):
        if device.verify_token(token):
            return device
    return None


def verify(user: Any, code: str) -> bool:
    """Does a confirmed TOTP device of the user accept ``code``?"""
    return verified_device(user, code) is not None


def second_factor_url(request: Any, next_url: str) -> str:
    """Where a signed-in user gives (or first sets up) the second factor, then goes on."""
    from django.urls import reverse
    from django.utils.http import urlencode

    name = "accounts:otp_verify" if has_device(request.user) else "accounts:otp_setup"
    return f"{reverse(name)}?{urlencode({'next': next_url})}"
