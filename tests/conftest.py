"""The named cast. Tests read like sentences: bo cannot see anna's application.

anna    applicant for association A (Lektiecaféen)
bo      applicant for association B (Besøgsvennerne)
carl    case officer in Roskilde
dorte   council member in Roskilde, on association A's board
erik    council chair in Roskilde
frida   committee chair in Roskilde
gustav  auditor in Roskilde
helle   case officer in another municipality (Næstved)
ivan    committee chair in another municipality (Næstved)
"""

from __future__ import annotations

import os
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection

from cases.models import Role
from workflows import engine

from .factories import (
    ApplicationFactory,
    AssociationFactory,
    FocusAreaFactory,
    GrantRoundFactory,
    MunicipalityFactory,
    UserFactory,
    give_role,
    tie,
)


def pytest_configure(config: Any) -> None:
    """Tests render pages without running collectstatic, so they use the plain static
    storage: the compressed manifest storage of config.settings needs the collected
    manifest. The browser tests' server (tests/browser) collects and uses the real one."""
    from django.conf import settings

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _checkpoints_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Each test its own (empty) checkpoint directory: a checkpoint names records that
    only that test's database held."""
    settings.PULJEFLOW_CHECKPOINT_DIR = str(tmp_path / "checkpoints")


@pytest.fixture(autouse=True)
def _handovers_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Issue 18: journalising is off unless a test turns it on (tests/handover); the journal
    and the payment files go under the test's own folder."""
    settings.PULJEFLOW_JOURNAL = "off"
    settings.PULJEFLOW_JOURNAL_DIR = str(tmp_path / "journal")
    settings.PULJEFLOW_FINANCE_DIR = str(tmp_path / "finance")


@pytest.fixture(autouse=True)
def _no_language_left_active() -> Any:
    """A request through the test client activates its language in the thread and leaves it
    there (LocaleMiddleware): the next test on the same worker starts from the default."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _celery_in_process() -> Any:
    """Tests that really commit deliver in-process (to Django's locmem mail), not via a broker."""
    from config.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _digital_post_off(settings: Any, tmp_path: Any) -> None:
    """Issue 18: Digital Post is off unless a test asks for it (the ``digital_post`` fixture),
    so that the other tests' e-mails carry the letters' text as they always have; its
    folder is the test's own either way."""
    settings.DIGITAL_POST = "off"
    settings.DIGITAL_POST_DIR = str(tmp_path / "digital_post")


@pytest.fixture
def digital_post(settings: Any, tmp_path: Any) -> Any:
    """Digital Post on, to the folder sender; returns the folder its messages are written to
    (``<dir>/out/<MessageUUID>.xml``), with Roskilde's CVR as the sender's."""
    from pathlib import Path

    settings.DIGITAL_POST = "folder"
    settings.DIGITAL_POST_SENDER_CVR = "29189854"
    return Path(settings.DIGITAL_POST_DIR) / "out"


@pytest.fixture
def world(db: Any) -> SimpleNamespace:
    roskilde = MunicipalityFactory(name="Roskilde Kommune")
    naestved = MunicipalityFactory(name="Næstved Kommune")
    grant_round = GrantRoundFactory(municipality=roskilde, name="§ 18-puljen 2027")
    other_round = GrantRoundFactory(municipality=naestved, name="Frivillighedspuljen 2027")
    focus = FocusAreaFactory(round=grant_round, name="Ensomhed")
    FocusAreaFactory(round=grant_round, name="Børn og unge")
    a = AssociationFactory(name="Lektiecaféen")
    b = AssociationFactory(name="Besøgsvennerne")

    cast = {
        name: UserFactory(username=name, first_name=name.capitalize())
        for name in (
            "anna",
            "bo",
            "carl",
            "dorte",
            "erik",
            "frida",
            "gustav",
            "helle",
            "ivan",
            "admin",
        )
    }
    tie(cast["anna"], a)
    tie(cast["bo"], b)
    tie(cast["dorte"], a, represents=False, board=True)
    give_role(cast["carl"], roskilde, Role.CASE_OFFICER)
    give_role(cast["dorte"], roskilde, Role.COUNCIL_MEMBER)
    give_role(cast["erik"], roskilde, Role.COUNCIL_MEMBER)
    give_role(cast["erik"], roskilde, Role.COUNCIL_CHAIR)
    give_role(cast["frida"], roskilde, Role.COMMITTEE_CHAIR)
    give_role(cast["gustav"], roskilde, Role.AUDITOR)
    give_role(cast["helle"], naestved, Role.CASE_OFFICER)
    give_role(cast["ivan"], naestved, Role.COMMITTEE_CHAIR)
    cast["admin"].is_staff = cast["admin"].is_superuser = True
    cast["admin"].save()
    return SimpleNamespace(
        roskilde=roskilde,
        naestved=naestved,
        round=grant_round,
        other_round=other_round,
        focus=focus,
        a=a,
        b=b,
        **cast,
    )


@pytest.fixture
def draft(world: SimpleNamespace) -> Any:
    """anna's complete draft for association A, ready to submit."""
    application = ApplicationFactory(round=world.round, association=world.a)
    application.focus_areas.set([world.focus])
    return application


# Why an adverse decision needed no hearing (fvl. § 19; workflows/hearing.py): for tests
# whose subject is not the hearing.
NO_HEARING = {
    "hearing_exception": "own_information",
    "hearing_exception_reason": "Afgørelsen bygger alene på foreningens egen ansøgning.",
}
# How the transition record keeps it (payload["hearing"]).
NO_HEARING_RECORDED = {
    "kind": "exception",
    "ground": "own_information",
    "reason": NO_HEARING["hearing_exception_reason"],
}


def advance(application: Any, world: SimpleNamespace, to: str) -> Any:
    """Drive an application along the happy path, from wherever it is, up to status ``to``."""
    path = [
        ("draft", "submit", "anna", {}),
        ("submitted", "accept", "carl", {"reason": "Opfylder kriterierne"}),
        (
            "in_council_review",
            "recommend",
            "erik",
            {"outcome": "partial", "amount": "20000", "reason": "Puljen er lille"},
        ),
        (
            "recommended",
            "decide",
            "frida",
            {"outcome": "grant", "amount": "20000", "reason": "Som indstillet", **NO_HEARING},
        ),
        ("granted", "pay", "carl", {"amount": "20000", "reference": "UDB-1"}),
        (
            "paid",
            "submit_report",
            "anna",
            report_data,
        ),
        ("report_submitted", "approve_report", "carl", {}),
    ]
    for source, name, actor, data in path:
        if application.status == to:
            return application
        if application.status != source:
            continue
        if callable(data):
            data = data()
        application = engine.perform(application, name, user=getattr(world, actor), **data)
        _forget(world)
        if application.status in ("in_council_review", "recommended"):
            on_agenda(application, world)
    assert application.status == to, application.status
    return application


# A one-page PDF: the smallest a PDF reader (and the upload check) opens.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def report_data(**overrides: Any) -> dict[str, Any]:
    """A complete usage report for the cast's 20,000 DKK grant: spent in full, with accounts.

    (20,000 DKK falls in the default "accounts" tier; uploads are fresh on every call.)
    """
    from django.core.files.uploadedfile import SimpleUploadedFile

    data: dict[str, Any] = {
        "description": "Vi holdt lektiecafé",
        "lines": [{"description": "Lektiecafé", "spent": "20000"}],
        "attachments": [
            ("accounts", SimpleUploadedFile("regnskab.pdf", PDF, "application/pdf")),
        ],
    }
    data.update(overrides)
    return data


def on_agenda(application: Any, world: SimpleNamespace) -> Any:
    """Put the application on the round's council or committee meeting (made if missing)."""
    import datetime

    from cases.models import Body, Meeting
    from cases.services.meetings import agenda_add, meeting_create

    body = Body.COUNCIL if application.status == "in_council_review" else Body.COMMITTEE
    meeting = Meeting.objects.filter(round_id=application.round_id, body=body).first()
    if meeting is None:
        present = [world.dorte, world.erik] if body == Body.COUNCIL else [world.frida]
        meeting = meeting_create(
            grant_round=application.round,
            body=body,
            date=datetime.date(2026, 2, 1 if body == Body.COUNCIL else 15),
            members_present=present,
            acting_user=world.carl,
        )
    agenda_add(meeting=meeting, applications=[application], acting_user=world.carl)
    return meeting


def _forget(world: SimpleNamespace) -> None:
    from cases.roles import forget_profile

    for value in vars(world).values():
        if hasattr(value, "_puljeflow_profile"):
            forget_profile(value)


on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql" if os.environ.get("DATABASE_URL") else True,
    reason="needs PostgreSQL: set DATABASE_URL (make test does)",
)


# --- the permission matrix's summary at the end of the run (tests/security/report.py) -------
# Here and not in tests/security/conftest.py: the xdist controller collects nothing, so it
# loads only this conftest, and the summary is printed by the controller.


def pytest_sessionfinish(session: pytest.Session) -> None:
    from .security import report

    report.send(session.config)


@pytest.hookimpl(optionalhook=True)  # an xdist hook: absent when running without xdist
def pytest_testnodedown(node: Any, error: Any) -> None:
    from .security import report

    report.receive(node)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    from .security import report

    report.write(terminalreporter)
