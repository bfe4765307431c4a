"""Who writes on a case's file: file notes, documents received, messages (the rules, once).

Part of ``cases.permissions``, which re-exports every name: callers import the package."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from cases import roles
from cases.models import Application, ApplicationStatus, Role, SentAs, StatusGroup

from . import is_conflicted

# --- file notes and documents received (issue 16: notes) --------------------------------

# Who acts on a case writes its file notes: the case officer (and their manager, where the
# municipality has that role), the chairs on their bodies' behalf. Members, the auditor and
# the association do not: the auditor reads, a member's view belongs in the assessment.
NOTE_WRITER_ROLES = tuple(
    role
    for role in Role
    if role.value in {"case_officer", "manager", "council_chair", "committee_chair"}
)


def note_refusal(user: Any, application: Application) -> str:
    """Why ``user`` may not write a file note on ``application`` ("" when they may)."""
    if not roles.profile(user).has_role(application.municipality_id, *NOTE_WRITER_ROLES):
        return _(
            "Only the case officer or the chair of the council or the committee writes file "
            "notes on a case."
        )
    if application.status == ApplicationStatus.DRAFT:
        return _not_yet_a_case()
    if is_conflicted(user, application):
        return _("You are conflicted on %(case)s and take no part in it.") % {
            "case": application.case_number
        }
    return ""


def require_may_write_notes(user: Any, application: Application) -> None:
    refusal = note_refusal(user, application)
    if refusal:
        raise PermissionDenied(refusal)


def note_role(user: Any, application: Application) -> str:
    """The role a note's author writes in: the first of theirs, in NOTE_WRITER_ROLES' order."""
    who = roles.profile(user)
    for role in NOTE_WRITER_ROLES:
        if who.has_role(application.municipality_id, role):
            return str(role)
    return ""


def require_may_register_documents(user: Any, application: Application) -> None:
    """Documents received by post or e-mail are registered by the case officer."""
    if not roles.staff_role(user, application, Role.CASE_OFFICER):
        raise PermissionDenied(_("Only the case officer registers documents received on a case."))
    if application.status == ApplicationStatus.DRAFT:
        raise PermissionDenied(_not_yet_a_case())
    if is_conflicted(user, application):
        raise PermissionDenied(
            _("You are conflicted on %(case)s and take no part in it.")
            % {"case": application.case_number}
        )


def _not_yet_a_case() -> str:
    # A draft is the association's own (and is deleted if never submitted): the case, and
    # its file, begin with the submission.
    return _("The application is still a draft: the case and its file begin when it is submitted.")


# --- messages on the case (issue 17: messages) -------------------------------------------
# The thread is between the association and the case officers: the association's
# representatives write for it, the municipality's case officers for the municipality. The
# council, the committee and the auditor read the case and its thread but write no messages:
# their views belong in assessments and minutes. The thread opens with the submission (a
# draft is the association's own) and closes with the case (StatusGroup.FINISHED).


def message_side(user: Any, application: Application) -> str:
    """The side ``user`` writes for on ``application`` ("association" / "municipality"), or "".

    A representative of the applying association writes for it even if they also hold a
    staff role: a municipal employee's own association's case is not theirs to answer."""
    who = roles.profile(user)
    if application.association_id in who.represents:
        return str(SentAs.ASSOCIATION)
    if who.has_role(application.municipality_id, Role.CASE_OFFICER):
        return str(SentAs.MUNICIPALITY)
    return ""


def message_refusal(user: Any, application: Application) -> str:
    """Why ``user`` may not write a message on ``application`` ("" when they may)."""
    side = message_side(user, application)
    if not side:
        return _(
            "Only the association's representatives and the municipality's case officers "
            "write messages on a case."
        )
    if application.status == ApplicationStatus.DRAFT:
        return _not_yet_a_case()
    if application.status in StatusGroup.FINISHED:
        return _(
            "The case is finished: no more messages can be written on it. "
            "Contact the municipality directly if something is still unresolved."
        )
    if side == SentAs.MUNICIPALITY and is_conflicted(user, application):
        return _("You are conflicted on %(case)s and take no part in it.") % {
            "case": application.case_number
        }
    return ""


def require_may_write_messages(user: Any, application: Application) -> None:
    refusal = message_refusal(user, application)
    if refusal:
        raise PermissionDenied(refusal)
