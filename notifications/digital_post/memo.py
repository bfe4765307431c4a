"""A MeMo message (meddelelsesmodel, the format of Danish Digital Post) for one letter.

Built to MeMo version 1.1 as Digitaliseringsstyrelsen publishes it: "MeMo Modelbeskrivelse
v1.1" and "MeMo Classes and Attributes v1.1" (https://digitaliser.dk/digital-post/vejledninger/memo,
also https://digst.dk/it-loesninger/digital-post/anvendelse/forstaa-digital-post/memo/). The
element names, their order and which are mandatory were read from that material and checked
against Digitaliseringsstyrelsen's own Java library for the format (memo-lib,
``dk.digst.digital.post.memolib.model``: ``MessageHeader``, ``Sender``, ``Recipient``,
``MessageBody``, ``MemoVersion``: memoVersion 1.1, memoSchVersion 1.1.0). No file of theirs
(the XSD, the schematron) is copied here; tests/digital_post checks the structure element by
element instead.

What a message holds, in the order the schema gives::

    memo:Message memoVersion memoSchVersion
      MessageHeader: messageType (DIGITALPOST), messageUUID (a version 4 UUID), label,
        mandatory, legalNotification, Sender (senderID, idType, label),
        Recipient (recipientID, idType, label), ContentData (CVRdata, CaseID)
      MessageBody: createdDateTime (UTC, "Z"), MainDocument (mainDocumentID, label,
        File (encodingFormat, filename, language, content in base64))

Everything in it comes from the outbox row and the letter, never from the clock: the same
row gives the same bytes on every attempt, so a receiver can drop a second copy by its
messageUUID.
"""

from __future__ import annotations

import base64
import datetime
import uuid
from dataclasses import dataclass
from xml.etree import ElementTree as ET

MEMO_NS = "https://DigitalPost.dk/MeMo-1"
# The core data model's namespace: CVRdata belongs to it, not to MeMo's own.
GRD_NS = "https://data.gov.dk/model/core/"
MEMO_VERSION = "1.1"
MEMO_SCH_VERSION = "1.1.0"
MESSAGE_TYPE = "DIGITALPOST"
CASE_SYSTEM = "Puljeflow"

ET.register_namespace("memo", MEMO_NS)
ET.register_namespace("grd", GRD_NS)

# MeMo's limits: labels and ids at most 256 characters; CVR numbers 8 digits (v1.1).
MAX_TEXT = 256


@dataclass(frozen=True)
class Party:
    """A sender or recipient by CVR number, with the name shown in the mailbox."""

    cvr: str
    name: str


@dataclass(frozen=True)
class Attachment:
    """The main document's one file."""

    content: bytes
    filename: str
    mime_type: str  # "application/pdf" for a letter, "text/plain" for a notice without one
    language: str  # ISO 639-1, two letters


@dataclass(frozen=True)
class Letter:
    """Everything a MeMo message says, read from one outbox row and its letter."""

    message_uuid: uuid.UUID
    created: datetime.datetime  # aware
    label: str
    legal_notice: bool
    sender: Party
    recipient: Party
    case_number: str
    document_id: str
    document_label: str
    file: Attachment


def _el(parent: ET.Element, name: str, text: str | None = None, ns: str = MEMO_NS) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ns}}}{name}")
    if text is not None:
        element.text = text
    return element


def _short(text: str) -> str:
    return " ".join(text.split())[:MAX_TEXT]


def _utc(moment: datetime.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("A MeMo time must be timezone-aware.")
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _cvr(party: Party, role: str) -> str:
    if not (len(party.cvr) == 8 and party.cvr.isdigit()):
        raise ValueError(f"The {role}'s CVR number must be 8 digits, not {party.cvr!r}.")
    return party.cvr


def build(letter: Letter) -> bytes:
    """The message as UTF-8 XML with its declaration."""
    if letter.message_uuid.version != 4:
        raise ValueError("MeMo's messageUUID must be a version 4 UUID.")
    message = ET.Element(
        f"{{{MEMO_NS}}}Message",
        {"memoVersion": MEMO_VERSION, "memoSchVersion": MEMO_SCH_VERSION},
    )
    header = _el(message, "MessageHeader")
    _el(header, "messageType", MESSAGE_TYPE)
    _el(header, "messageUUID", str(letter.message_uuid))
    _el(header, "label", _short(letter.label))
    # mandatory: not a message that must reach a recipient exempted from Digital Post (a
    # letter to an exempted association goes by paper, outside Puljeflow).
    _el(header, "mandatory", "false")
    # legalNotification: the message has legal effect (a decision, a claim, a hearing).
    _el(header, "legalNotification", "true" if letter.legal_notice else "false")
    sender = _el(header, "Sender")
    _el(sender, "senderID", _cvr(letter.sender, "sender"))
    _el(sender, "idType", "CVR")
    _el(sender, "label", _short(letter.sender.name))
    recipient = _el(header, "Recipient")
    _el(recipient, "recipientID", _cvr(letter.recipient, "recipient"))
    _el(recipient, "idType", "CVR")
    _el(recipient, "label", _short(letter.recipient.name))
    content_data = _el(header, "ContentData")
    cvr_data = _el(content_data, "CVRdata", ns=GRD_NS)
    _el(cvr_data, "cvrNumber", letter.recipient.cvr, ns=GRD_NS)
    _el(cvr_data, "companyName", _short(letter.recipient.name), ns=GRD_NS)
    case = _el(content_data, "CaseID")
    _el(case, "caseID", _short(letter.case_number))
    _el(case, "caseSystem", CASE_SYSTEM)

    body = _el(message, "MessageBody")
    _el(body, "createdDateTime", _utc(letter.created))
    main = _el(body, "MainDocument")
    _el(main, "mainDocumentID", _short(letter.document_id))
    _el(main, "label", _short(letter.document_label))
    file = _el(main, "File")
    _el(file, "encodingFormat", letter.file.mime_type)
    _el(file, "filename", _short(letter.file.filename))
    _el(file, "language", letter.file.language[:2])
    _el(file, "content", base64.b64encode(letter.file.content).decode("ascii"))
    return bytes(ET.tostring(message, encoding="utf-8", xml_declaration=True))
