"""The register of requests for access to documents: registering, extending, deciding and
handing out, each chained into the covered cases' trails; the redacted export."""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import subprocess
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.documents.redaction import RedactionChoice
from cases.errors import InvalidInput, TransitionNotPossible
from cases.models import (
    AccessRequest,
    AccessStatus,
    Application,
    HearingAttachment,
    TransitionRecord,
)
from cases.services import access_requests as service
from cases.services.case_documents import receive_document
from cases.services.case_notes import note_create
from cases.services.meetings import conflict_declare
from cases.trail.disclosure import disclosed_records
from cases.trail.timeline import trail_events
from cases.trail.verify import verify_trail
from tests.conftest import advance
from tests.factories import PDF_BYTES, ApplicationFactory
from workflows import engine
from workflows.access_request import AccessRequestFlow

DECLARATION = "Jeg er gift med foreningens kasserer, Hanne Hansen, og deltager derfor ikke."
GUIDANCE = "Du kan klage til kommunen; fastholder den afgørelsen, går klagen til Ankestyrelsen."


@pytest.fixture
def case(world: SimpleNamespace, draft: Application) -> Application:
    """anna's submitted case, with erik's declared tie to the association."""
    application = advance(draft, world, "submitted")
    conflict_declare(application=application, member=world.erik, reason=DECLARATION)
    return application


def register(world: SimpleNamespace, *cases: Application, **overrides: Any) -> AccessRequest:
    values: dict[str, Any] = {
        "municipality": world.roskilde,
        "acting_user": world.carl,
        "requester_name": "Jens Journalist",
        "requester_email": "jens@avis.dk",
        "requester_kind": "journalist",
        "received_on": timezone.localdate(),
        "scope": "cases",
        "text": "Alle dokumenter i sagen om lektiecaféen",
        "applications": list(cases),
    }
    values.update(overrides)
    return service.access_request_register(**values)


def decide(world: SimpleNamespace, request: AccessRequest, **overrides: Any) -> AccessRequest:
    values: dict[str, Any] = {
        "user": world.carl,
        "decision": "partial",
        "reasons": "Oplysninger om rådsmedlemmers private forhold er undtaget (§ 30, nr. 1).",
        "complaint_guidance": GUIDANCE,
    }
    values.update(overrides)
    return engine.take(AccessRequestFlow, request, "access_decide", **values)


def extend(world: SimpleNamespace, request: AccessRequest, **values: Any) -> AccessRequest:
    return engine.take(AccessRequestFlow, request, "access_extend", user=world.carl, **values)


def take_hand_out(
    world: SimpleNamespace, request: AccessRequest, choice: RedactionChoice
) -> AccessRequest:
    return engine.take(
        AccessRequestFlow,
        request,
        "access_hand_out",
        user=world.carl,
        declarations=choice.declarations,
        contact_details=choice.contact_details,
        items=choice.items,
    )


def records(application: Application) -> list[TransitionRecord]:
    return list(TransitionRecord.objects.filter(application=application, flow="access"))


# --- registering ------------------------------------------------------------------------------


def test_a_case_officer_registers_a_request_with_its_deadline(
    world: SimpleNamespace, case: Application
) -> None:
    request = register(world, case, received_on=datetime.date(2025, 12, 22))

    assert request.status == AccessStatus.RECEIVED
    # 23, (24 closed by default, 25-28), 29, 30, (31 closed, 1 Jan), 2, 5, 6, 7 January.
    assert request.deadline == datetime.date(2026, 1, 7)
    assert list(request.applications.all()) == [case]
    assert request.history.count() == 2  # created, then its cases set
    [record] = records(case)
    assert record.transition == "access_register"
    assert record.payload["access_request"] == request.pk
    assert record.payload["deadline"] == "2026-01-07"
    assert record.from_state == record.to_state == "submitted"


def test_a_municipality_that_stays_open_on_christmas_eve_counts_it(
    world: SimpleNamespace, case: Application
) -> None:
    world.roskilde.closed_on_christmas_eve = False
    world.roskilde.closed_on_new_years_eve = False
    world.roskilde.save()

    request = register(world, case, received_on=datetime.date(2025, 12, 22))

    assert request.deadline == datetime.date(2026, 1, 5)


def test_a_whole_round_covers_its_received_cases_not_its_drafts(
    world: SimpleNamespace, case: Application
) -> None:
    ApplicationFactory(round=world.round, association=world.b)  # a draft

    request = register(world, scope="round", grant_round=world.round, applications=[])

    assert list(request.applications.all()) == [case]


def test_cases_of_another_municipality_are_refused_on_the_field(
    world: SimpleNamespace, case: Application
) -> None:
    other = advance(
        ApplicationFactory(round=world.other_round, association=world.b), world, "draft"
    )
    other.status = "submitted"  # not saved: only the municipality is checked here

    with pytest.raises(ValidationError) as refused:
        register(world, case, other)

    assert "applications" in refused.value.message_dict
    assert AccessRequest.objects.count() == 0


def test_a_round_of_another_municipality_is_refused(world: SimpleNamespace) -> None:
    with pytest.raises(ValidationError) as refused:
        register(world, scope="round", grant_round=world.other_round)

    assert "round" in refused.value.message_dict


def test_a_request_received_in_the_future_is_refused(
    world: SimpleNamespace, case: Application
) -> None:
    with pytest.raises(ValidationError) as refused:
        register(world, case, received_on=timezone.localdate() + datetime.timedelta(days=1))

    assert "received_on" in refused.value.message_dict


def test_drafts_and_empty_requests_are_refused(world: SimpleNamespace, draft: Application) -> None:
    with pytest.raises(ValidationError) as refused:
        register(world, draft, requester_name=" ", text="")

    assert set(refused.value.message_dict) == {"applications", "requester_name", "text"}


@pytest.mark.parametrize("who", ["anna", "dorte", "erik", "frida", "gustav", "helle"])
def test_only_a_case_officer_of_the_municipality_registers(
    world: SimpleNamespace, case: Application, who: str
) -> None:
    with pytest.raises(PermissionDenied):
        register(world, case, acting_user=getattr(world, who))
    assert register(world, case).pk  # carl may


# --- extending and deciding -------------------------------------------------------------------


def test_an_extension_needs_a_reason_and_a_later_date(
    world: SimpleNamespace, case: Application
) -> None:
    request = register(world, case)

    with pytest.raises(InvalidInput) as refused:
        extend(world, request, until=request.deadline, reason="")
    assert set(refused.value.errors) == {"until", "reason"}

    later = request.deadline + datetime.timedelta(days=10)
    request = extend(world, request, until=later, reason="Mange dokumenter")
    assert request.status == AccessStatus.EXTENDED and request.due_on == later
    assert [r.transition for r in records(case)] == ["access_register", "access_extend"]


@pytest.mark.parametrize("decision", ["partial", "refused"])
def test_partial_access_and_refusal_need_reasons_and_complaint_guidance(
    world: SimpleNamespace, case: Application, decision: str
) -> None:
    request = register(world, case)

    with pytest.raises(InvalidInput) as refused:
        decide(world, request, decision=decision, reasons="", complaint_guidance=" ")
    assert set(refused.value.errors) == {"reasons", "complaint_guidance"}

    request = decide(world, request, decision=decision)
    assert request.status == AccessStatus.DECIDED and request.complaint_guidance == GUIDANCE


def test_full_access_needs_no_reasons(world: SimpleNamespace, case: Application) -> None:
    request = decide(
        world, register(world, case), decision="full", reasons="", complaint_guidance=""
    )

    assert request.decision == "full" and request.decided_at is not None


def test_an_unknown_decision_is_refused_on_the_field(
    world: SimpleNamespace, case: Application
) -> None:
    with pytest.raises(InvalidInput) as refused:
        decide(world, register(world, case), decision="maybe")
    assert "decision" in refused.value.errors


def test_a_decided_request_is_neither_extended_nor_decided_again(
    world: SimpleNamespace, case: Application
) -> None:
    request = decide(world, register(world, case), decision="full")

    with pytest.raises(TransitionNotPossible):
        decide(world, request, decision="refused")
    with pytest.raises(TransitionNotPossible):
        extend(
            world,
            request,
            until=request.deadline + datetime.timedelta(days=5),
            reason="x",
        )


def test_nothing_is_handed_out_before_a_decision_or_after_a_refusal(
    world: SimpleNamespace, case: Application
) -> None:
    request = register(world, case)
    with pytest.raises(TransitionNotPossible):
        take_hand_out(world, request, RedactionChoice())
    request = decide(world, request, decision="refused")
    with pytest.raises(TransitionNotPossible):
        take_hand_out(world, request, RedactionChoice())


# --- the export handed out --------------------------------------------------------------------


def _texts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name: archive.read(name).decode("utf-8", "replace")
            for name in archive.namelist()
            if not name.endswith(".pdf")
        }


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    texts = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.endswith("summary.pdf"):
                path = tmp_path / "summary.pdf"
                path.write_bytes(archive.read(name))
                run = ["pdftotext", str(path), "-"]
                texts.append(subprocess.run(run, check=True, capture_output=True, text=True).stdout)
    return "\n".join(texts)


def hand_out(world: SimpleNamespace, request: AccessRequest, choice: RedactionChoice) -> bytes:
    request = take_hand_out(world, request, choice)
    with request.export.open("rb") as stored:
        data = stored.read()
    assert hashlib.sha256(data).hexdigest() == request.export_sha256
    assert request.status == AccessStatus.HANDED_OUT and request.handed_out_at is not None
    return data


def test_the_export_is_redacted_where_chosen_and_not_elsewhere(
    world: SimpleNamespace, case: Application, tmp_path: Path
) -> None:
    attachment = case.attachments.first()
    assert attachment is not None
    request = decide(world, register(world, case))
    data = hand_out(
        world,
        request,
        RedactionChoice(
            declarations="private",
            contact_details="private",
            items=[{"kind": "attachment", "id": attachment.pk, "ground": "business"}],
        ),
    )
    texts = _texts(data)
    everything = "\n".join(texts.values())

    assert DECLARATION not in everything and "Hanne Hansen" not in everything
    assert "anna@example.org" not in everything
    assert "»[Undtaget, offentlighedslovens § 30, nr. 1]«" in texts[f"{case.case_number}/trail.csv"]
    # The exempt attachment is replaced by a note with its ground; the others are there.
    exempt = f"{case.case_number}/attachments/{attachment.pk}.undtaget.txt"
    assert texts[exempt] == "»[Undtaget, offentlighedslovens § 30, nr. 2]«\n"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
    assert not any(n.startswith(f"{case.case_number}/attachments/{attachment.pk}-") for n in names)
    assert sum(f"{case.case_number}/attachments/" in n for n in names) == case.attachments.count()
    # What was not chosen stays: the case's own text, the decision on the cover.
    assert case.title in everything
    assert "Partial access" in texts["aktindsigt.txt"] or "Delvis" in texts["aktindsigt.txt"]
    assert GUIDANCE in texts["aktindsigt.txt"]
    # The requester is told what was left out, and on which ground.
    assert "»[Undtaget, offentlighedslovens § 30, nr. 2]«" not in texts["aktindsigt.txt"]
    assert texts["aktindsigt.txt"].count("»[Undtaget, offentlighedslovens § 30, nr. 1]«") == 2
    pdf = _pdf_text(data, tmp_path)
    assert "Hanne Hansen" not in pdf and "Undtaget" in pdf


def test_without_redactions_the_export_holds_the_declaration_and_the_e_mail(
    world: SimpleNamespace, case: Application
) -> None:
    request = decide(world, register(world, case), decision="full")
    everything = "\n".join(_texts(hand_out(world, request, RedactionChoice())).values())

    assert DECLARATION in everything and "anna@example.org" in everything
    assert "Undtaget" not in everything


def test_an_exempt_file_note_is_redacted_wherever_its_text_appears(
    world: SimpleNamespace, case: Application
) -> None:
    text = "Telefonnotat: formanden oplyste sit CPR-nummer ved en fejl"
    note = note_create(application=case, acting_user=world.carl, text=text)
    # The note's text also where someone quoted it: here, the reason of a declaration.
    conflict_declare(application=case, member=world.dorte, reason=text)
    request = decide(world, register(world, case))
    everything = "\n".join(
        _texts(
            hand_out(
                world,
                request,
                RedactionChoice(items=[{"kind": "note", "id": note.pk, "ground": "internal"}]),
            )
        ).values()
    )

    assert text not in everything
    assert "»[Undtaget, offentlighedslovens § 23, stk. 1, nr. 1]«" in everything


def test_an_exempt_received_document_is_left_out(world: SimpleNamespace, case: Application) -> None:
    document = receive_document(
        case,
        SimpleUploadedFile("brev.pdf", PDF_BYTES, content_type="application/pdf"),
        by=world.carl,
        source="post",
        note="Brev fra en nabo",
    )
    request = decide(world, register(world, case))
    data = hand_out(
        world,
        request,
        RedactionChoice(items=[{"kind": "received", "id": document.pk, "ground": "private"}]),
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()

    assert not [n for n in names if n.endswith("brev.pdf")]
    assert [n for n in names if n.endswith(f"received/{document.pk}.undtaget.txt")]


def test_items_and_grounds_must_be_known(world: SimpleNamespace, case: Application) -> None:
    request = decide(world, register(world, case))
    for choice in (
        RedactionChoice(declarations="because"),
        RedactionChoice(items=[{"kind": "attachment", "id": 999999, "ground": "private"}]),
    ):
        with pytest.raises(InvalidInput):
            take_hand_out(world, request, choice)
    assert AccessRequest.objects.get(pk=request.pk).status == AccessStatus.DECIDED


def test_every_step_is_in_the_trail_of_every_case_and_the_trail_verifies(
    world: SimpleNamespace, case: Application
) -> None:
    second = ApplicationFactory(round=world.round, association=world.b)
    second.focus_areas.set([world.focus])
    second = engine.perform(second, "submit", user=world.bo)
    request = register(world, case, second)
    request = extend(
        world,
        request,
        until=request.deadline + datetime.timedelta(days=7),
        reason="Mange dokumenter",
    )
    request = decide(world, request)
    hand_out(world, request, RedactionChoice(declarations="private"))

    for application in (case, second):
        assert [r.transition for r in records(application)] == [
            "access_register",
            "access_extend",
            "access_decide",
            "access_hand_out",
        ]
    last = records(case)[-1]
    assert last.payload["sha256"] == AccessRequest.objects.get().export_sha256
    report = verify_trail(Application.objects.filter(pk__in=[case.pk, second.pk]), scoped=True)
    assert report.problems == [] and report.records > 8
    # The register's own history: registered, extended, decided, handed out (+ the cases).
    assert request.history.count() >= 4
    assert json.loads(json.dumps(last.payload["redactions"]))["declarations"] == "private"
    # The trail reads them by name; the association is not shown who asked for its case.
    titles = [e.title for e in trail_events(case, {"transition"})]
    assert not {"access_register", "access_decide", "access_hand_out"} & set(titles)
    shown = disclosed_records(
        world.anna, case, TransitionRecord.objects.filter(application=case).order_by("seq")
    )
    assert [r.transition for r in shown] == ["submit"]


# --- files sent with the answer to a hearing ------------------------------------------------------


def _heard(world: SimpleNamespace, case: Application) -> HearingAttachment:
    """anna answers a hearing on ``case`` with a file; the file."""
    heard = engine.perform(
        case, "start_hearing", user=world.carl, facts="Foreningen har ingen bestyrelse."
    )
    engine.perform(
        heard,
        "answer_hearing",
        user=world.anna,
        answer="Vi har en bestyrelse; se referatet.",
        documents=[SimpleUploadedFile("referat.pdf", PDF_BYTES, content_type="application/pdf")],
    )
    return HearingAttachment.objects.get(hearing__application=case)


def test_a_hearing_answer_s_file_is_offered_for_exemption(
    world: SimpleNamespace, case: Application
) -> None:
    heard = _heard(world, case)

    items = service.exemptable_items([case])

    assert ("hearing_attachment", heard.pk, f"{case.case_number}: referat.pdf") in items


def test_a_hearing_answer_s_file_is_handed_out_unless_exempt(
    world: SimpleNamespace, case: Application
) -> None:
    heard = _heard(world, case)
    folder = f"{case.case_number}/hearing-attachments/{heard.hearing_id}-{heard.pk}"

    # Handed out as it is: the file itself, byte for byte.
    full = decide(world, register(world, case), decision="full")
    with zipfile.ZipFile(io.BytesIO(hand_out(world, full, RedactionChoice()))) as archive:
        assert archive.read(f"{folder}-referat.pdf") == PDF_BYTES
        assert f"{folder}.undtaget.txt" not in archive.namelist()

    # Left out: a note with its ground in its place, and the file nowhere in the export.
    partial = decide(world, register(world, case))
    exempt = RedactionChoice(
        items=[{"kind": "hearing_attachment", "id": heard.pk, "ground": "private"}]
    )
    data = hand_out(world, partial, exempt)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert f"{folder}-referat.pdf" not in names
        assert archive.read(f"{folder}.undtaget.txt").decode() == (
            "»[Undtaget, offentlighedslovens § 30, nr. 1]«\n"
        )
        assert not any(archive.read(n) == PDF_BYTES for n in names if "hearing-attach" in n)
    assert AccessRequest.objects.get(pk=partial.pk).redactions["items"] == [
        {"kind": "hearing_attachment", "id": heard.pk, "ground": "private"}
    ]


def test_the_hearings_file_is_redacted_like_the_rest(
    world: SimpleNamespace, case: Application
) -> None:
    _heard(world, case)
    request = decide(world, register(world, case))
    heard_text = "Vi har en bestyrelse; se referatet."
    note = note_create(application=case, acting_user=world.carl, text=heard_text)

    texts = _texts(
        hand_out(
            world,
            request,
            RedactionChoice(items=[{"kind": "note", "id": note.pk, "ground": "internal"}]),
        )
    )

    hearings = texts[f"{case.case_number}/hearings.json"]
    assert heard_text not in hearings and "Undtaget" in hearings
