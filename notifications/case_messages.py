"""A message on a case (cases/services/case_messages.py) tells the other side: the
association's representatives (a paper applicant also by its registered e-mail), or the
case officer the case is assigned to — all the municipality's case officers while it is
assigned to nobody."""

from __future__ import annotations

from typing import Any

from cases.models import Application, CaseMessage, SentAs
from notifications.models import Kind
from notifications.selectors import applicant_list, case_officers_of
from notifications.services import notify


def tell_other_side(
    sender: Any, *, application: Application, message: CaseMessage, documents: int, **_: Any
) -> None:
    context = {"message": message.body, "author": message.author_name, "documents": documents}
    if message.sent_as == SentAs.ASSOCIATION:
        officers = case_officers_of(application)
        if application.case_officer_id is not None:
            assigned = officers.filter(pk=application.case_officer_id)
            officers = assigned if assigned.exists() else officers
        notify(
            kind=Kind.MESSAGE_RECEIVED,
            application=application,
            recipients=list(officers),
            context={**context, "to_municipality": True},
            legal=False,
        )
        return
    notify(
        kind=Kind.MESSAGE_RECEIVED,
        application=application,
        recipients=applicant_list(application),
        context={**context, "to_municipality": False},
        legal=False,
        addresses=[application.association.email] if application.is_paper else (),
    )
