"""The MeMo message, element by element, against MeMo 1.1 (notifications/digital_post/memo.py
cites the specification): namespace, version, the header's fields in their order, sender and
recipient by CVR, the main document carrying the letter's PDF."""

from __future__ import annotations

import base64
import datetime
import uuid
from xml.etree import ElementTree as ET

import pytest

from notifications.digital_post import memo

NS = "https://DigitalPost.dk/MeMo-1"
GRD = "https://data.gov.dk/model/core/"
PDF = b"%PDF-1.7\n\x00\xff binary bytes \x80\n%%EOF\n"
UUID = uuid.UUID("6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b")


def letter(**overrides: object) -> memo.Letter:
    values: dict[str, object] = {
        "message_uuid": UUID,
        # 10:30 in Copenhagen in winter is 09:30 UTC.
        "created": datetime.datetime(
            2027, 1, 15, 10, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=1))
        ),
        "label": "Tilsagn om tilskud til »Lektiecafé«",
        "legal_notice": True,
        "sender": memo.Party(cvr="29189854", name="Roskilde Kommune"),
        "recipient": memo.Party(cvr="12345674", name="Lektiecaféen"),
        "case_number": "2027-0001",
        "document_id": "document-7",
        "document_label": "Tilsagn om tilskud til »Lektiecafé«",
        "file": memo.Attachment(
            content=PDF,
            filename="letter-grant-2027-0001.pdf",
            mime_type="application/pdf",
            language="da",
        ),
    }
    values.update(overrides)
    return memo.Letter(**values)  # type: ignore[arg-type]


def q(name: str, ns: str = NS) -> str:
    return f"{{{ns}}}{name}"


def children(element: ET.Element) -> list[str]:
    return [child.tag for child in element]


def parsed(message: bytes) -> ET.Element:
    return ET.fromstring(message)  # noqa: S314  # nosec B314  (built by us in this test)


def test_the_message_is_well_formed_utf8_with_the_memo_namespace_and_version() -> None:
    message = memo.build(letter())

    assert message.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = parsed(message)
    assert root.tag == q("Message")
    assert root.attrib == {"memoVersion": "1.1", "memoSchVersion": "1.1.0"}
    assert children(root) == [q("MessageHeader"), q("MessageBody")]
    assert "»Lektiecafé«".encode() in message  # UTF-8, not character references


def test_the_header_holds_the_mandatory_fields_in_the_schemas_order() -> None:
    header = parsed(memo.build(letter())).find(q("MessageHeader"))
    assert header is not None

    assert children(header) == [
        q("messageType"),
        q("messageUUID"),
        q("label"),
        q("mandatory"),
        q("legalNotification"),
        q("Sender"),
        q("Recipient"),
        q("ContentData"),
    ]
    assert header.findtext(q("messageType")) == "DIGITALPOST"
    assert header.findtext(q("messageUUID")) == str(UUID)
    assert header.findtext(q("label")) == "Tilsagn om tilskud til »Lektiecafé«"
    assert header.findtext(q("mandatory")) == "false"
    assert header.findtext(q("legalNotification")) == "true"


def test_a_notice_without_legal_effect_says_so() -> None:
    header = parsed(memo.build(letter(legal_notice=False))).find(q("MessageHeader"))
    assert header is not None and header.findtext(q("legalNotification")) == "false"


def test_the_sender_is_the_municipality_and_the_recipient_the_association_by_cvr() -> None:
    header = parsed(memo.build(letter())).find(q("MessageHeader"))
    assert header is not None
    sender, recipient = header.find(q("Sender")), header.find(q("Recipient"))
    assert sender is not None and recipient is not None

    assert children(sender) == [q("senderID"), q("idType"), q("label")]
    assert [e.text for e in sender] == ["29189854", "CVR", "Roskilde Kommune"]
    assert children(recipient) == [q("recipientID"), q("idType"), q("label")]
    assert [e.text for e in recipient] == ["12345674", "CVR", "Lektiecaféen"]


def test_the_content_data_names_the_association_and_the_case() -> None:
    header = parsed(memo.build(letter())).find(q("MessageHeader"))
    assert header is not None
    content = header.find(q("ContentData"))
    assert content is not None

    assert children(content) == [q("CVRdata", GRD), q("CaseID")]
    cvr = content.find(q("CVRdata", GRD))
    assert cvr is not None
    assert [(e.tag, e.text) for e in cvr] == [
        (q("cvrNumber", GRD), "12345674"),
        (q("companyName", GRD), "Lektiecaféen"),
    ]
    case = content.find(q("CaseID"))
    assert case is not None
    assert [(e.tag, e.text) for e in case] == [
        (q("caseID"), "2027-0001"),
        (q("caseSystem"), "Puljeflow"),
    ]


def test_the_body_carries_the_pdf_as_the_main_document() -> None:
    body = parsed(memo.build(letter())).find(q("MessageBody"))
    assert body is not None

    assert children(body) == [q("createdDateTime"), q("MainDocument")]
    assert body.findtext(q("createdDateTime")) == "2027-01-15T09:30:00Z"
    main = body.find(q("MainDocument"))
    assert main is not None
    assert children(main) == [q("mainDocumentID"), q("label"), q("File")]
    assert main.findtext(q("mainDocumentID")) == "document-7"
    assert main.findtext(q("label")) == "Tilsagn om tilskud til »Lektiecafé«"
    file = main.find(q("File"))
    assert file is not None
    assert children(file) == [q("encodingFormat"), q("filename"), q("language"), q("content")]
    assert file.findtext(q("encodingFormat")) == "application/pdf"
    assert file.findtext(q("filename")) == "letter-grant-2027-0001.pdf"
    assert file.findtext(q("language")) == "da"
    assert base64.b64decode(file.findtext(q("content")) or "", validate=True) == PDF


def test_the_same_letter_gives_the_same_bytes() -> None:
    assert memo.build(letter()) == memo.build(letter())
    assert memo.build(letter()) != memo.build(letter(message_uuid=uuid.uuid4()))


def test_long_labels_are_cut_to_memos_256_characters() -> None:
    header = parsed(memo.build(letter(label="Ansøgning " * 40))).find(q("MessageHeader"))
    assert header is not None
    assert len(header.findtext(q("label")) or "") == 256


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"message_uuid": uuid.uuid1()}, "version 4"),
        ({"recipient": memo.Party(cvr="1234", name="X")}, "recipient's CVR"),
        ({"sender": memo.Party(cvr="", name="Roskilde Kommune")}, "sender's CVR"),
        ({"created": datetime.datetime(2027, 1, 15, 10, 30)}, "timezone-aware"),
    ],
)
def test_it_refuses_what_memo_would_reject(overrides: dict[str, object], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        memo.build(letter(**overrides))
