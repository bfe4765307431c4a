"""Every endpoint × every role that must be refused, beside a role that is allowed.

Another association's or municipality's objects answer 404 (their existence does not
leak); what a user can see but not do answers 403; no credentials answer 401.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Meeting
from tests.conftest import advance
from tests.factories import PDF_BYTES, ApplicationFactory, GrantRoundFactory

A = "/api/v1/applications/{app}"
M = "/api/v1/meetings/{meeting}"

# (method, path, scene, body kind) -> [(user, expected status), …]
CASES: list[tuple[str, str, str, str, list[tuple[str | None, int]]]] = [
    (
        "get",
        A,
        "draft",
        "",
        [
            (None, 401),
            ("bo", 404),
            ("helle", 404),
            ("ivan", 404),
            ("anna", 200),
            ("carl", 200),
            ("gustav", 200),
        ],
    ),
    (
        "patch",
        A,
        "draft",
        "patch",
        [
            (None, 401),
            ("bo", 404),
            ("helle", 404),
            ("carl", 403),
            ("gustav", 403),
            ("erik", 403),
            ("anna", 200),
        ],
    ),
    ("patch", A, "review", "patch", [("anna", 403)]),
    (
        "get",
        A + "/attachments",
        "draft",
        "",
        [(None, 401), ("bo", 404), ("helle", 404), ("anna", 200), ("gustav", 200)],
    ),
    (
        "post",
        A + "/attachments",
        "draft",
        "upload",
        [(None, 401), ("bo", 404), ("helle", 404), ("carl", 403), ("gustav", 403), ("anna", 201)],
    ),
    ("post", A + "/attachments", "review", "upload", [("anna", 403)]),
    (
        "get",
        A + "/transitions",
        "draft",
        "",
        [(None, 401), ("bo", 404), ("helle", 404), ("gustav", 200), ("anna", 200)],
    ),
    (
        "post",
        A + "/transitions/submit",
        "draft",
        "json",
        [
            (None, 401),
            ("bo", 404),
            ("helle", 404),
            ("carl", 403),
            ("gustav", 403),
            ("erik", 403),
            ("anna", 200),
        ],
    ),
    ("post", A + "/transitions/accept", "draft", "json", [("anna", 403), ("carl", 409)]),
    (
        "post",
        A + "/transitions/recommend",
        "review",
        "recommend",
        [
            ("dorte", 403),
            ("carl", 403),
            ("frida", 403),
            ("anna", 403),
            ("bo", 404),
            ("helle", 404),
            ("erik", 200),
        ],
    ),
    ("post", A + "/transitions/no_such_action", "draft", "json", [("anna", 404)]),
    (
        "get",
        A + "/trail",
        "review",
        "",
        [(None, 401), ("bo", 404), ("helle", 404), ("ivan", 404), ("gustav", 200), ("anna", 200)],
    ),
    (
        "post",
        A + "/conflicts",
        "review",
        "conflict",
        [
            (None, 401),
            ("anna", 403),
            ("carl", 403),
            ("gustav", 403),
            ("bo", 404),
            ("helle", 404),
            ("ivan", 404),
            ("erik", 201),
        ],
    ),
    (
        "post",
        A + "/assessments",
        "review",
        "assessment",
        [
            (None, 401),
            ("anna", 403),
            ("carl", 403),
            ("frida", 403),
            ("gustav", 403),
            ("dorte", 403),
            ("bo", 404),
            ("helle", 404),
            ("erik", 201),
        ],
    ),
    (
        "post",
        "/api/v1/meetings",
        "review",
        "meeting",
        [
            (None, 401),
            ("anna", 403),
            ("bo", 403),
            ("erik", 403),
            ("frida", 403),
            ("gustav", 403),
            ("helle", 400),
            ("carl", 201),
        ],
    ),
    (
        "get",
        M,
        "review",
        "",
        [
            (None, 401),
            ("anna", 404),
            ("bo", 404),
            ("helle", 404),
            ("ivan", 404),
            ("gustav", 200),
            ("erik", 200),
        ],
    ),
    (
        "post",
        M + "/items",
        "review",
        "item",
        [(None, 401), ("anna", 404), ("helle", 404), ("erik", 403), ("gustav", 403), ("carl", 201)],
    ),
    (
        "get",
        M + "/minutes",
        "review",
        "",
        [
            (None, 401),
            ("anna", 404),
            ("helle", 404),
            ("ivan", 404),
            ("gustav", 200),
            ("frida", 200),
        ],
    ),
    (
        "get",
        "/api/v1/rounds/{closed_round}",
        "draft",
        "",
        [(None, 401), ("anna", 404), ("helle", 404), ("carl", 200)],
    ),
    ("get", "/api/v1/me", "draft", "", [(None, 401), ("anna", 200)]),
    ("get", "/api/v1/rounds", "draft", "", [(None, 401), ("anna", 200)]),
    ("get", "/api/v1/associations", "draft", "", [(None, 401), ("anna", 200)]),
    ("get", "/api/v1/applications", "draft", "", [(None, 401), ("anna", 200)]),
    (
        "post",
        "/api/v1/applications",
        "draft",
        "create",
        [(None, 401), ("gustav", 403), ("erik", 403), ("bo", 400), ("anna", 201)],
    ),
    ("get", "/api/v1/meetings", "draft", "", [(None, 401), ("anna", 200)]),
]

PARAMS = [
    pytest.param(
        method, path, scene, body, user, expected, id=f"{method} {path} {scene} {user} {expected}"
    )
    for method, path, scene, body, rows in CASES
    for user, expected in rows
]


def _body(kind: str, world: Any, app: Any, meeting: Meeting | None) -> tuple[Any, str | None]:
    if kind == "patch":
        return {"title": "Ny titel"}, "json"
    if kind == "upload":
        return {"kind": "other", "file": SimpleUploadedFile("x.pdf", PDF_BYTES)}, "multipart"
    if kind == "recommend":
        return {"outcome": "grant", "meeting": meeting.pk if meeting else None}, "json"
    if kind == "conflict":
        return {"reason": "Min søster er formand"}, "json"
    if kind == "assessment":
        return {"meeting": meeting.pk if meeting else 0, "outcome": "grant"}, "json"
    if kind == "meeting":
        return {"round": world.round.pk, "body": "council", "date": "2027-03-01"}, "json"
    if kind == "item":
        return {"application": app.pk}, "json"
    if kind == "create":
        return {"round": world.round.pk, "association": world.a.pk, "title": "Ny"}, "json"
    return {}, "json"


@pytest.mark.parametrize("method,path,scene,body,user,expected", PARAMS)
def test_endpoint_answers_each_role(
    world: Any,
    api: Any,
    method: str,
    path: str,
    scene: str,
    body: str,
    user: str | None,
    expected: int,
) -> None:
    app = ApplicationFactory(round=world.round, association=world.a)
    app.focus_areas.set([world.focus])
    meeting = None
    if scene == "review":
        app = advance(app, world, to="in_council_review")
        meeting = Meeting.objects.get(round=world.round, body="council")
    else:
        meeting = Meeting.objects.create(
            round=world.round, body="council", date=datetime.date(2026, 2, 1)
        )
    closed = GrantRoundFactory(
        municipality=world.roskilde,
        opens_at=world.round.opens_at - datetime.timedelta(days=400),
        deadline=world.round.opens_at - datetime.timedelta(days=300),
    )
    url = path.format(app=app.pk, meeting=meeting.pk, closed_round=closed.pk)
    data, fmt = _body(body, world, app, meeting)
    client = api(getattr(world, user) if user else None)
    response = (
        getattr(client, method)(url, data, format=fmt) if method != "get" else client.get(url)
    )
    assert response.status_code == expected, response.content
    assert response["Content-Type"].startswith("application/json")
    if expected >= 400:
        assert isinstance(response.json(), dict) and response.json()
