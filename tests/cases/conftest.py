from __future__ import annotations

from typing import Any

import pytest
from django.test import Client


@pytest.fixture
def as_user(client: Client) -> Any:
    """as_user(world.anna) -> a client logged in as anna."""

    def login(user: Any) -> Client:
        client.logout()
        client.force_login(user)
        return client

    return login
