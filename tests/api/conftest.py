"""api(user) -> a client that sends ``Authorization: Token …`` for that user."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api.models import ApiToken
from cases.roles import forget_profile


@pytest.fixture(autouse=True)
def _fresh_throttles() -> Any:
    # DRF's throttle history lives in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api() -> Any:
    clients: dict[int, APIClient] = {}

    def client_for(user: Any) -> APIClient:
        if user is None:
            return APIClient()
        if user.pk not in clients:
            _token, key = ApiToken.issue(user)
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
            clients[user.pk] = client
        forget_profile(user)
        return clients[user.pk]

    return client_for
