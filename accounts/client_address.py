"""The client's address, the one way every throttle, lockout and log line reads it.

Behind no proxy (``PULJEFLOW_TRUSTED_PROXIES=0``, the default) it is ``REMOTE_ADDR``;
``X-Forwarded-For`` is the client's own claim and is ignored, since anyone can send
a new value with every request. Behind N reverse proxies that each append the
address they received from to ``X-Forwarded-For``, the N-th address from the right
was written by our outermost proxy: that is the client. Everything to its left is
again the client's claim. A value that is no IP address falls back to
``REMOTE_ADDR`` (django-axes stores the address in an IP field).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def client_ip(request: HttpRequest) -> str:
    """The address a throttle or lockout may key on; ``""`` if the server gave none."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    proxies = int(getattr(settings, "PULJEFLOW_TRUSTED_PROXIES", 0) or 0)
    forwarded = request.headers.get("x-forwarded-for")
    if proxies <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in str(forwarded).split(",")]
    candidate = hops[-min(proxies, len(hops))]
    return candidate if _is_ip(candidate) else remote
