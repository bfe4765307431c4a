"""The register of requests for access to documents (aktindsigt): registering, and what
the request's own flow uses.

Offentlighedslovens § 36, stk. 2: the municipality decides as soon as possible whether a
request can be met, and within 7 working days of receiving it — unless that is not
possible because of, e.g., the request's size or complexity; the requester is then told
why, and when the decision can be expected (the flow's ``access_extend``).

A request is registered here (``access_request_register``: a new row, in its first
status); every later change of its status — extend, decide, hand out — is a transition
of ``workflows/access_request.py``. Every one of them, and the registration, is also
chained into the trail of every case the request covers, through ``access_record`` and
nowhere else. The flow also uses ``exemptable_items``, ``redaction_errors`` and
``access_export_write`` (the export handed out).
"""

from __future__ import annotations

import datetime
import hashlib
import tempfile
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases import permissions
from cases.documents import exports
from cases.documents.redaction import (
    GROUNDS,
    ITEM_KINDS,
    RedactionChoice,
    build_redactor,
    marker,
)
from cases.models import (
    AccessRequest,
    AccessScope,
    Application,
    ApplicationStatus,
    Attachment,
    Document,
    FileNote,
    GrantRound,
    HearingAttachment,
    Municipality,
    ReceivedDocument,
    ReportAttachment,
    Role,
)
from cases.trail.chain import record_transition
from cases.working_days import add_working_days

# § 36, stk. 2.
DEADLINE_WORKING_DAYS = 7
FLOW = "access"
# The chained case events (cases/trail/timeline.py names them).
EVENTS = ("access_register", "access_extend", "access_decide", "access_hand_out")


def access_deadline(municipality: Municipality, received_on: datetime.date) -> datetime.date:
    """The 7th working day after receipt: no weekend, public holiday or day the
    municipality keeps closed (5 June, 24 and 31 December, as it has chosen)."""
    closed = municipality.closed_days(received_on.year, received_on.year + 1)
    return add_working_days(received_on, DEADLINE_WORKING_DAYS, closed)


def access_record(
    access_request: AccessRequest,
    *,
    name: str,
    actor: Any,
    role: str = str(Role.CASE_OFFICER),
    reason: str = "",
    **payload: Any,
) -> None:
    """The one place the register writes into the cases' trails: one chained event in each
    case the request covers, with the case row locked (in the caller's transaction). The
    registration here, and every transition of ``workflows/access_request.py``."""
    ids = list(access_request.applications.order_by("pk").values_list("pk", flat=True))
    for application in Application.objects.select_for_update().filter(pk__in=ids).order_by("pk"):
        record_transition(
            application=application,
            flow=FLOW,
            transition=name,
            from_state=application.status,
            to_state=application.status,
            actor=actor,
            role=role,
            reason=reason,
            payload={"access_request": access_request.pk, **payload},
        )


def _text(value: str | None) -> str:
    return (value or "").strip()


def access_request_register(
    *,
    municipality: Municipality,
    acting_user: Any,
    requester_name: str,
    received_on: datetime.date,
    scope: str,
    text: str,
    requester_kind: str = "citizen",
    requester_email: str = "",
    requester_address: str = "",
    grant_round: GrantRound | None = None,
    applications: Iterable[Application] = (),
) -> AccessRequest:
    """Register a request received on ``received_on``, covering some of the municipality's
    cases or a whole round (its cases received so far)."""
    permissions.require_may_handle_access_requests(acting_user, municipality.pk)
    errors: dict[str, str] = {}
    if not _text(requester_name):
        errors["requester_name"] = _("Write who asked.")
    if not _text(text):
        errors["text"] = _("Write what was asked for.")
    if received_on > timezone.localdate():
        errors["received_on"] = _("A request cannot be received in the future.")
    chosen = list(applications)
    if scope == AccessScope.ROUND:
        if grant_round is None:
            errors["round"] = _("Choose the round the request covers.")
        elif grant_round.municipality_id != municipality.pk:
            errors["round"] = _("The round is not one of %(m)s's.") % {"m": municipality}
        else:
            chosen = list(grant_round.applications.exclude(status=ApplicationStatus.DRAFT))
    elif scope == AccessScope.CASES:
        grant_round = None
        if not chosen:
            errors["applications"] = _("Choose at least one case.")
        foreign = [a.case_number for a in chosen if a.municipality_id != municipality.pk]
        drafts = [a.case_number for a in chosen if a.status == ApplicationStatus.DRAFT]
        if foreign:
            errors["applications"] = _("Not cases of %(m)s: %(cases)s.") % {
                "m": municipality,
                "cases": ", ".join(foreign),
            }
        elif drafts:
            errors["applications"] = _("Drafts are not yet cases: %(cases)s.") % {
                "cases": ", ".join(drafts)
            }
    else:
        errors["scope"] = _("Choose what the request covers.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        access_request = AccessRequest(
            municipality=municipality,
            requester_name=_text(requester_name),
            requester_email=_text(requester_email),
            requester_address=_text(requester_address),
            requester_kind=requester_kind,
            received_on=received_on,
            scope=scope,
            round=grant_round,
            text=_text(text),
            deadline=access_deadline(municipality, received_on),
            registered_by=acting_user,
            handled_by=acting_user,
        )
        access_request._history_user = acting_user  # type: ignore[attr-defined]
        access_request.save()
        access_request.applications.set(chosen)
        access_record(
            access_request,
            name="access_register",
            actor=acting_user,
            reason=access_request.text,
            requester=access_request.requester_name,
            received_on=received_on,
            deadline=access_request.deadline,
        )
    return access_request


def exemptable_items(applications: list[Application]) -> list[tuple[str, int, str]]:
    """What a handler can mark as exempt, as (kind, id, label): six queries, whatever the
    number of cases."""
    cases = {a.pk: a.case_number for a in applications}
    # (kind, rows, the path to their case, the field that names them)
    sources: list[tuple[str, Any, str, str]] = [
        ("document", Document.objects, "application_id", "title"),
        ("attachment", Attachment.objects, "application_id", "original_name"),
        ("report_attachment", ReportAttachment.objects, "report__application_id", "original_name"),
        ("received", ReceivedDocument.objects, "application_id", "original_name"),
        (
            "hearing_attachment",
            HearingAttachment.objects,
            "hearing__application_id",
            "original_name",
        ),
        ("note", FileNote.objects, "application_id", "text"),
    ]
    items: list[tuple[str, int, str]] = []
    for kind, rows, case, name in sources:
        for pk, application_id, text in (
            rows.filter(**{f"{case}__in": cases}).order_by(case, "pk").values_list("pk", case, name)
        ):
            items.append(
                (kind, pk, f"{cases[application_id]}: {text[:60] if kind == 'note' else text}")
            )
    return items


def redaction_errors(choice: RedactionChoice, applications: list[Application]) -> dict[str, str]:
    """What is wrong with ``choice`` for the cases handed out, by field ({} when nothing)."""
    errors: dict[str, str] = {}
    for name in ("declarations", "contact_details"):
        if getattr(choice, name) and getattr(choice, name) not in GROUNDS:
            errors[name] = _("Choose a ground from the list.")
    known = {(kind, pk) for kind, pk, _label in exemptable_items(applications)}
    for item in choice.items:
        if item.get("ground") not in GROUNDS:
            errors["items"] = _("Choose a ground for every item left out.")
        elif item.get("kind") not in ITEM_KINDS or (item["kind"], int(item["id"])) not in known:
            errors["items"] = _("An item left out is not part of the cases handed out.")
    return errors


def _left_out(choice: RedactionChoice) -> list[str]:
    """What the requester is told was left out, each with its marker (the ground)."""
    lines = []
    if choice.declarations:
        lines.append(
            _("- council and committee members' conflict declarations: %(marker)s")
            % {"marker": marker(choice.declarations)}
        )
    if choice.contact_details:
        lines.append(
            _("- other persons' contact details: %(marker)s")
            % {"marker": marker(choice.contact_details)}
        )
    if choice.items:
        lines.append(
            ngettext(
                "- %(n)s document or note, each replaced by a note with its ground",
                "- %(n)s documents or notes, each replaced by a note with its ground",
                len(choice.items),
            )
            % {"n": len(choice.items)}
        )
    return lines


def _cover(access_request: AccessRequest, choice: RedactionChoice) -> str:
    lines = [
        _("Access to documents: %(municipality)s") % {"municipality": access_request.municipality},
        _("Requested by %(name)s, received %(date)s.")
        % {
            "name": access_request.requester_name,
            "date": formats.date_format(access_request.received_on, "DATE_FORMAT"),
        },
        _("Decision: %(decision)s.") % {"decision": access_request.get_decision_display()},
    ]
    if access_request.decision_reasons:
        lines += ["", access_request.decision_reasons]
    left_out = _left_out(choice)
    if left_out:
        lines += ["", _("Left out of the documents handed out:"), *left_out]
    if access_request.complaint_guidance:
        lines += ["", access_request.complaint_guidance]
    return "\n".join(lines) + "\n"


def access_export_write(
    access_request: AccessRequest, choice: RedactionChoice, applications: list[Application]
) -> None:
    """Build the export of ``applications`` (the cases covered) with the redactions chosen
    (checked: ``redaction_errors``), store it as the request's ``export`` and set its
    SHA-256 and ``redactions`` — on the instance: the hand-out transition saves it."""
    redactor = build_redactor(choice, applications)
    with tempfile.SpooledTemporaryFile(max_size=exports.SPOOL_BYTES) as spool:
        exports.handed_out_zip(applications, spool, redactor, _cover(access_request, choice))
        spool.seek(0)
        digest = hashlib.sha256()
        for chunk in iter(lambda: spool.read(1024 * 1024), b""):
            digest.update(chunk)
        spool.seek(0)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        access_request.export.save(f"aktindsigt-{stamp}.zip", File(spool), save=False)
    access_request.export_sha256 = digest.hexdigest()
    access_request.redactions = choice.as_json()
