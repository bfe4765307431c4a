"""The sign-in throttle, keyed on the client address of ``accounts.client_address``.

DRF's own ``get_ident`` trusts ``X-Forwarded-For`` whenever ``NUM_PROXIES`` is unset,
so a client that sends a new value with each request is never throttled.
"""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import ScopedRateThrottle

from accounts.client_address import client_ip


class ClientAddressScopedThrottle(ScopedRateThrottle):
    def get_ident(self, request: Any) -> str:
        return client_ip(request) or "unknown"
