"""Login lockout (django-axes), session keys, logout, deactivation, idle and absolute timeouts."""

from __future__ import annotations

import datetime
import logging
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import UserSession

pytestmark = pytest.mark.django_db


PASSWORD = "pw"  # the test factory's password


def login(client: Client, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, **extra
    )


def test_repeated_wrong_passwords_lock_the_username_out(world: Any, caplog: Any) -> None:
    client = Client()
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert login(client, "carl", "wrong").status_code == 200  # the form, with its error
    with caplog.at_level(logging.WARNING, logger="puljeflow.security"):
        locked = login(client, "carl", "wrong")
    assert locked.status_code == 429
    assert (
        "Login er midlertidigt spærret" in locked.content.decode()  # the Danish page
    )
    assert any(r.getMessage().startswith("lockout") for r in caplog.records)
    # Now even the right password is refused: no session is created.
    again = login(client, "carl", "pw")
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another user from the same address, and carl from another address, can still log in.
    assert login(Client(), "erik").status_code == 302
    assert login(Client(REMOTE_ADDR="10.0.0.9"), "carl").status_code == 302


def test_the_lockout_ends_after_the_cool_off_time(world: Any) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "carl", "wrong")
    assert login(client, "carl").status_code == 429
    later = timezone.now() + settings.AXES_COOLOFF_TIME + datetime.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert login(client, "carl").status_code == 302


def test_login_gives_a_new_session_key(world: Any) -> None:
    client = Client()
    session = client.session
    session["language_hint"] = "da"
    session.save()
    before = session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = before
    assert login(client, "anna").status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert UserSession.objects.filter(user=world.anna, session_key=after).exists()


def test_logout_is_post_only_and_ends_the_session(world: Any) -> None:
    client = Client()
    login(client, "anna")
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert Session.objects.filter(session_key=key).exists()
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(session_key=key).exists()
    assert client.get(reverse("applications:my_applications")).status_code == 302


def test_deactivating_a_user_ends_all_their_sessions(world: Any) -> None:
    laptop, phone, colleague = Client(), Client(), Client()
    login(laptop, "carl")
    login(phone, "carl")
    login(colleague, "erik")
    assert laptop.get(reverse("inbox:staff_rounds")).status_code == 200
    world.carl.is_active = False
    world.carl.save()
    for client in (laptop, phone):
        response = client.get(reverse("inbox:staff_rounds"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert not UserSession.objects.filter(user=world.carl).exists()
    # Only carl's sessions ended.
    assert colleague.get(reverse("inbox:staff_rounds")).status_code == 200


def test_an_idle_session_ends(world: Any, settings: Any) -> None:
    settings.PULJEFLOW_SESSION_IDLE_SECONDS = 30 * 60
    start = timezone.now()
    client = Client()
    with time_machine.travel(start, tick=False):
        login(client, "carl")
    with time_machine.travel(start + datetime.timedelta(minutes=29), tick=False):
        assert client.get(reverse("inbox:staff_rounds")).status_code == 200
    # 29 minutes later again: still fine, the last request counts.
    with time_machine.travel(start + datetime.timedelta(minutes=58), tick=False):
        assert client.get(reverse("inbox:staff_rounds")).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=90), tick=False):
        response = client.get(reverse("inbox:staff_rounds"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_busy_session_still_ends_at_the_absolute_limit(world: Any, settings: Any) -> None:
    settings.PULJEFLOW_SESSION_IDLE_SECONDS = 30 * 60
    settings.PULJEFLOW_SESSION_MAX_SECONDS = 2 * 3600
    start = timezone.now()
    client = Client()
    with time_machine.travel(start, tick=False):
        login(client, "carl")
    for minutes in range(20, 120, 20):
        with time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False):
            assert client.get(reverse("inbox:staff_rounds")).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=121), tick=False):
        assert client.get(reverse("inbox:staff_rounds")).status_code == 302


def test_csrf_is_enforced_on_login(world: Any, caplog: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    with caplog.at_level(logging.WARNING, logger="puljeflow.security"):
        response = login(client, "anna")
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    assert any("refused status=403 method=POST" in r.getMessage() for r in caplog.records)
    # With the token from the form it works.
    page = client.get(reverse("accounts:login"))
    token = page.context["csrf_token"]
    ok = client.post(
        reverse("accounts:login"),
        {"username": "anna", "password": "pw", "csrfmiddlewaretoken": token},
    )
    assert ok.status_code == 302


def test_refusals_are_logged_with_who_what_and_when(world: Any, draft: Any, caplog: Any) -> None:
    client = Client()
    client.force_login(world.bo)  # not anna's association: 404
    with caplog.at_level(logging.WARNING, logger="puljeflow.security"):
        assert (
            client.get(reverse("applications:application_detail", args=[draft.pk])).status_code
            == 404
        )
    [line] = [r.getMessage() for r in caplog.records if r.name == "puljeflow.security"]
    assert f"refused status=404 method=GET path=/applications/{draft.pk}/" in line
    assert f"user={world.bo.pk}" in line and " at=" in line
    caplog.clear()
    # The same page for anna is no refusal and logs nothing.
    client.force_login(world.anna)
    with caplog.at_level(logging.WARNING, logger="puljeflow.security"):
        assert (
            client.get(reverse("applications:application_detail", args=[draft.pk])).status_code
            == 200
        )
    assert not [r for r in caplog.records if r.name == "puljeflow.security"]
