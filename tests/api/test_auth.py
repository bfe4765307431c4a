"""Signing in to the API: hashed tokens, wrong passwords, throttling, two-factor staff."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from api.models import ApiToken, hash_key

TOKEN = "/api/v1/auth/token"


def test_it_issues_a_token_and_stores_only_its_hash(world: Any) -> None:
    response = APIClient().post(TOKEN, {"username": "anna", "password": "pw"}, format="json")
    assert response.status_code == 201, response.json()
    key = response.json()["token"]
    stored = ApiToken.objects.get(user=world.anna)
    assert stored.key_hash == hash_key(key)
    assert key not in stored.key_hash
    me = APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["username"] == "anna"


def test_it_answers_400_with_a_message_for_a_wrong_password(world: Any) -> None:
    response = APIClient().post(TOKEN, {"username": "anna", "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_it_throttles_repeated_attempts(world: Any, settings: Any) -> None:
    client = APIClient()
    codes = [
        client.post(TOKEN, {"username": "bo", "password": f"wrong{i}"}, format="json").status_code
        for i in range(12)
    ]
    assert codes[0] == 400
    assert codes[-1] == 429


def test_it_refuses_no_token_a_bad_token_and_an_expired_token(world: Any) -> None:
    assert APIClient().get("/api/v1/me").status_code == 401
    assert APIClient(HTTP_AUTHORIZATION="Token nonsense").get("/api/v1/me").status_code == 401
    token, key = ApiToken.issue(world.anna)
    token.expires_at = timezone.now() - timedelta(seconds=1)
    token.save()
    assert APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/me").status_code == 401


def test_a_token_can_be_revoked(world: Any) -> None:
    _token, key = ApiToken.issue(world.anna)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.delete(TOKEN).status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_the_browser_session_works_too(world: Any, client: Client) -> None:
    client.force_login(world.anna)
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == "anna"


def _two_factor(world: Any) -> TOTPDevice:
    world.roskilde.require_two_factor = True
    world.roskilde.save()
    return TOTPDevice.objects.create(user=world.carl, name="app", confirmed=True)


def test_two_factor_staff_need_a_code_for_a_token(world: Any) -> None:
    device = _two_factor(world)
    client = APIClient()
    missing = client.post(TOKEN, {"username": "carl", "password": "pw"}, format="json")
    assert missing.status_code == 400
    assert "otp" in missing.json()
    wrong = client.post(
        TOKEN, {"username": "carl", "password": "pw", "otp": "000000"}, format="json"
    )
    assert wrong.status_code == 400
    assert "otp" in wrong.json()
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    device.refresh_from_db()
    device.throttle_reset()  # the wrong code made the device wait a second
    right = client.post(TOKEN, {"username": "carl", "password": "pw", "otp": code}, format="json")
    assert right.status_code == 201, right.json()
    # An applicant is never asked for a code.
    assert (
        client.post(TOKEN, {"username": "anna", "password": "pw"}, format="json").status_code == 201
    )


def test_two_factor_staff_need_a_verified_session(world: Any, client: Client) -> None:
    _two_factor(world)
    client.force_login(world.carl)
    response = client.get("/api/v1/me")
    assert response.status_code == 403
    client.force_login(world.anna)
    assert client.get("/api/v1/me").status_code == 200
