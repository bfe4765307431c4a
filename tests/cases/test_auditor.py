"""The auditor reads everything in the municipality and can change nothing.

Every URL pattern of the project is tried with POST (and with the data a real
write would send) for every object it can name; the database must be exactly as
before. A new pattern that is not listed here fails the suite until someone
decides what the auditor may do with it.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cases.documents.letters import letter_pdf
from cases.handover.payments import payment_run_create
from cases.models import (
    Body,
    ConflictDeclaration,
    Document,
    HearingAttachment,
    Meeting,
    ReportAttachment,
)
from cases.services.access_requests import access_request_register
from cases.services.case_documents import receive_document
from cases.services.meetings import conflict_declare, meeting_create
from workflows import engine
from workflows.engine import TRANSITION_NAMES

from ..conftest import advance, on_agenda
from ..factories import PDF_BYTES, ApplicationFactory

pytestmark = pytest.mark.django_db

# The auditor's own inbox and session are theirs to change; nothing else is.
OWN = {
    "notifications:notification_mark_read",
    "notifications:notification_mark_all_read",
    "notifications:notification_preferences",
    "set_language",
    "accounts:login",
    "accounts:logout",
    "accounts:otp_setup",  # the auditor's own second factor
    "accounts:otp_verify",
    "accounts:session_stay",  # "Stay logged in": the auditor's own session
    "nemlogin:logout",  # issue 18: the auditor's own logout
}


def _patterns(
    resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""
) -> list[tuple[str, str]]:
    """Every named screen pattern as (namespaced name, route)."""
    found = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("admin/"):
                continue  # the admin: only is_staff users get in (tested below)
            if str(pattern.pattern).startswith("api/"):
                continue  # the API: every endpoint × role, the auditor's too, in tests/security
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += _patterns(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            found.append((namespace + pattern.name, prefix + str(pattern.pattern)))
    return found


@pytest.fixture
def scene(world: SimpleNamespace) -> SimpleNamespace:
    def made(to: str) -> Any:
        application = ApplicationFactory(round=world.round, association=world.a)
        application.focus_areas.set([world.focus])
        return advance(application, world, to)

    draft = ApplicationFactory(round=world.round, association=world.a)
    submitted, review, recommended, granted, reported = (
        made(s)
        for s in ("submitted", "in_council_review", "recommended", "granted", "report_submitted")
    )
    on_agenda(review, world)
    on_agenda(recommended, world)
    council = Meeting.objects.get(round=world.round, body=Body.COUNCIL)
    committee = Meeting.objects.get(round=world.round, body=Body.COMMITTEE)
    meeting_create(
        grant_round=world.round,
        body=Body.COUNCIL,
        date=datetime.date(2027, 3, 1),
        members_present=[world.erik],
        acting_user=world.carl,
    )
    declaration = conflict_declare(application=review, member=world.erik, reason="Nabo")
    # A case in a hearing, with a file from an earlier hearing answered (workflows/hearing.py).
    heard = engine.perform(made("submitted"), "start_hearing", user=world.carl, facts="CVR")
    heard = engine.perform(
        heard,
        "answer_hearing",
        user=world.anna,
        answer="Svar",
        documents=[SimpleUploadedFile("svar.pdf", PDF_BYTES, "application/pdf")],
    )
    heard = engine.perform(heard, "start_hearing", user=world.carl, facts="Mere")
    # A document received by post, and a request for access to documents on a case.
    received = receive_document(
        submitted,
        SimpleUploadedFile("brev.pdf", PDF_BYTES, "application/pdf"),
        by=world.carl,
        source="post",
    )
    access_request = access_request_register(
        municipality=world.roskilde,
        acting_user=world.carl,
        requester_name="Jens Journalist",
        received_on=datetime.date(2026, 11, 2),
        scope="cases",
        text="Sagens dokumenter",
        applications=[submitted],
    )
    # Letters are printed after commit (cases.tasks.print_letter), as in real life.
    for document in Document.objects.all():
        letter_pdf(document)
    return SimpleNamespace(
        applications=[draft, submitted, review, recommended, granted, reported, heard],
        meetings=[council, committee],
        declaration=declaration,
        document=Document.objects.get(application=granted),
        attachment=granted.attachments.first(),
        report_attachment=ReportAttachment.objects.get(report__application=reported),
        hearing_attachment=HearingAttachment.objects.get(),
        received=received,
        access_request=access_request,
        # Issue 18: a payment run of the reported case's payout (cases/handover/payments.py).
        payment_run=payment_run_create(municipality_id=world.roskilde.pk, acting_user=world.carl),
    )


def _targets(name: str, world: SimpleNamespace, scene: SimpleNamespace) -> list[dict[str, Any]]:
    """Every object a pattern can name in the scene, as URL kwargs."""
    apps_ = [{"pk": a.pk} for a in scene.applications]
    meetings = [{"pk": m.pk} for m in scene.meetings]
    table: dict[str, list[dict[str, Any]]] = {
        "home:home": [{}],
        "accounts:session_stay": [{}],
        "oidc:authenticate": [{}],
        "oidc:callback": [{}],
        "applications:my_applications": [{}],
        "applications:application_new": [{}],
        "associations:association_new": [{}],
        "inbox:staff_rounds": [{}],
        "applications:flow_chart": [{}],
        "notifications:notification_list": [{}],
        "applications:application_detail": apps_,
        "applications:application_edit": apps_,
        "applications:attachment_upload": apps_,
        "applications:draft_step": [{**a, "step": "activity"} for a in apps_],
        "applications:draft_autosave": [{**a, "step": "activity"} for a in apps_],
        "applications:draft_review": apps_,
        "applications:application_receipt": apps_,
        "applications:application_receipt_pdf": apps_,
        "audit:application_trail": apps_,
        "audit:application_export": apps_,
        "council:conflict_declare": apps_,
        "applications:application_act": [
            {"pk": a.pk, "name": n} for a in scene.applications for n in sorted(TRANSITION_NAMES)
        ],
        "applications:attachment_download": [{"pk": scene.attachment.pk}],
        "applications:attachment_delete": [{"pk": scene.attachment.pk}],
        "associations:association_details": [{"pk": world.a.pk}],
        "associations:association_refresh": [{"pk": world.a.pk}],
        "inbox:round_inbox": [{"pk": world.round.pk}],
        "inbox:paper_application_new": [{"pk": world.round.pk}],
        "audit:round_decisions": [{"pk": world.round.pk}],
        # The auditor orders the round's complete export like anyone of the staff: the one
        # row it writes is left out of the fingerprint below. Its file is a download (405).
        "audit:round_export": [{"pk": world.round.pk}],
        "audit:round_export_file": [{"pk": 1}],
        "meetings:meeting_list": [{"round_pk": world.round.pk}],
        "meetings:meeting_new": [{"round_pk": world.round.pk}],
        "audit:document_download": [{"pk": scene.document.pk}],
        "council:conflict_rule": [{"pk": scene.declaration.pk}],
        "council:manager_conflicts": [{}],  # the managers' page: the auditor is refused (403)
        "council:meeting_assess_item": [
            {"pk": m.pk, "application_pk": a.pk} for m in scene.meetings for a in scene.applications
        ],
        "notifications:notification_outbox": [{}, {"municipality_pk": world.roskilde.pk}],
        "after_grant:report_submit": apps_,
        "after_grant:report_approve": apps_,
        "after_grant:report_attachment_download": [{"pk": scene.report_attachment.pk}],
        "after_grant:usage_reports": [{}],
        "hearings:hearing_answer": apps_,
        "hearings:hearing_attachment_download": [{"pk": scene.hearing_attachment.pk}],
        "reports:round_report": [{"pk": world.round.pk}],
        "reports:round_report_csv": [{"pk": world.round.pk}],
        "reports:municipality_report": [{}],
        "audit:trail_public_key": [{}],  # public: the key that verifies the trail's checkpoints
        "privacy:privacy_notice": [{}],  # public: the privacy notice (GET only)
        "privacy:accessibility_statement": [{}],  # public (GET only)
        "notes:note_create": apps_,
        "notes:document_register": apps_,
        "notes:received_document_download": [{"pk": scene.received.pk}],
        "case_messages:message_send": apps_,
        "access:access_request_list": [{}],
        "access:access_request_new": [{}],
        # Issue 17, staff screens: the auditor reads the search and payouts, assigns nothing
        # and edits no round (403).
        "inbox:case_search": [{}],
        "inbox:bulk_assign": [{}],
        "inbox:application_assign": apps_,
        "rounds:round_new": [{}],
        "rounds:round_edit": [{"pk": world.round.pk}],
        "rounds:complaint_guidance": [{}],
        "after_grant:payouts": [{}],
        # Issue 18, public pages: anyone reads them, nobody writes (405).
        "public:index": [{}],
        **{
            f"public:{page}": [{"slug": world.roskilde.slug}]
            for page in (
                "municipality",
                "register",
                "register_csv",
                "register_json",
                "register_atom",
            )
        },
        "public:call": [{"slug": world.roskilde.slug, "pk": world.round.pk}],
        # Issue 20, the directory: the association's own screens are a 404 for the auditor;
        # the public pages are read only (405).
        "directory:entries": [{"pk": world.a.pk}],
        "api:api_directory_entry": [{"pk": world.a.pk, "slug": world.roskilde.slug}],
        "directory:entry_edit": [{"pk": world.a.pk, "slug": world.roskilde.slug}],
        "directory:entry_withdraw": [{"pk": world.a.pk, "slug": world.roskilde.slug}],
        **{
            f"directory:public_{page}": [{"slug": world.roskilde.slug}]
            for page in ("list", "json", "csv")
        },
        "directory:public_entry": [{"slug": world.roskilde.slug, "pk": world.a.pk}],
        # Issue 18: the auditor reads payment runs and the journal status; starts and hands
        # over nothing (403).
        "handover:journal_now": apps_,
        "handover:payment_run_new": [{}],
        **{
            f"handover:payment_run_{page}": [{"pk": scene.payment_run.pk}]
            for page in ("detail", "file", "csv")
        },
        # Issue 18, NemLog-in: off in the scene (404), or nothing pending for the auditor.
        **{f"nemlogin:{page}": [{}] for page in ("login", "acs", "ls", "metadata")},
        **{f"nemlogin:{page}": [{}] for page in ("register", "contact", "choose")},
        # Issue 20, voice: the auditor reads the results; answers and sends nothing (403/405).
        "feedback:feedback_answer": apps_,
        "feedback:round_results": [{"pk": world.round.pk}],
        "feedback:year_results": [{}],
        "feedback:summary_new": [{}],
        "feedback:summaries": [{}],
        "feedback:summary_pdf": [{"pk": 1}],
        **{
            f"access:access_request_{page}": [{"pk": scene.access_request.pk}]
            for page in ("detail", "extend", "decide", "hand_out", "export")
        },
        # Issue 20: the allocation assistant; the auditor is refused (403), nothing is saved.
        "allocation:meeting_allocation": meetings,
    }
    if name.split(":")[-1].startswith("meeting_") and name not in table:
        return meetings
    if name in OWN or name in ("notifications:notification_detail",):
        return []
    assert name in table, f"URL pattern {name!r}: say what the auditor may do with it"
    return table[name]


def _write_data(world: SimpleNamespace, scene: SimpleNamespace) -> dict[str, Any]:
    """Plausible input for every form: what a case officer or chair would send."""
    return {
        "reason": "Revisor prøver",
        "question": "?",
        "answer": "!",
        "outcome": "grant",
        "amount": "1000",
        "meeting": scene.meetings[0].pk,
        "confirm_overrun": "on",
        "overrun_reason": "x",
        "comment": "x",
        "conflicted": "yes",
        "date": "2027-05-01",
        "body": "council",
        "members_present": [world.erik.pk],
        "applications": [a.pk for a in scene.applications],
        "application": scene.applications[2].pk,
        "title": "Ændret af revisor",
        "kind": "budget",
        "file": SimpleUploadedFile("x.pdf", PDF_BYTES, "application/pdf"),
        "form-TOTAL_FORMS": "0",
        "form-INITIAL_FORMS": "0",
    }


def _fingerprint() -> dict[str, Any]:
    """Row counts of every model of ours, the newest history row of each history table,
    and the state of every application: any write shows."""
    result: dict[str, Any] = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in ("cases", "workflows", "notifications", "auth"):
            continue
        key = model._meta.label
        if key == "cases.RoundExport":  # the order of an export: who took the data out
            continue
        result[key] = model._default_manager.count()
        if model._meta.model_name.startswith("historical") and hasattr(model, "history_id"):
            result[key + ".max"] = model._default_manager.aggregate(m=Max("history_id"))["m"]
    from cases.models import Application

    result["applications"] = sorted(
        Application.objects.values_list("pk", "status", "version", "title")
    )
    result["conflicts"] = sorted(ConflictDeclaration.objects.values_list("pk", "ruling"))
    return result


def test_the_auditor_changes_nothing_anywhere(
    world: SimpleNamespace, scene: SimpleNamespace, client: Any
) -> None:
    client.force_login(world.gustav)
    before = _fingerprint()
    tried = 0
    for name, route in _patterns():
        for kwargs in _targets(name, world, scene):
            url = reverse(name, kwargs=kwargs)
            response = client.post(url, _write_data(world, scene))
            tried += 1
            assert response.status_code in (200, 302, 400, 403, 404, 405), (url, response)
            assert _fingerprint() == before, f"POST {url} ({route}) changed data"
    assert tried > 100


@pytest.mark.parametrize(
    "name",
    [
        "applications:application_detail",
        "audit:application_trail",
        "audit:application_export",
    ],
)
def test_the_auditor_reads_every_case_of_the_municipality(
    world: SimpleNamespace, scene: SimpleNamespace, client: Any, name: str
) -> None:
    client.force_login(world.gustav)
    for application in scene.applications[1:]:
        assert client.get(reverse(name, args=[application.pk])).status_code == 200


@pytest.mark.parametrize(
    "name", ["inbox:round_inbox", "audit:round_decisions", "meetings:meeting_list"]
)
def test_the_auditor_reads_the_rounds_and_meetings(
    world: SimpleNamespace, scene: SimpleNamespace, client: Any, name: str
) -> None:
    client.force_login(world.gustav)
    key = "round_pk" if name == "meetings:meeting_list" else "pk"
    assert client.get(reverse(name, kwargs={key: world.round.pk})).status_code == 200
    for meeting in scene.meetings:
        for page in (
            "meetings:meeting_detail",
            "meetings:meeting_agenda",
            "meetings:meeting_minutes",
        ):
            assert client.get(reverse(page, args=[meeting.pk])).status_code == 200


def test_the_admin_is_closed_to_the_auditor(world: SimpleNamespace, client: Any) -> None:
    client.force_login(world.gustav)
    response = client.get(reverse("admin:cases_application_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
