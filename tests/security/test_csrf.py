"""CSRF is enforced on every state-changing request to every screen.

A client with Django's CSRF checks switched on (as a browser meets them) sends POST, PUT,
PATCH and DELETE without a token to every URL of the matrix, as a role the matrix lets
through (so the refusal is CSRF's, not the access rule's), and as nobody: each answers
403 and nothing in the database changes. A control shows that the same client with the
token gets past the check, so the 403s are not vacuous.

The API (``api:*``) is tested apart: DRF's session authentication enforces CSRF for
signed-in browser sessions; token authentication does not need it (a token is not sent
by the browser on its own, so a forged cross-site request cannot carry it) — that is
expected with token auth.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from . import matrix as m
from .runner import Clients, fingerprint, send, targets, url_for, url_patterns, write_data, writes
from .scene import rolled_back

# Under xdist the package shares one worker: the scene is built once (conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("security")]

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

# Exempt by design: NemLog-in posts its answers from its own site, so no token can come with
# them; what guards them is SAML's own — a signed assertion for this audience, answering a
# request this browser made, used once (tests/nemlogin prove each refusal).
SAML_ENDPOINTS = {"nemlogin:acs", "nemlogin:ls"}


def _screen_requests(scene: SimpleNamespace) -> list[tuple[str, str, str]]:
    """(pattern name, url, role): every screen URL and target, with a role it lets in."""
    found = []
    for pattern in url_patterns():
        if pattern.name in m.EXCLUDED or pattern.name.startswith("api:"):
            continue
        if pattern.name in SAML_ENDPOINTS:
            view = resolve(reverse(pattern.name)).func
            assert getattr(view, "csrf_exempt", False), pattern.name
            continue
        entry = m.MATRIX.get(pattern.name)
        if entry is None:
            continue  # test_matrix.py fails on it
        for label, kwargs in targets(entry.targets, scene):
            url = url_for(pattern, kwargs)
            if url is None:
                continue
            let_in = [r for r in m.ROLES if entry.expect(r, label, "POST") in (m.ALLOW, m.FLOW)]
            found.append((pattern.name, url, let_in[0] if let_in else m.CASE_OFFICER))
    return found


def test_every_write_to_every_screen_without_a_token_is_refused(scene: SimpleNamespace) -> None:
    clients = Clients(scene.world, enforce_csrf_checks=True)
    before = fingerprint()
    requests = _screen_requests(scene)
    assert len({name for name, _url, _role in requests}) > 40
    failures = []
    tried = 0
    for name, url, role in requests:
        for who, methods in ((role, WRITE_METHODS), (m.ANONYMOUS, ("POST",))):
            for method in methods:
                with rolled_back(), CaptureQueriesContext(connection) as queries:
                    response = send(clients[who], method, url, write_data(scene))
                    wrote = writes(queries.captured_queries)
                    changed = fingerprint() != before
                tried += 1
                if response.status_code != 403 or wrote or changed:
                    failures.append(
                        f"{method} {url} [{name}] as {who}: HTTP {response.status_code}"
                        + (f", wrote {wrote}" if wrote else "")
                        + (", the database changed" if changed else "")
                    )
    assert tried > 1000
    assert not failures, f"{len(failures)} writes got past CSRF:\n" + "\n".join(failures[:40])


def test_the_same_write_with_the_token_gets_past_the_check(scene: SimpleNamespace) -> None:
    """The control: the refusal above is CSRF's. carl edits a meeting, with and without."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(scene.world.carl)
    url = reverse("meetings:meeting_edit", args=[scene.meetings["council"].pk])
    client.get(url)  # sets the CSRF cookie, as the browser's first visit does
    token = client.cookies["csrftoken"].value
    data = {"date": "2027-02-02", "members_present": [scene.world.erik.pk]}
    with rolled_back():
        assert client.post(url, data).status_code == 403
    with rolled_back():
        response = client.post(url, {**data, "csrfmiddlewaretoken": token})
        assert response.status_code in (200, 302, 400), response.status_code
        assert response.status_code != 403


def _api_writes(scene: SimpleNamespace) -> list[tuple[str, str, str, str]]:
    """(pattern name, method, url, role) for every API write the matrix lets a role do."""
    found = []
    for pattern in url_patterns():
        entry = m.MATRIX.get(pattern.name)
        if not pattern.name.startswith("api:") or entry is None:
            continue
        for label, kwargs in targets(entry.targets, scene):
            url = url_for(pattern, kwargs)
            for method in ("POST", "PATCH"):
                let_in = [
                    r
                    for r in m.ROLES
                    if r != m.ANONYMOUS and entry.expect(r, label, method) in (m.ALLOW, m.FLOW)
                ]
                if url is not None and let_in:
                    found.append((pattern.name, method, url, let_in[0]))
    return found


def test_api_writes_by_session_need_the_csrf_token(scene: SimpleNamespace) -> None:
    """Signed in by the browser's session, every API write without a CSRF token is 403
    and changes nothing (DRF's SessionAuthentication enforces CSRF for a session user)."""
    writes_ = [w for w in _api_writes(scene) if w[0] != "api:api_token"]
    assert len({name for name, *_ in writes_}) >= 6, writes_
    clients = Clients(scene.world, enforce_csrf_checks=True)
    before = fingerprint()
    failures = []
    for name, method, url, role in writes_:
        with rolled_back(), CaptureQueriesContext(connection) as queries:
            response = send(clients[role], method, url, write_data(scene))
            wrote = writes(queries.captured_queries)
            changed = fingerprint() != before
        if response.status_code != 403 or wrote or changed:
            failures.append(f"{method} {url} [{name}] as {role}: HTTP {response.status_code}")
    assert not failures, "API writes by session without CSRF token:\n" + "\n".join(failures)


def test_api_writes_by_token_do_not_need_csrf(scene: SimpleNamespace) -> None:
    """With an API token in the Authorization header CSRF does not apply, and that is
    expected: a browser never adds the header by itself, so a forged cross-site request
    cannot carry the token. The same writes get past the check (2xx/4xx other than 403)."""
    from api.models import ApiToken

    failures = []
    for name, method, url, role in _api_writes(scene):
        if name == "api:api_token":
            continue  # takes a password, not a token; it sets no session
        user = getattr(scene.world, m.USERNAMES[role])
        client = Client(enforce_csrf_checks=True)
        with rolled_back():
            _token, key = ApiToken.issue(user)
            response = send(
                client, method, url, write_data(scene), headers={"Authorization": f"Token {key}"}
            )
        if response.status_code in (401, 403, 415):
            failures.append(f"{method} {url} [{name}] as {role}: HTTP {response.status_code}")
    assert not failures, "token writes refused:\n" + "\n".join(failures)
