"""Which notifications go by Digital Post, and the outbox row that carries one.

A notification goes by Digital Post when Digital Post is on (``PULJEFLOW_DIGITAL_POST`` is
not ``off``), it concerns an application, and it is a legal notice or carries a letter
(every letter is one: a decision, a rejection, a returned report, a repayment claim). It
goes once, to the association's CVR, in the association's language — the language its
letters are written in. The users (and a paper applicant's registered address) are then
told by e-mail only that a letter has arrived in Digital Post, without its content
(``services.build_notification`` with ``notice=True``).

An association without a CVR number cannot exist (the number is required and validated);
were one to turn up, its letters go by e-mail in full, as without Digital Post, rather than
nowhere.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings

from notifications.models import Channel, Notification, Status

if TYPE_CHECKING:
    from cases.models import Application, Document


def goes_by_digital_post(
    application: Application | None, *, legal: bool, letter: Document | None
) -> bool:
    return (
        settings.DIGITAL_POST != "off"
        and application is not None
        and bool(application.association.cvr)
        and (legal or letter is not None)
    )


def digital_post_row(
    *,
    kind: str,
    application: Application,
    letter: Document | None,
    context: dict[str, Any],
    legal: bool,
    now: datetime,
) -> Notification:
    """The unsaved outbox row of the message to the association's Digital Post.

    Its text is the notification in full, addressed to the association: the body of the
    message when there is no letter (a request for information, a hearing), kept on the
    row as what was said when there is one. The messageUUID is fixed here, once.
    """
    from notifications.services import render

    association = application.association
    language = association.language
    subject, text, html = render(
        kind,
        language,
        {
            **context,
            "application": application,
            "recipient": None,
            "recipient_name": association.name,
        },
    )
    return Notification(
        recipient=None,
        recipient_email="",
        recipient_cvr=association.cvr,
        document=letter,
        memo_uuid=uuid.uuid4(),
        kind=kind,
        application=application,
        subject=subject,
        body_text=text,
        body_html=html,
        language=language,
        is_legal_notice=legal,
        channel=Channel.DIGITAL_POST,
        status=Status.PENDING,
        next_attempt_at=now,
        created_at=now,
    )
