"""The proposal as it travels from the assistant to the bulk page, and back into the records.

A signed token (``django.core.signing``) in the bulk page's address and then in its form:
the method, its parameters, what the assistant proposed per item (``proposed``; for an
item the chair fixed, what the method gave it before) and the amounts the page is
filled in with (``adjusted``). Signed, so what the records call "proposed" is what the
assistant computed; the amounts chosen are whatever the chair records.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core import signing
from django.utils.translation import gettext as _

from cases.allocation import Allocation, Method, method_label
from cases.models import Application, Body, RecommendationOutcome

SALT = "puljeflow.allocation.proposal"
MAX_AGE = 24 * 60 * 60  # a day: adopted at the meeting, recorded the same day


def make_token(
    *,
    meeting_id: int,
    result: Allocation,
    baseline: Allocation,
    params: dict[str, Any],
    typed: dict[str, str] | None = None,
) -> str:
    fixed = {row.id for row in result.rows if row.note == "fixed"}
    before = baseline.amounts()
    data = {
        "meeting": meeting_id,
        "method": str(result.method),
        "params": params,
        "proposed": {
            str(row.id): str(before[row.id] if row.id in fixed else row.amount)
            for row in result.rows
        },
        "adjusted": {str(row.id): str(row.amount) for row in result.rows},
        # The assistant's form as typed, so »Ret forslaget« opens it as it was left.
        "typed": typed or {},
    }
    return signing.dumps(data, salt=SALT, compress=True)


def read_token(token: str, meeting_id: int) -> dict[str, Any] | None:
    """The proposal in ``token`` if it is intact, recent and for this meeting; else None."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one too
        return None
    if not isinstance(data, dict) or data.get("meeting") != meeting_id:
        return None
    try:
        Method(str(data.get("method")))
    except ValueError:
        return None
    return data


def reason_text(method: str) -> str:
    return _(
        "The pool cannot cover every application in full; the amount follows the allocation "
        "proposal (%(method)s)."
    ) % {"method": method_label(method).lower()}


def initial_row(
    body: str, application: Application, amount: Decimal, method: str
) -> dict[str, Any]:
    """A bulk row filled in with the proposal's amount for the item."""
    requested = application.amount_requested or Decimal(0)
    initial: dict[str, Any] = {"seen_version": application.version}
    less = amount < requested
    if body == Body.COUNCIL:
        if amount <= 0:
            initial["outcome"] = RecommendationOutcome.REFUSE
        elif less:
            initial.update(outcome=RecommendationOutcome.PARTIAL, amount=amount)
        else:
            initial["outcome"] = RecommendationOutcome.GRANT
    else:
        initial["action"] = "decide"
        if amount <= 0:
            initial["outcome"] = RecommendationOutcome.REFUSE
        else:
            initial.update(outcome=RecommendationOutcome.GRANT, amount=amount)
    if less:
        initial["reason"] = reason_text(method)
    elif body == Body.COMMITTEE:
        initial["reason"] = application.recommendation_reasons
    return initial
