"""Running the matrix: URL enumeration, targets, clients per role, classification, the
write detector (no GET changes data) and the refusal-log listener."""

from __future__ import annotations

import copy
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from workflows.engine import TRANSITION_NAMES

from ..factories import PDF_BYTES
from . import matrix as m
from .scene import STATES

SECURITY_LOGGER = "puljeflow.security"


# --- the URL patterns of the project ---------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    name: str  # with its namespace: "api:..."
    route: str
    params: frozenset[str]


def url_patterns(
    resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""
) -> list[Pattern]:
    """Every named pattern, the admin's left out as a group (see test_admin.py)."""
    found: list[Pattern] = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            route = prefix + str(pattern.pattern)
            if route.startswith("admin/"):
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += url_patterns(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"unnamed URL pattern {prefix}{pattern.pattern}: name it"
            found.append(
                Pattern(
                    namespace + pattern.name,
                    prefix + str(pattern.pattern),
                    frozenset(pattern.pattern.converters),
                )
            )
    return found


# --- what each URL is tried on ---------------------------------------------------------------


def targets(kind: str, scene: SimpleNamespace) -> list[tuple[str, dict[str, Any]]]:
    """(label, kwargs) for every object of the scene a URL of this kind can name."""
    w = scene.world
    apps_ = scene.applications
    if kind == "none":
        return [("-", {})]
    if kind == "notification":
        return [("annas", {"pk": scene.notification.pk})]
    if kind == "outbox":
        return [("any", {}), ("own", {"municipality_pk": w.roskilde.pk})]
    if kind == "association":
        return [("a", {"pk": w.a.pk}), ("b", {"pk": w.b.pk})]
    if kind == "application":
        return [(state, {"pk": apps_[state].pk}) for state in STATES]
    if kind == "application_step":  # a step of the guided application (issue 17)
        return [(state, {"pk": apps_[state].pk, "step": "activity"}) for state in STATES]
    if kind == "attachment":
        return [(state, {"pk": scene.attachments[state].pk}) for state in STATES]
    if kind == "report_attachment":
        return [(state, {"pk": a.pk}) for state, a in scene.report_attachments.items()]
    if kind == "received_document":
        return [(label, {"pk": d.pk}) for label, d in scene.received_documents.items()]
    if kind == "hearing_attachment":
        return [(state, {"pk": a.pk}) for state, a in scene.hearing_attachments.items()]
    if kind == "document":
        return [(state, {"pk": d.pk}) for state, d in scene.documents.items()]
    if kind == "act":
        unknown = TRANSITION_NAMES - set(m.TRANSITIONS)
        assert not unknown, f"transitions {sorted(unknown)}: say in matrix.TRANSITIONS who may"
        return [
            (f"{state}:{name}", {"pk": apps_[state].pk, "name": name})
            for state in STATES
            for name in sorted(TRANSITION_NAMES)
        ]
    if kind == "act_get":  # the form page: one action per state is enough for GET
        return [
            (f"{state}:withdraw", {"pk": apps_[state].pk, "name": "withdraw"}) for state in STATES
        ]
    if kind == "round":
        return [("own", {"pk": w.round.pk}), ("other_municipality", {"pk": w.other_round.pk})]
    if kind == "meeting":
        return [(label, {"pk": meeting.pk}) for label, meeting in scene.meetings.items()]
    if kind == "meeting_application":
        council, committee = scene.meetings["council"], scene.meetings["committee"]
        return [
            (f"council:{state}", {"pk": council.pk, "application_pk": apps_[state].pk})
            for state in STATES[:-1]
        ] + [
            (
                "committee:recommended",
                {"pk": committee.pk, "application_pk": apps_["recommended"].pk},
            )
        ]
    if kind == "declaration":
        return [("dortes", {"pk": scene.declaration.pk})]
    if kind == "access_request":
        return [(label, {"pk": r.pk}) for label, r in scene.access_requests.items()]
    if kind == "cvr":  # issue 18: a CVR number the local fake register knows
        return [("found", {"cvr": "10000017"})]
    if kind == "public":  # issue 18: a municipality's public pages, by its slug
        return [(place, {"slug": getattr(w, place).slug}) for place in ("roskilde", "naestved")]
    if kind == "public_round":  # a call page: a round of the municipality named
        return [
            ("roskilde", {"slug": w.roskilde.slug, "pk": w.round.pk}),
            ("naestved", {"slug": w.naestved.slug, "pk": w.other_round.pk}),
        ]
    if kind == "feedback_summary":  # issue 20, voice: a yearly summary in each municipality
        return [(label, {"pk": s.pk}) for label, s in scene.feedback_summaries.items()]
    if kind == "round_export":  # a ready export of each municipality's round, by its officer
        return [(label, {"pk": e.pk}) for label, e in scene.round_exports.items()]
    if kind == "payment_run":  # issue 18: a run in each municipality
        return [(label, {"pk": r.pk}) for label, r in scene.payment_runs.items()]
    if kind == "association_directory":  # issue 20: an association's entry in Roskilde
        return [
            (label, {"pk": x.pk, "slug": w.roskilde.slug}) for label, x in (("a", w.a), ("b", w.b))
        ]
    if kind == "directory_entry":  # issue 20: a public directory page; nobody is listed
        return [("unlisted", {"slug": w.roskilde.slug, "pk": w.a.pk})]
    raise AssertionError(f"no targets of kind {kind!r}")


def url_for(pattern: Pattern, kwargs: dict[str, Any]) -> str | None:
    """The URL of ``pattern`` for ``kwargs``; None when they are not this pattern's
    parameters (two patterns can share a name, e.g. the outbox with and without a pk)."""
    # The rounds' meeting pages call the round "round_pk".
    if "pk" in kwargs and "pk" not in pattern.params and "round_pk" in pattern.params:
        kwargs = {"round_pk": kwargs["pk"], **{k: v for k, v in kwargs.items() if k != "pk"}}
    if set(kwargs) != pattern.params:
        return None
    return reverse(pattern.name, kwargs=kwargs)


def write_data(scene: SimpleNamespace) -> dict[str, Any]:
    """Plausible input for every form of the project (what a real write would send), so
    that a refusal is the access rule's and not the form's."""
    w = scene.world
    return {
        "reason": "Matrix",
        "question": "?",
        "answer": "!",
        "outcome": "grant",
        "amount": "1000",
        "reference": "UDB-9",
        "paid_on": "2027-04-01",
        "description": "Vi holdt lektiecafé",
        "amount_spent": "1000",
        "meeting": scene.meetings["council"].pk,
        "confirm_overrun": "on",
        "overrun_reason": "x",
        "comment": "x",
        "conflicted": "yes",
        "date": "2027-05-01",
        "body": "council",
        "members_present": [w.erik.pk],
        "applications": [scene.applications["submitted"].pk],
        "application": scene.applications["in_council_review"].pk,
        "title": "Ændret",
        "kind": "budget",
        "file": SimpleUploadedFile("x.pdf", PDF_BYTES, "application/pdf"),
        "form-TOTAL_FORMS": "0",
        "form-INITIAL_FORMS": "0",
        "code": "000000",
        "round": w.round.pk,
        "username": "nobody",
        "password": "wrong",
    }


# --- clients ---------------------------------------------------------------------------------


class Clients:
    """One signed-in client per role; each request starts from the role's fresh session
    cookie, so a logout (or anything else a response sets) does not carry over."""

    def __init__(self, world: SimpleNamespace, *, enforce_csrf_checks: bool = False) -> None:
        self._clients: dict[str, Client] = {}
        self._cookies: dict[str, Any] = {}
        for role in m.ROLES:
            client = Client(enforce_csrf_checks=enforce_csrf_checks, raise_request_exception=False)
            if role != m.ANONYMOUS:
                client.force_login(getattr(world, m.USERNAMES[role]))
            self._clients[role] = client
            self._cookies[role] = copy.deepcopy(client.cookies)

    def __getitem__(self, role: str) -> Client:
        client = self._clients[role]
        client.cookies = copy.deepcopy(self._cookies[role])
        return client


# API endpoints that take a file (multipart); the rest of the API takes JSON.
MULTIPART_API = ("/attachments", "/received-documents")


def send(
    client: Client,
    method: str,
    url: str,
    data: dict[str, Any] | None,
    headers: dict[str, str] | None = None,
) -> Any:
    if method == "GET":
        return client.get(url, headers=headers)
    is_json_api = url.startswith("/api/") and not url.endswith(MULTIPART_API)
    if method == "POST" and not is_json_api:
        return client.post(url, data or {}, headers=headers)
    # The API's JSON, and PUT/PATCH/DELETE: JSON, as an API client sends it (no file).
    body = {k: True if v == "on" else v for k, v in (data or {}).items() if k != "file"}
    return getattr(client, method.lower())(
        url, body, content_type="application/json", headers=headers
    )


def classify(response: HttpResponse, pattern_name: str) -> str:
    code = response.status_code
    if code == 401:  # the API without credentials
        return m.LOGIN
    if 300 <= code < 400:
        target = urlsplit(response.get("Location", "")).path
        if target == reverse("accounts:login") and pattern_name not in m.LOGIN_IS_SUCCESS:
            return m.LOGIN
        return m.ALLOW
    if 200 <= code < 300:
        return m.ALLOW
    if code in (400, 409):
        return m.FLOW
    return str(code)


def matches(expected: str, got: str, method: str) -> bool:
    """Whether ``got`` is what the matrix expects (see matrix.py for the outcome classes)."""
    if expected == m.ALLOW and method != "GET":
        return got in (m.ALLOW, m.FLOW)  # access granted; the form or flow may say no
    return got == expected


# --- no GET changes data ---------------------------------------------------------------------

# Sessions are the user's own state (a GET may keep a setup key there); axes keeps its
# own books on login attempts. Neither is case data.
NOT_DATA = ("django_session", "axes_")


def writes(queries: list[dict[str, Any]]) -> list[str]:
    """The INSERT/UPDATE/DELETE statements among ``queries`` (not on sessions)."""
    found = []
    for query in queries:
        sql = query["sql"].lstrip().upper()
        if sql.startswith(("INSERT", "UPDATE", "DELETE", "REPLACE")) and not any(
            table.upper() in sql for table in NOT_DATA
        ):
            found.append(query["sql"][:160])
    return found


def fingerprint() -> list[tuple[Any, ...]]:
    """Row count, highest primary key and newest ``updated_at``/``created_at`` of every
    table of the project's models (history and transition records included), in one query."""
    selects = []
    qn = connection.ops.quote_name
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        if table.startswith(NOT_DATA):
            continue
        columns = {f.column for f in model._meta.concrete_fields}
        pk = qn(model._meta.pk.column)
        stamp = next((c for c in ("updated_at", "modified", "history_date") if c in columns), None)
        stamp_sql = f"CAST(MAX({qn(stamp)}) AS TEXT)" if stamp else "CAST(NULL AS TEXT)"
        selects.append(
            f"SELECT '{table}', COUNT(*), CAST(MAX({pk}) AS TEXT), {stamp_sql} FROM {qn(table)}"  # noqa: S608 - our own model tables
        )
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects))
        return sorted(cursor.fetchall())


# --- every refusal is logged -----------------------------------------------------------------


class Listener(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def listening() -> Iterator[Listener]:
    listener = Listener()
    logger = logging.getLogger(SECURITY_LOGGER)
    old_level = logger.level
    logger.addHandler(listener)
    logger.setLevel(logging.DEBUG)
    try:
        yield listener
    finally:
        logger.removeHandler(listener)
        logger.setLevel(old_level)


def refusal_logged(messages: list[str], status: int, method: str, path: str) -> bool:
    """``refused status=%s method=%s path=%s user=%s ...`` (accounts/refusals.py)."""
    wanted = f"refused status={status} method={method} path={path} user="
    return any(message.startswith(wanted) for message in messages)


# --- one run of the whole matrix -------------------------------------------------------------


@dataclass
class Case:
    name: str
    target: str
    role: str
    method: str
    url: str
    expected: str
    got: str
    status: int
    wrote: list[str] = field(default_factory=list)
    logged: bool = False
    seconds: float = 0.0

    def __str__(self) -> str:
        return (
            f"{self.method} {self.url} [{self.name} / {self.target}] as {self.role}: "
            f"expected {self.expected}, got {self.got} (HTTP {self.status})"
        )


class FakePDF:
    """WeasyPrint stand-in during the run: access is what is tested here; the PDFs have
    their own tests (test_letters, test_meeting_documents, test_exports)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def write_pdf(self, *args: Any, **kwargs: Any) -> bytes:
        return PDF_BYTES


def run_matrix(scene: SimpleNamespace) -> list[Case]:
    import weasyprint

    from .scene import rolled_back

    clients = Clients(scene.world)
    baseline = fingerprint()
    # For debugging one page: PULJEFLOW_MATRIX_ONLY=api:docs,home (the coverage tests fail).
    only = {n for n in os.environ.get("PULJEFLOW_MATRIX_ONLY", "").split(",") if n}
    cases: list[Case] = []
    with pytest.MonkeyPatch.context() as patch, listening() as listener:
        patch.setattr(weasyprint, "HTML", FakePDF)
        for pattern in url_patterns():
            if pattern.name in m.EXCLUDED or pattern.name not in m.MATRIX:
                continue
            if only and pattern.name not in only:
                continue
            entry = m.MATRIX[pattern.name]
            plan = [
                (method, label, kwargs)
                for method in entry.methods
                for label, kwargs in targets(
                    entry.get_targets if method == "GET" and entry.get_targets else entry.targets,
                    scene,
                )
            ]
            for method, label, kwargs in plan:
                url = url_for(pattern, kwargs)
                if url is None:
                    continue
                for role in m.ROLES:
                    expected = entry.expect(role, label, method)
                    del listener.messages[:]
                    cache.clear()  # throttles (the API's token endpoint) and lockouts
                    started = time.perf_counter()
                    with rolled_back():
                        with CaptureQueriesContext(connection) as queries:
                            response = send(clients[role], method, url, write_data(scene))
                        wrote: list[str] = []
                        if method == "GET":
                            wrote = writes(queries.captured_queries)
                            if fingerprint() != baseline:
                                wrote.append("the database fingerprint changed")
                    got = classify(response, pattern.name)
                    cases.append(
                        Case(
                            name=pattern.name,
                            target=label,
                            role=role,
                            method=method,
                            url=url,
                            expected=expected,
                            got=got,
                            status=response.status_code,
                            wrote=wrote,
                            logged=refusal_logged(
                                listener.messages, response.status_code, method, url
                            ),
                            seconds=time.perf_counter() - started,
                        )
                    )
    return cases
