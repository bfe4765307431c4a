"""Every letter and legal notice to an association goes to its Digital Post by CVR, once; the
people are told by a short e-mail that it has arrived, without its content."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from cases.models import Application, DocumentKind
from notifications.models import Channel, Kind, Notification, Status
from tests.conftest import NO_HEARING, report_data
from tests.workflows.support import S, reach
from workflows.engine import perform

from .conftest import deliver, digital_post_rows, messages

pytestmark = pytest.mark.django_db

REASONS = "Aktiviteten er ikke rettet mod udsatte børn."


def refuse(application: Application, world: SimpleNamespace) -> Application:
    return perform(
        application, "decide", user=world.frida, outcome="refuse", reason=REASONS, **NO_HEARING
    )


def grant(amount: str) -> Any:
    def decide(application: Application, world: SimpleNamespace) -> Application:
        return perform(
            application,
            "decide",
            user=world.frida,
            outcome="grant",
            amount=amount,
            reason=REASONS,
            **NO_HEARING,
        )

    return decide


def reject(application: Application, world: SimpleNamespace) -> Application:
    return perform(application, "reject", user=world.carl, reason=REASONS, **NO_HEARING)


def return_report(application: Application, world: SimpleNamespace) -> Application:
    return perform(application, "return_report", user=world.carl, reason=REASONS)


def claim_repayment(application: Application, world: SimpleNamespace) -> Application:
    data = report_data(lines=[{"description": "Lektiecafé", "spent": "15000"}])
    reported = perform(application, "submit_report", user=world.anna, **data)
    return perform(
        reported,
        "approve_report",
        user=world.carl,
        settlement="repayment",
        reason=REASONS,
        **NO_HEARING,
    )


# (the state reached first, the transition that writes the letter, the letter, the notification)
LETTERS = [
    pytest.param(S.RECOMMENDED, grant("25000"), DocumentKind.GRANT, Kind.DECISION, id="grant"),
    pytest.param(
        S.RECOMMENDED, grant("20000"), DocumentKind.PARTIAL_GRANT, Kind.DECISION, id="partial"
    ),
    pytest.param(S.RECOMMENDED, refuse, DocumentKind.REFUSAL, Kind.DECISION, id="refusal"),
    pytest.param(
        S.SUBMITTED, reject, DocumentKind.REJECTION, Kind.APPLICATION_REJECTED, id="rejection"
    ),
    pytest.param(
        S.REPORT_SUBMITTED,
        return_report,
        DocumentKind.REPORT_RETURNED,
        Kind.REPORT_RETURNED,
        id="report_returned",
    ),
    pytest.param(
        S.PAID,
        claim_repayment,
        DocumentKind.REPAYMENT_CLAIM,
        Kind.REPAYMENT_CLAIMED,
        id="repayment_claim",
    ),
]


@pytest.mark.parametrize(("start", "act", "letter_kind", "kind"), LETTERS)
def test_each_letter_goes_once_to_digital_post_and_anna_gets_a_notice_without_its_content(
    world: SimpleNamespace,
    draft: Application,
    digital_post: Path,
    start: str,
    act: Any,
    letter_kind: str,
    kind: str,
) -> None:
    world.roskilde.cvr = "29189854"
    world.roskilde.save()
    application = reach(draft, world, start)
    before = set(Notification.objects.values_list("pk", flat=True))
    already = len(messages(digital_post))
    mail.outbox.clear()

    application = act(application, world)

    new = list(Notification.objects.exclude(pk__in=before).filter(kind=kind).order_by("pk"))
    assert [(r.channel, r.recipient) for r in new] == [
        (Channel.DIGITAL_POST, None),
        (Channel.EMAIL, world.anna),
    ]
    assert deliver(Notification.objects.exclude(pk__in=before)) == [Status.SENT] * len(
        Notification.objects.exclude(pk__in=before)
    )
    post_row, email_row = (Notification.objects.get(pk=r.pk) for r in new)
    letter = application.documents.get(kind=letter_kind)
    assert (post_row.document, post_row.recipient_cvr, post_row.status) == (
        letter,
        world.a.cvr,
        Status.SENT,
    )

    # One message in the folder, named by its UUID, carrying the letter as the case keeps it.
    sent = messages(digital_post)[already:] if already else messages(digital_post)
    (message,) = [m for m in sent if m.path.stem == str(post_row.memo_uuid)]
    assert len(messages(digital_post)) == already + 1
    assert message.text("MessageHeader/label") == letter.title
    assert message.text("MessageHeader/legalNotification") == "true"
    assert message.text("MessageHeader/Recipient/recipientID") == world.a.cvr
    assert message.text("MessageHeader/Sender/senderID") == "29189854"
    assert message.text("MessageBody/MainDocument/File/encodingFormat") == "application/pdf"
    letter.refresh_from_db()
    assert letter.pdf  # printed, and stored, before it was sent
    with letter.pdf.open("rb") as stream:
        assert message.pdf == stream.read()

    # One e-mail to anna: that a letter has arrived, not what it says.
    (email,) = [m for m in mail.outbox if m.extra_headers["Message-ID"] == email_row.message_id]
    assert email.to == [world.anna.email]
    assert email.subject.startswith("Brev i jeres Digital Post om ansøgning ")
    assert application.case_number in email.subject
    assert "Digital Post" in email.body and application.case_number in email.body
    assert REASONS not in email.body and REASONS not in email_row.body_html
    # The notification in full, addressed to the association, is kept with the Digital Post row.
    assert (
        post_row.body_text.startswith("Kære Lektiecaféen\n")
        and "Digital Post" not in post_row.body_text
    )


def test_a_legal_notice_without_a_letter_goes_as_its_text(
    world: SimpleNamespace, draft: Application, digital_post: Path
) -> None:
    world.roskilde.cvr = "29189854"
    world.roskilde.save()
    submitted = reach(draft, world, S.SUBMITTED)

    perform(submitted, "request_info", user=world.carl, question="Hvor mange frivillige har I?")

    (row,) = digital_post_rows(kind=Kind.INFO_REQUESTED)
    assert row.document is None and row.is_legal_notice
    deliver([row])
    (message,) = messages(digital_post)
    assert message.text("MessageBody/MainDocument/File/encodingFormat") == "text/plain"
    assert message.text("MessageBody/MainDocument/File/filename") == "info_requested.txt"
    assert "Hvor mange frivillige har I?" in message.pdf.decode("utf-8")
    assert message.text("MessageHeader/label") == row.subject


def test_a_notice_that_is_not_legal_and_has_no_letter_stays_an_email(
    world: SimpleNamespace, draft: Application, digital_post: Path
) -> None:
    reach(draft, world, S.IN_COUNCIL_REVIEW)  # submitted (a receipt), accepted: neither legal

    assert digital_post_rows() == []
    assert set(Notification.objects.values_list("channel", flat=True)) == {Channel.EMAIL}


def test_a_paper_application_goes_by_digital_post_and_the_notice_to_its_address(
    world: SimpleNamespace, draft: Application, digital_post: Path
) -> None:
    draft.registered_by = world.carl
    draft.received_at = timezone.now()
    draft.save()
    submitted = perform(draft, "submit", user=world.carl)  # registered from paper
    Notification.objects.all().delete()

    reject(submitted, world)

    rows = list(Notification.objects.order_by("pk"))
    assert [(r.channel, r.recipient_cvr, r.recipient_email) for r in rows] == [
        (Channel.DIGITAL_POST, world.a.cvr, ""),
        (Channel.EMAIL, "", world.anna.email),
        (Channel.EMAIL, "", world.a.email),
    ]
    deliver(rows)
    assert len(messages(digital_post)) == 1
    to_association = [m for m in mail.outbox if m.to == [world.a.email]]
    assert len(to_association) == 1 and REASONS not in to_association[0].body


def test_with_digital_post_off_the_letter_is_an_email_in_full_as_before(
    world: SimpleNamespace, draft: Application, settings: Any
) -> None:
    assert settings.DIGITAL_POST == "off"
    submitted = reach(draft, world, S.SUBMITTED)
    Notification.objects.all().delete()

    reject(submitted, world)

    (row,) = Notification.objects.all()
    assert row.channel == Channel.EMAIL and REASONS in row.body_text
    assert not Path(settings.DIGITAL_POST_DIR).exists()
