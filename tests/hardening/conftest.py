from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


@pytest.fixture
def as_user(client: Client) -> Any:
    """as_user(world.carl) -> a client logged in as carl (no second factor given yet)."""

    def login(user: Any) -> Client:
        client.logout()
        client.force_login(user)
        return client

    return login


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key):06d}"


def enrol(user: Any) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
