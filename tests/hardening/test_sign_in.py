"""Sign-in: the throttle and lockout key on the real client address; tokens end with
the password and the account."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.forms import PasswordChangeForm
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.client_address import client_ip
from api.models import ApiToken

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token"


@pytest.fixture(autouse=True)
def _fresh_throttles() -> Any:
    # DRF's throttle history lives in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


def _ask_token(client: APIClient, password: str, forwarded: str, username: str = "bo") -> Any:
    return client.post(
        TOKEN,
        {"username": username, "password": password},
        format="json",
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.1", "10.1.1.1"),  # no proxy: the header is the client's claim
        (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # our proxy appended the right-most
        (2, "198.51.100.1, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (3, "203.0.113.7", "203.0.113.7"),  # fewer hops than proxies: the left-most
        (1, "not-an-address", "10.1.1.1"),  # garbage from a proxy: REMOTE_ADDR
        (1, "", "10.1.1.1"),
    ],
)
def test_the_client_address_trusts_only_the_configured_proxies(
    settings: Any, proxies: int, forwarded: str, expected: str
) -> None:
    settings.PULJEFLOW_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_a_new_forwarded_for_header_per_request_does_not_escape_the_token_throttle(
    world: Any,
) -> None:
    client = APIClient()
    # A new username each time, so that the per-username lockout (django-axes) does not
    # answer: this is the address throttle alone.
    codes = [
        _ask_token(client, "wrong", f"198.51.100.{i}", username=f"guess{i}").status_code
        for i in range(12)
    ]
    assert codes[0] == 400
    assert codes[-1] == 429
    # The real address is throttled: even the right password, from a "new" address, is refused.
    assert _ask_token(client, "pw", "192.0.2.200").status_code == 429
    assert not ApiToken.objects.filter(user=world.bo).exists()


def test_behind_one_proxy_the_token_throttle_keys_on_the_right_most_address(
    world: Any, settings: Any
) -> None:
    settings.PULJEFLOW_TRUSTED_PROXIES = 1
    client = APIClient()
    codes = [
        _ask_token(client, "wrong", f"198.51.100.{i}, 203.0.113.7", f"guess{i}").status_code
        for i in range(12)
    ]
    assert codes[-1] == 429
    # Another client behind the same proxy is not throttled.
    assert _ask_token(client, "pw", "203.0.113.8", username="anna").status_code == 201


def _login(client: Client, password: str, forwarded: str) -> Any:
    return client.post(
        reverse("accounts:login"),
        {"username": "carl", "password": password},
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_a_new_forwarded_for_header_per_request_does_not_escape_the_login_lockout(
    world: Any,
) -> None:
    client = Client()
    codes = [
        _login(client, "wrong", f"198.51.100.{i}").status_code
        for i in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert codes[0] == 200 and codes[-1] == 429
    again = _login(client, "pw", "192.0.2.200")
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_behind_one_proxy_the_lockout_keys_on_the_right_most_address(
    world: Any, settings: Any
) -> None:
    settings.PULJEFLOW_TRUSTED_PROXIES = 1
    client = Client()
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong", f"198.51.100.{i}, 203.0.113.7")
    assert _login(client, "pw", "192.0.2.1, 203.0.113.7").status_code == 429
    # carl from another address behind the proxy can still sign in.
    assert _login(Client(), "pw", "203.0.113.8").status_code == 302


def test_the_security_log_names_the_real_address(world: Any, caplog: Any) -> None:
    client = Client(REMOTE_ADDR="10.2.2.2")
    with caplog.at_level(logging.WARNING, logger="puljeflow.security"):
        client.get("/no-such-page/", HTTP_X_FORWARDED_FOR="198.51.100.66")
    [line] = [r.getMessage() for r in caplog.records if r.name == "puljeflow.security"]
    assert "ip=10.2.2.2" in line and "198.51.100.66" not in line


def _token_client(user: Any) -> APIClient:
    _token, key = ApiToken.issue(user)
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}")


def test_a_password_change_revokes_every_api_token(world: Any) -> None:
    laptop, script = _token_client(world.anna), _token_client(world.anna)
    colleague = _token_client(world.bo)
    assert laptop.get("/api/v1/me").status_code == 200
    world.anna.set_password("a new and long password")
    world.anna.save()
    assert laptop.get("/api/v1/me").status_code == 401
    assert script.get("/api/v1/me").status_code == 401
    assert not ApiToken.objects.filter(user=world.anna).exists()
    # Only anna's tokens ended.
    assert colleague.get("/api/v1/me").status_code == 200


def test_the_password_change_form_revokes_the_tokens_too(world: Any) -> None:
    api = _token_client(world.anna)
    form = PasswordChangeForm(
        world.anna,
        {
            "old_password": "pw",
            "new_password1": "Kaffe og kage 2027",
            "new_password2": "Kaffe og kage 2027",
        },
    )
    assert form.is_valid(), form.errors
    form.save()
    assert api.get("/api/v1/me").status_code == 401


def test_an_unrelated_save_keeps_the_tokens(world: Any) -> None:
    api = _token_client(world.anna)
    world.anna.first_name = "Anne"
    world.anna.save()
    world.anna.save(update_fields=["last_login"])
    assert api.get("/api/v1/me").status_code == 200


def test_deactivation_revokes_the_tokens_for_good(world: Any) -> None:
    api = _token_client(world.anna)
    world.anna.is_active = False
    world.anna.save()
    assert api.get("/api/v1/me").status_code == 401
    # Made active again, the account does not find its old tokens alive.
    world.anna.is_active = True
    world.anna.save()
    assert api.get("/api/v1/me").status_code == 401
    assert not ApiToken.objects.filter(user=world.anna).exists()
