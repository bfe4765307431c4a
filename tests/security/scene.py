"""The scene the permission matrix runs in: the cast of tests/conftest.py, plus one council
member who is not conflicted, and association A's application in every state that matters.

Built once for tests/security (conftest.py ``scene``) inside a transaction that is rolled
back when the package is done; every request of the matrix runs in a savepoint of its own that
is rolled back too, so an allowed write cannot change what the next request sees.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from cases.models import (
    Body,
    Document,
    FeedbackSummary,
    Hearing,
    HearingAttachment,
    Meeting,
    PaymentRun,
    Role,
    RoundExport,
    UsageReport,
)
from cases.models.after_grant import ReportAttachment, ReportAttachmentKind
from cases.selectors.feedback import year_of
from cases.services import access_requests as access
from cases.services.case_documents import receive_document
from cases.services.meetings import conflict_declare, meeting_create
from notifications.models import Notification
from workflows import engine
from workflows.access_request import AccessRequestFlow

from ..conftest import advance
from ..factories import (
    PDF_BYTES,
    ApplicationFactory,
    AssociationFactory,
    FocusAreaFactory,
    GrantRoundFactory,
    MunicipalityFactory,
    UserFactory,
    give_role,
    tie,
)

# Application states the matrix tries every application-level URL in. "other_municipality"
# is association B's application in Næstved's round: the other side of every 404.
STATES = (
    "draft",
    "submitted",
    "in_council_review",
    "recommended",
    "granted",
    "paid",
    "report_submitted",
    "closed",
    "other_municipality",
)


def build_world() -> SimpleNamespace:
    """The named cast of tests/conftest.py ``world`` (a fixture, so not callable here),
    plus ``mads``: a council member of Roskilde with no tie to any association."""
    roskilde = MunicipalityFactory(name="Roskilde Kommune")
    naestved = MunicipalityFactory(name="Næstved Kommune")
    grant_round = GrantRoundFactory(municipality=roskilde, name="§ 18-puljen 2027")
    other_round = GrantRoundFactory(municipality=naestved, name="Frivillighedspuljen 2027")
    focus = FocusAreaFactory(round=grant_round, name="Ensomhed")
    other_focus = FocusAreaFactory(round=other_round, name="Ensomhed")
    a = AssociationFactory(name="Lektiecaféen")
    b = AssociationFactory(name="Besøgsvennerne")
    names = ("anna", "bo", "carl", "dorte", "erik", "frida", "gustav", "helle", "ivan", "mads")
    cast = {name: UserFactory(username=name, first_name=name.capitalize()) for name in names}
    cast["admin"] = UserFactory(username="admin", is_staff=True, is_superuser=True)
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
    give_role(cast["mads"], roskilde, Role.COUNCIL_MEMBER)
    return SimpleNamespace(
        roskilde=roskilde,
        naestved=naestved,
        round=grant_round,
        other_round=other_round,
        focus=focus,
        other_focus=other_focus,
        a=a,
        b=b,
        **cast,
    )


def build_scene() -> SimpleNamespace:
    world = build_world()
    # The council meeting first, with mads present, so ``advance`` puts the cases on it.
    council = meeting_create(
        grant_round=world.round,
        body=Body.COUNCIL,
        date=datetime.date(2026, 2, 1),
        members_present=[world.dorte, world.erik, world.mads],
        acting_user=world.carl,
    )
    applications: dict[str, Any] = {}
    for state in STATES[:-1]:
        application = ApplicationFactory(round=world.round, association=world.a)
        application.focus_areas.set([world.focus])
        applications[state] = advance(application, world, state)
    other = ApplicationFactory(round=world.other_round, association=world.b)
    other.focus_areas.set([world.other_focus])
    applications["other_municipality"] = engine.perform(other, "submit", user=world.bo)
    committee = Meeting.objects.get(round=world.round, body=Body.COMMITTEE)
    other_meeting = meeting_create(
        grant_round=world.other_round,
        body=Body.COMMITTEE,
        date=datetime.date(2027, 2, 20),
        members_present=[world.ivan],
        acting_user=world.helle,
    )
    # dorte (on A's board) declares her tie on the case before the council.
    declaration = conflict_declare(
        application=applications["in_council_review"], member=world.dorte, reason="Bestyrelsen"
    )
    documents = {
        state: Document.objects.filter(application=application).order_by("pk").first()
        for state, application in applications.items()
    }
    report_attachments = {}
    for state in ("report_submitted", "closed"):
        report = UsageReport.objects.filter(application=applications[state]).order_by("pk").last()
        assert report is not None, f"the {state} case needs its usage report"
        attachment = ReportAttachment(
            report=report,
            kind=ReportAttachmentKind.choices[0][0],
            original_name="kvittering.pdf",
            size=len(PDF_BYTES),
            content_type="application/pdf",
            uploaded_by=world.anna,
        )
        attachment.file.save("kvittering.pdf", ContentFile(PDF_BYTES), save=False)
        attachment.save()
        report_attachments[state] = attachment
    # Documents received after submission: anna's own (with an answer), one carl registered
    # from the post, and bo's on the Næstved case.
    received = {
        label: receive_document(
            applications[state],
            SimpleUploadedFile("bilag.pdf", PDF_BYTES, "application/pdf"),
            by=getattr(world, who),
            source=source,
        )
        for label, state, who, source in (
            ("answer", "submitted", "anna", "answer"),
            ("post", "submitted", "carl", "post"),
            ("other_municipality", "other_municipality", "bo", "answer"),
        )
    }
    hearing_attachments = {}
    for state in ("submitted", "other_municipality"):
        # A hearing answered with a file (workflows/hearing.py), written as the flow writes it.
        case = applications[state]
        hearing = Hearing(
            application=case,
            facts="Oplysninger fra CVR",
            deadline=datetime.date(2027, 3, 1),
            return_state=state if state != "other_municipality" else "submitted",
            started_by=world.carl if state == "submitted" else world.helle,
            answer="Svar",
            outcome="answered",
        )
        hearing.save()
        attachment_h = HearingAttachment(
            hearing=hearing,
            original_name="svar.pdf",
            size=len(PDF_BYTES),
            content_type="application/pdf",
            uploaded_by=world.anna if state == "submitted" else world.bo,
        )
        attachment_h.file.save("svar.pdf", ContentFile(PDF_BYTES), save=False)
        attachment_h.save()
        hearing_attachments[state] = attachment_h
    notification = Notification.objects.filter(recipient=world.anna).order_by("pk").first()
    assert notification is not None, "the scene needs one of anna's notifications"
    # A request for access to documents in each municipality, decided and handed out.
    access_requests = {
        "own": _handed_out(world.roskilde, world.carl, applications["submitted"]),
        "other_municipality": _handed_out(
            world.naestved, world.helle, applications["other_municipality"]
        ),
    }
    # Issue 18: a payment run in each municipality (written as cases/handover/payments.py
    # writes it, without its file: the pages read the run's own copy).
    payment_runs = {
        label: PaymentRun.objects.create(
            municipality=municipality,
            target="folder",
            created_by=officer,
            total=0,
            file_name="run.csv",
            content="cvr;amount;reference;account;text;payment_date;payout\r\n",
            sha256="0" * 64,
        )
        for label, municipality, officer in (
            ("own", world.roskilde, world.carl),
            ("other_municipality", world.naestved, world.helle),
        )
    }
    # Issue 20, voice: the yearly summary of the questionnaire sent in each municipality.
    feedback_summaries = {
        label: FeedbackSummary.objects.create(
            municipality=municipality,
            year=year_of(grant_round),
            text="Tak for jeres svar.",
            sent_by=officer,
            sent_by_name=officer.username,
        )
        for label, municipality, grant_round, officer in (
            ("own", world.roskilde, world.round, world.carl),
            ("other_municipality", world.naestved, world.other_round, world.helle),
        )
    }
    # A round's complete export, ready, by the case officer of each municipality (its file a
    # stand-in: what is tried is who may download it).
    round_exports = {}
    for label, grant_round, officer in (
        ("carls", world.round, world.carl),
        ("helles", world.other_round, world.helle),
    ):
        export = RoundExport(grant_round=grant_round, requested_by=officer, language="da")
        export.save()
        export.file.save("export.zip", ContentFile(b"PK\x05\x06" + bytes(18)), save=False)
        export.finished_at = export.started_at = datetime.datetime.now(datetime.UTC)
        export.save()
        round_exports[label] = export
    return SimpleNamespace(
        world=world,
        round_exports=round_exports,
        feedback_summaries=feedback_summaries,
        payment_runs=payment_runs,
        applications=applications,
        attachments={s: a.attachments.order_by("pk").first() for s, a in applications.items()},
        documents={s: d for s, d in documents.items() if d is not None},
        meetings={"council": council, "committee": committee, "other_municipality": other_meeting},
        declaration=declaration,
        notification=notification,
        report_attachments=report_attachments,
        received_documents=received,
        hearing_attachments=hearing_attachments,
        access_requests=access_requests,
    )


def _handed_out(municipality: Any, officer: Any, application: Any) -> Any:
    request = access.access_request_register(
        municipality=municipality,
        acting_user=officer,
        requester_name="Jens Journalist",
        received_on=datetime.date(2026, 11, 2),
        scope="cases",
        text="Sagens dokumenter",
        applications=[application],
    )
    request = engine.take(
        AccessRequestFlow, request, "access_decide", user=officer, decision="full"
    )
    return engine.take(
        AccessRequestFlow,
        request,
        "access_hand_out",
        user=officer,
        declarations="",
        contact_details="",
        items=[],
    )


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run the body in a savepoint and undo whatever it wrote."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
