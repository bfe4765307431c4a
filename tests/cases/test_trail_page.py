"""The trail page: one timeline of everything that happened to a case, for the municipality."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Application, Document
from cases.services.meetings import conflict_declare
from cases.trail.chain import record_transition
from workflows import engine

from ..conftest import advance
from ..factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def granted(world: SimpleNamespace, draft: Application) -> Application:
    return advance(draft, world, "granted")


def _trail(client: Any, application: Application, *kinds: str) -> Any:
    query = "&".join(f"kind={k}" for k in kinds)
    return client.get(reverse("audit:application_trail", args=[application.pk]) + f"?{query}")


def test_the_auditor_reads_the_whole_trail(
    world: SimpleNamespace, granted: Application, as_user: Any
) -> None:
    conflict_declare(application=granted, member=world.erik, reason="Min søster er kasserer")
    response = _trail(as_user(world.gustav), granted)
    assert response.status_code == 200
    page = response.content.decode()
    # steps with actor and role, from → to, reasons
    assert "Carl (carl)" in page and "Opfylder kriterierne" in page
    # a field change as before/after, in words
    assert "Bevilget beløb" in page or "Granted amount" in page
    assert "20.000,00 kr." in page and "20000.00" not in page
    # the conflict declaration, the decision letter sent and the notification's outcome
    assert "Min søster er kasserer" in page
    letter = Document.objects.get(application=granted)
    assert reverse("audit:document_download", args=[letter.pk]) in page
    assert "Afgørelse" in page or "Decision" in page


def test_the_trail_filters_by_kind(
    world: SimpleNamespace, granted: Application, as_user: Any
) -> None:
    client = as_user(world.gustav)
    only_steps = _trail(client, granted, "transition").content.decode()
    only_changes = _trail(client, granted, "change").content.decode()
    assert only_steps.count('data-kind="transition"') == 4  # submit, accept, recommend, decide
    assert 'data-kind="change"' not in only_steps
    assert only_changes.count('data-kind="change"') >= 4
    assert 'data-kind="transition"' not in only_changes and "20.000,00 kr." in only_changes


@pytest.mark.parametrize("who", ["carl", "erik", "frida", "dorte"])
def test_municipal_staff_read_the_trail(
    world: SimpleNamespace, granted: Application, as_user: Any, who: str
) -> None:
    assert _trail(as_user(getattr(world, who)), granted).status_code == 200


def test_the_association_is_refused_and_others_do_not_learn_the_case_exists(
    world: SimpleNamespace, granted: Application, as_user: Any
) -> None:
    assert _trail(as_user(world.anna), granted).status_code == 403
    for outsider in (world.bo, world.helle, world.ivan):
        assert _trail(as_user(outsider), granted).status_code == 404


def test_letters_are_downloaded_by_those_who_may_see_the_case(
    world: SimpleNamespace, granted: Application, as_user: Any
) -> None:
    letter = Document.objects.get(application=granted)
    url = reverse("audit:document_download", args=[letter.pk])
    response = as_user(world.anna).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment")
    assert as_user(world.bo).get(url).status_code == 404
    assert as_user(world.helle).get(url).status_code == 404


def _with_events(world: SimpleNamespace, n: int) -> Application:
    application = ApplicationFactory(round=world.round, association=world.a)
    application.focus_areas.set([world.focus])
    application = engine.perform(application, "submit", user=world.anna)
    while application.transition_records.count() < n:
        record_transition(
            application=application,
            flow="conflicts",
            transition="declare_conflict",
            from_state=application.status,
            to_state=application.status,
            actor=world.erik,
            role="council_chair",
            reason="Erklæring",
        )
    return application


def test_the_trail_page_costs_the_same_queries_for_10_and_500_events(
    world: SimpleNamespace, as_user: Any
) -> None:
    client = as_user(world.gustav)
    counts = []
    for n in (10, 500):
        application = _with_events(world, n)
        with CaptureQueriesContext(connection) as queries:
            response = _trail(client, application)
        assert response.status_code == 200
        assert response.content.decode().count("Erklæring") >= n - 1
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_letters_on_the_trail_cost_no_query_each(
    world: SimpleNamespace, granted: Application, as_user: Any
) -> None:
    from cases.documents.letters import decision_letter_create

    client = as_user(world.gustav)
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert _trail(client, granted, "document").status_code == 200
        counts.append(len(queries))
        for _ in range(3):
            decision_letter_create(application=granted, acting_user=world.frida)
    assert counts[0] == counts[1], counts


def _manager_classes_built(client: Any, application: Application) -> int:
    """How many manager classes the trail page builds (``Manager.from_queryset``)."""
    from unittest import mock

    from django.db.models.manager import BaseManager

    real = BaseManager.from_queryset.__func__  # type: ignore[attr-defined]
    built = 0

    def counting(cls: Any, queryset_class: Any, class_name: Any = None) -> Any:
        nonlocal built
        built += 1
        return real(cls, queryset_class, class_name)

    with mock.patch.object(BaseManager, "from_queryset", classmethod(counting)):
        assert _trail(client, application).status_code == 200
    return built


def test_the_trail_builds_no_manager_per_history_row(
    world: SimpleNamespace, draft: Application, as_user: Any
) -> None:
    """simple-history's ``Model.history`` builds a new manager class on each access
    (~0.7 ms): the trail looks the historical models up once (issue 19)."""
    from cases.services.applications import application_update_draft

    client = as_user(world.gustav)
    _trail(client, draft)  # the trail's reads are compiled on first use (cases/compiled.py)
    counts = []
    for edits in (1, 20):
        while draft.history.count() < edits + 1:
            application_update_draft(
                application=draft,
                acting_user=world.anna,
                data={"title": f"Titel {draft.history.count()}"},
                focus_areas=[world.focus],
            )
        counts.append(_manager_classes_built(client, draft))
    assert counts[0] == counts[1], counts
