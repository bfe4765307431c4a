"""Every refusal is logged on ``puljeflow.security``: who, what, when.

The middleware logs each 401, 403, 404 and 405 answered to a request, and each
anonymous request sent to the login page (as status 302); the login
machinery logs lockouts and wrong second-factor codes. Messages start with a fixed
word (``refused``, ``lockout``, ``otp_failed``) and carry key=value fields.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils import timezone

from .client_address import client_ip as address_of

logger = logging.getLogger("puljeflow.security")

REFUSED_STATUSES = frozenset({401, 403, 404, 405})


def who(request: HttpRequest | None) -> str:
    user = getattr(request, "user", None) if request is not None else None
    if user is not None and getattr(user, "is_authenticated", False):
        return str(user.pk)
    return "anonymous"


def client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return "-"
    return address_of(request) or "-"


def log_event(event: str, request: HttpRequest | None, **fields: Any) -> None:
    extra = " ".join(f"{key}={value}" for key, value in fields.items())
    logger.warning(
        "%s method=%s path=%s user=%s ip=%s at=%s %s",
        event,
        getattr(request, "method", "-"),
        getattr(request, "path", "-"),
        who(request),
        client_ip(request),
        timezone.now().isoformat(),
        extra,
    )


def _sent_to_login(request: HttpRequest, response: HttpResponse) -> bool:
    """An anonymous request redirected to the login page: refused until they sign in."""
    if response.status_code != 302 or who(request) != "anonymous":
        return False
    target = urlsplit(response.get("Location", "")).path
    return target == resolve_url(settings.LOGIN_URL) and request.path != target


class RefusalLogMiddleware:
    """Log every refused request. Sits outside the views, so every URL is covered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code in REFUSED_STATUSES or _sent_to_login(request, response):
            logger.warning(
                "refused status=%s method=%s path=%s user=%s ip=%s at=%s",
                response.status_code,
                request.method,
                request.path,
                who(request),
                client_ip(request),
                timezone.now().isoformat(),
            )
        return response
