"""Messages on a case (issue 17): who writes, when, what; chained in the trail; the other
side told; the thread composed with the questions, answers and hearings; removed with the
case's files at retention."""

from __future__ import annotations

import datetime
import hashlib
from io import StringIO
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils.translation import override

from cases.models import (
    AppendOnlyRowError,
    Application,
    CaseMessage,
    ReceivedDocument,
    Role,
    TransitionRecord,
)
from cases.selectors.messages import case_thread, open_question
from cases.services.case_messages import message_send
from cases.services.retention_schedule import apply_schedule
from cases.trail.verify import verify_trail
from notifications.models import Kind, Notification
from tests.conftest import NO_HEARING, advance
from workflows.engine import perform

from ..factories import PDF_BYTES, ApplicationFactory, GrantRoundFactory, UserFactory, give_role

pytestmark = pytest.mark.django_db

TEXT = "Vi har fået en ny kasserer – skal budgettet sendes igen?"
LONG_AGO = datetime.datetime(2019, 3, 1, 12, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _in_english() -> Any:
    with override("en"):
        yield


def pdf(name: str = "budget.pdf", data: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture
def case(world: SimpleNamespace, draft: Application) -> Application:
    return advance(draft, world, "submitted")


def _send(case: Application, user: Any, body: str = TEXT, documents: Any = ()) -> CaseMessage:
    return message_send(application=case, acting_user=user, body=body, documents=documents)


# --- who may write ------------------------------------------------------------------------

WRITERS = [
    # (who, allowed, why)
    ("anna", True, "represents association A"),
    ("carl", True, "Roskilde's case officer"),
    ("bo", False, "represents another association"),
    ("dorte", False, "council member, on A's board but not its representative"),
    ("erik", False, "council chair"),
    ("frida", False, "committee chair"),
    ("gustav", False, "auditor"),
    ("helle", False, "another municipality's case officer"),
    ("admin", False, "superuser without a role"),
]


@pytest.mark.parametrize(("who", "allowed", "why"), WRITERS)
def test_only_the_association_and_the_case_officer_write(
    world: SimpleNamespace, case: Application, who: str, allowed: bool, why: str
) -> None:
    user = getattr(world, who)
    if allowed:
        message = _send(case, user)
        assert message.author == user
        return
    with pytest.raises(PermissionDenied, match="Only the association's representatives"):
        _send(case, user)
    assert not CaseMessage.objects.exists()
    # The same message from anna goes through: the refusal came from the rule.
    _send(case, world.anna)
    assert CaseMessage.objects.count() == 1


def test_each_writes_for_their_own_side(world: SimpleNamespace, case: Application) -> None:
    assert _send(case, world.anna).sent_as == "association"
    assert _send(case, world.carl).sent_as == "municipality"


@pytest.mark.parametrize(
    "state", ["submitted", "info_requested", "in_council_review", "granted", "paid"]
)
def test_the_thread_is_open_from_submission_while_the_case_runs(
    world: SimpleNamespace, draft: Application, state: str
) -> None:
    if state == "info_requested":
        case = perform(
            advance(draft, world, "submitted"), "request_info", user=world.carl, question="?"
        )
    else:
        case = advance(draft, world, state)
    _send(case, world.anna)
    _send(case, world.carl)
    assert CaseMessage.objects.count() == 2


def test_a_draft_has_no_thread_yet(world: SimpleNamespace, draft: Application) -> None:
    with pytest.raises(PermissionDenied, match="still a draft"):
        _send(draft, world.anna)


@pytest.mark.parametrize("how", ["closed", "withdrawn", "ineligible"])
def test_a_finished_case_takes_no_more_messages(
    world: SimpleNamespace, draft: Application, how: str
) -> None:
    if how == "closed":
        case = advance(draft, world, "closed")
    elif how == "withdrawn":
        case = perform(advance(draft, world, "submitted"), "withdraw", user=world.anna, reason="")
    else:
        case = perform(
            advance(draft, world, "submitted"),
            "reject",
            user=world.carl,
            reason="Uden for § 18.",
            **NO_HEARING,
        )
    for user in (world.anna, world.carl):
        with pytest.raises(PermissionDenied, match="The case is finished"):
            _send(case, user)
    assert not CaseMessage.objects.exists()


def test_a_conflicted_case_officer_does_not_write(
    world: SimpleNamespace, case: Application
) -> None:
    from cases.services.meetings import conflict_declare

    conflict_declare(application=case, member=world.carl, reason="Min søster er formand")
    with pytest.raises(PermissionDenied, match="conflicted"):
        _send(case, world.carl)


# --- what is written ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write the message."),
        ("   \n ", "Write the message."),
        ("x" * 20_001, "at most 20000 characters"),
    ],
)
def test_the_text_is_required_and_bounded(
    world: SimpleNamespace, case: Application, body: str, message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        _send(case, world.anna, body=body)
    assert message in " ".join(refused.value.message_dict["body"])
    assert not CaseMessage.objects.exists()


def test_at_most_ten_files(world: SimpleNamespace, case: Application) -> None:
    with pytest.raises(ValidationError) as refused:
        _send(case, world.anna, documents=[pdf(f"{n}.pdf") for n in range(11)])
    assert "at most 10 documents" in " ".join(refused.value.message_dict["documents"])
    assert not CaseMessage.objects.exists() and not ReceivedDocument.objects.exists()


def test_a_file_of_the_wrong_kind_is_refused_by_name(
    world: SimpleNamespace, case: Application
) -> None:
    bad = SimpleUploadedFile("virus.exe", b"MZ\x90\x00binary", content_type="application/pdf")
    with pytest.raises(ValidationError) as refused:
        _send(case, world.anna, documents=[bad])
    assert "virus.exe:" in " ".join(refused.value.message_dict["documents"])
    assert not CaseMessage.objects.exists()


def test_a_file_too_large_is_refused(
    world: SimpleNamespace, case: Application, settings: Any
) -> None:
    settings.PULJEFLOW_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ValidationError) as refused:
        _send(case, world.anna, documents=[pdf()])
    assert "the limit is" in " ".join(refused.value.message_dict["documents"])
    assert not CaseMessage.objects.exists() and not ReceivedDocument.objects.exists()


def test_files_beyond_the_cases_quota_are_refused(
    world: SimpleNamespace, case: Application, settings: Any
) -> None:
    settings.PULJEFLOW_MAX_ATTACHMENTS = case.attachments.count() + 1
    with pytest.raises(ValidationError) as refused:
        _send(case, world.anna, documents=[pdf("a.pdf"), pdf("b.pdf")])
    assert "at most" in " ".join(refused.value.message_dict["documents"])
    assert not CaseMessage.objects.exists()
    _send(case, world.anna, documents=[pdf("a.pdf")])  # one fits
    assert ReceivedDocument.objects.count() == 1


def test_a_message_and_its_files_are_chained_in_the_trail(
    world: SimpleNamespace, case: Application
) -> None:
    message = _send(case, world.anna, documents=[pdf("budget.pdf")])

    message_record, document_record = TransitionRecord.objects.filter(application=case).order_by(
        "-seq"
    )[:2][::-1]
    assert (message_record.flow, message_record.transition) == ("messages", "send_message")
    assert message_record.from_state == message_record.to_state == "submitted"
    assert message_record.role == "applicant"
    assert {k: v for k, v in message_record.payload.items() if not k.startswith("_")} == {
        "message": message.pk,
        "sent_as": "association",
        "length": len(TEXT),
        "sha256": hashlib.sha256(TEXT.encode()).hexdigest(),
    }
    assert message_record.reason == ""  # the text follows retention; the trail is for ever
    assert document_record.transition == "receive_document"
    assert document_record.payload["received_via"] == "message"
    assert document_record.payload["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()
    assert document_record.seq == message_record.seq + 1
    assert verify_trail(Application.objects.filter(pk=case.pk), scoped=True).problems == []


def test_a_message_is_never_changed_nor_deleted(world: SimpleNamespace, case: Application) -> None:
    message = _send(case, world.anna)
    message.body = "Noget andet"
    with pytest.raises(AppendOnlyRowError):
        message.save()
    with pytest.raises(AppendOnlyRowError):
        message.delete()
    with pytest.raises(AppendOnlyRowError):
        CaseMessage.objects.filter(pk=message.pk).update(body="x")


def test_a_message_changed_behind_the_service_breaks_the_trail(
    world: SimpleNamespace, case: Application
) -> None:
    message = _send(case, world.anna)
    # Around the guard (the database itself, as an intruder would).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_casemessage SET body = %s WHERE id = %s",
            ["Noget andet", message.pk],
        )
    problems = verify_trail(Application.objects.filter(pk=case.pk), scoped=True).problems
    assert [p.problem for p in problems] == [f"message {message.pk} does not match its record"]


# --- whom it tells ------------------------------------------------------------------------------


def test_the_associations_message_goes_to_the_case_officers(
    world: SimpleNamespace, case: Application
) -> None:
    _send(case, world.anna, documents=[pdf()])
    sent = Notification.objects.filter(kind=Kind.MESSAGE_RECEIVED)
    assert [n.recipient for n in sent] == [world.carl]
    assert TEXT in sent[0].body_text and case.case_number in sent[0].subject
    assert "1 document attached." in sent[0].body_text or "1 dokument" in sent[0].body_text


def test_an_assigned_case_tells_only_its_case_officer(
    world: SimpleNamespace, case: Application
) -> None:
    karen = UserFactory(username="karen", first_name="Karen")
    give_role(karen, world.roskilde, Role.CASE_OFFICER)
    case.case_officer = karen
    case.save(update_fields=["case_officer"])
    _send(case, world.anna)
    assert [n.recipient for n in Notification.objects.filter(kind=Kind.MESSAGE_RECEIVED)] == [karen]


def test_the_municipalitys_message_goes_to_the_association(
    world: SimpleNamespace, case: Application
) -> None:
    _send(case, world.carl)
    sent = Notification.objects.filter(kind=Kind.MESSAGE_RECEIVED)
    assert [n.recipient for n in sent] == [world.anna]
    assert TEXT in sent[0].body_text


# --- the thread ----------------------------------------------------------------------------------


def test_the_thread_holds_questions_answers_and_messages_in_order(
    world: SimpleNamespace, case: Application
) -> None:
    asked = perform(case, "request_info", user=world.carl, question="Hvor mange frivillige?")
    _send(asked, world.anna, body="Vi tæller efter.")
    answered = perform(
        asked, "provide_info", user=world.anna, answer="Tolv.", documents=[pdf("liste.pdf")]
    )
    _send(answered, world.carl, body="Tak.", documents=[pdf("kvittering.pdf")])

    thread = case_thread(answered)

    assert [(e.kind, e.side, e.text) for e in thread] == [
        ("question", "municipality", "Hvor mange frivillige?"),
        ("message", "association", "Vi tæller efter."),
        ("answer", "association", "Tolv."),
        ("message", "municipality", "Tak."),
    ]
    assert [[d.name for d in e.documents] for e in thread] == [
        [],
        [],
        ["liste.pdf"],
        ["kvittering.pdf"],
    ]
    assert thread[0].author == thread[3].author == "Carl (carl)"
    documents = {d.original_name: d.pk for d in ReceivedDocument.objects.all()}
    assert thread[2].documents[0].pk == documents["liste.pdf"]


def test_a_hearing_is_in_the_thread(world: SimpleNamespace, case: Application) -> None:
    heard = perform(case, "start_hearing", user=world.carl, facts="CVR viser ingen bestyrelse.")
    perform(heard, "answer_hearing", user=world.anna, answer="Se referatet.")
    thread = case_thread(heard)
    assert [(e.kind, e.text) for e in thread] == [
        ("hearing_started", "CVR viser ingen bestyrelse."),
        ("hearing_answered", "Se referatet."),
    ]
    assert thread[0].hearing == thread[1].hearing is not None


def test_the_open_question_says_who_asked_and_when(
    world: SimpleNamespace, case: Application
) -> None:
    assert open_question(case) is None
    asked = perform(case, "request_info", user=world.carl, question="Hvor mange?")
    question = open_question(asked)
    assert question is not None
    assert (question.text, question.author) == ("Hvor mange?", "Carl (carl)")
    record = TransitionRecord.objects.get(application=asked, transition="request_info")
    assert question.at == record.created_at


@pytest.mark.parametrize("messages", [1, 10])
def test_the_thread_reads_in_three_queries(
    world: SimpleNamespace, case: Application, messages: int, django_assert_num_queries: Any
) -> None:
    asked = perform(case, "request_info", user=world.carl, question="Hvor mange?")
    answered = perform(asked, "provide_info", user=world.anna, answer="Tolv.", documents=[pdf()])
    for n in range(messages):
        _send(answered, world.anna if n % 2 else world.carl, body=f"Besked {n}", documents=[pdf()])
    # The thread's records; the messages' texts; which of the documents are still held.
    with django_assert_num_queries(3):
        thread = case_thread(answered)
    assert len(thread) == 2 + messages


# --- retention -----------------------------------------------------------------------------------


def test_messages_and_their_files_follow_the_cases_retention(
    world: SimpleNamespace, draft: Application, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(LONG_AGO, tick=False):
        old_round = GrantRoundFactory(municipality=world.roskilde, name="§ 18-puljen 2019")
        old = perform(
            ApplicationFactory(round=old_round, association=world.b), "submit", user=world.bo
        )
        gone = _send(old, world.bo, body="Gammel besked", documents=[pdf("gammel.pdf")])
        _send(old, world.carl, body="Gammelt svar")
        old = perform(old, "reject", user=world.carl, reason="Uden for § 18.", **NO_HEARING)
    current = _send(advance(draft, world, "submitted"), world.anna, documents=[pdf("ny.pdf")])
    old_file = ReceivedDocument.objects.get(application=old).file.path

    with django_capture_on_commit_callbacks(execute=True):
        apply_schedule(years=5)

    assert not CaseMessage.objects.filter(application=old).exists()
    assert not ReceivedDocument.objects.filter(application=old).exists()
    import os

    assert not os.path.exists(old_file)
    assert CaseMessage.objects.filter(pk=current.pk).exists()  # an open case keeps its own
    record = TransitionRecord.objects.get(application=old, transition="remove_files")
    removed = [i for i in record.payload["removed_files"] if i["model"] == "casemessage"]
    assert {i["id"]: i["sha256"] for i in removed}[gone.pk] == hashlib.sha256(
        b"Gammel besked"
    ).hexdigest()
    # The thread still shows that there was a message, and that its text is gone.
    entries = [e for e in case_thread(old) if e.kind == "message"]
    assert [e.removed for e in entries] == [True, True]
    assert entries[0].documents[0].name == "gammel.pdf" and entries[0].documents[0].pk is None
    verify = StringIO()
    call_command("verify_trail", stdout=verify)
    assert "the trail verifies" in verify.getvalue()


def test_the_case_file_export_holds_the_messages(world: SimpleNamespace, case: Application) -> None:
    import io
    import json
    import zipfile

    from cases.documents.exports import case_file_zip

    _send(case, world.anna, documents=[pdf("budget.pdf")])
    _send(case, world.carl, body="Tak.")
    buffer = io.BytesIO()
    case_file_zip(case, buffer)
    with zipfile.ZipFile(buffer) as archive:
        exported = json.loads(archive.read("messages.json"))["messages"]
        received = json.loads(archive.read("received.json"))["documents"]
    assert [(m["sent_as"], m["text"]) for m in exported] == [
        ("association", TEXT),
        ("municipality", "Tak."),
    ]
    assert exported[0]["written_at"].endswith(("+01:00", "+02:00"))
    assert [(d["name"], d["received_via"]) for d in received] == [("budget.pdf", "message")]
