"""The thread of a case (issue 17): its messages, the questions asked and their answers,
and its hearings, oldest first — composed from the case's transition records, so nothing
is held twice.

- ``request_info`` / ``provide_info`` (workflows/application.py): the question is the
  record's reason, the answer too; the answer's documents are the ``receive_document``
  records that follow it in the chain (written in the same transaction, case locked);
- ``send_message`` (cases/services/case_messages.py): the text is the message's row, its
  files the ``receive_document`` records that follow it;
- ``start_hearing`` / ``answer_hearing`` (workflows/hearing.py): shown as entries pointing
  to the hearing on the case page, which has its files.

Three queries whatever the thread's length: the records, the messages' texts, and which
of the documents are still held (retention removes them).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from cases.models import Application, CaseMessage, ReceivedDocument, ReceivedVia, SentAs
from cases.roles import APPLICANT
from cases.trail.models import TransitionRecord

QUESTION = "request_info"
ANSWER = "provide_info"
MESSAGE = "send_message"
DOCUMENT = "receive_document"
HEARING_STARTED = "start_hearing"
HEARING_ANSWERED = "answer_hearing"
THREAD_EVENTS = (QUESTION, ANSWER, MESSAGE, DOCUMENT, HEARING_STARTED, HEARING_ANSWERED)
# The channel a document came by, for the entry it belongs to.
DOCUMENTS_OF = {ANSWER: ReceivedVia.ANSWER, MESSAGE: ReceivedVia.MESSAGE}
KIND = {
    QUESTION: "question",
    ANSWER: "answer",
    MESSAGE: "message",
    HEARING_STARTED: "hearing_started",
    HEARING_ANSWERED: "hearing_answered",
}


@dataclass
class ThreadDocument:
    name: str
    size: int
    sha256: str
    #: The ``ReceivedDocument``'s id while it is held; None once retention has removed it.
    pk: int | None


@dataclass
class ThreadEntry:
    """One entry of the thread. ``kind``: question, answer, message, hearing_started,
    hearing_answered; ``side``: association or municipality."""

    kind: str
    side: str
    author: str
    at: datetime.datetime
    text: str
    seq: int
    documents: list[ThreadDocument] = field(default_factory=list)
    #: A message's id; None for the entries composed from transitions.
    message: int | None = None
    #: The hearing's id, for hearing entries.
    hearing: int | None = None
    #: A message whose text the case's retention has removed.
    removed: bool = False


def _payload(record: TransitionRecord) -> dict[str, Any]:
    return record.payload if isinstance(record.payload, dict) else {}


def _side(record: TransitionRecord) -> str:
    if record.transition == MESSAGE:
        return str(_payload(record).get("sent_as") or SentAs.MUNICIPALITY)
    if record.transition in (ANSWER, HEARING_ANSWERED):
        return str(SentAs.ASSOCIATION)  # also when a case officer types in a paper answer
    return str(SentAs.ASSOCIATION if record.role == APPLICANT else SentAs.MUNICIPALITY)


def case_thread(application: Application) -> list[ThreadEntry]:
    """The case's thread, oldest first. Everyone who may see the case sees all of it: it is
    what the association and the municipality have written to each other."""
    records = list(
        TransitionRecord.objects.filter(application=application, transition__in=THREAD_EVENTS)
        .only("seq", "transition", "actor_name", "role", "created_at", "reason", "payload")
        .order_by("seq")
    )
    entries: list[ThreadEntry] = []
    owner: ThreadEntry | None = None
    last_seq = -1
    for record in records:
        payload = _payload(record)
        if record.transition == DOCUMENT:
            follows = owner is not None and record.seq == last_seq + 1
            if follows and payload.get("received_via") == DOCUMENTS_OF.get(_event(owner)):
                owner.documents.append(  # type: ignore[union-attr]
                    ThreadDocument(
                        name=str(payload.get("name") or ""),
                        size=int(payload.get("size") or 0),
                        sha256=str(payload.get("sha256") or ""),
                        pk=int(payload["document"]) if payload.get("document") else None,
                    )
                )
                last_seq = record.seq
            continue
        entry = ThreadEntry(
            kind=KIND[record.transition],
            side=_side(record),
            author=record.actor_name,
            at=record.created_at,
            text=record.reason if record.transition != MESSAGE else "",
            seq=record.seq,
            message=int(payload["message"]) if record.transition == MESSAGE else None,
            hearing=int(payload["hearing"]) if payload.get("hearing") else None,
        )
        entries.append(entry)
        owner, last_seq = entry, record.seq
    _fill_in(entries)
    return entries


def _event(entry: ThreadEntry | None) -> str:
    return {"answer": ANSWER, "message": MESSAGE}.get(entry.kind if entry else "", "")


def _fill_in(entries: list[ThreadEntry]) -> None:
    """The messages' texts (one query) and which documents are still held (one query)."""
    message_ids = [entry.message for entry in entries if entry.message is not None]
    texts = dict(
        CaseMessage.objects.filter(pk__in=message_ids).values_list("pk", "body")
        if message_ids
        else []
    )
    document_ids = [d.pk for entry in entries for d in entry.documents if d.pk is not None]
    held = set(
        ReceivedDocument.objects.filter(pk__in=document_ids).values_list("pk", flat=True)
        if document_ids
        else []
    )
    for entry in entries:
        if entry.message is not None:
            entry.text = texts.get(entry.message, "")
            entry.removed = entry.message not in texts
        for document in entry.documents:
            if document.pk not in held:
                document.pk = None


def open_question(application: Application) -> ThreadEntry | None:
    """The question the association is asked to answer now (who asked, when), or None."""
    if not application.open_question:
        return None
    record = (
        TransitionRecord.objects.filter(application=application, transition=QUESTION)
        .only("seq", "transition", "actor_name", "role", "created_at", "reason", "payload")
        .order_by("-seq")
        .first()
    )
    if record is None:
        return None
    return ThreadEntry(
        kind="question",
        side=str(SentAs.MUNICIPALITY),
        author=record.actor_name,
        at=record.created_at,
        text=application.open_question,
        seq=record.seq,
    )
