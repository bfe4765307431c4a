"""Every refusal is logged on ``puljeflow.security``: who, what, when.

The middleware logs each 401, 403, 404 and 405 answered to a request; the login
machinery logs lockouts and wrong second-factor codes. Messages start with a fixed
word (``refused``, ``lockout``, ``otp_failed``) and carry key=value fields.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

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
    return str(request.META.get("REMOTE_ADDR", "-"))


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


class RefusalLogMiddleware:
    """Log every refused request. Sits outside the views, so every URL is covered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code in REFUSED_STATUSES:
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
