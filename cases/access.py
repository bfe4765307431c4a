"""Fetching what a user may see, raising 404 for what they may not.

Objects of another association or municipality answer 404, not 403, so their
existence does not leak. 403 is for things the user can see but not change.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from cases import limits, roles
from cases.compiled import Compiled
from cases.models import (
    Application,
    ApplicationStatus,
    Attachment,
    GrantRound,
    Role,
    RoundExport,
)


def _sees(user: Any) -> tuple[set[int], set[int]]:
    """Whose applications the user may see, written once: the municipalities they are staff
    in, and the associations they represent."""
    who = roles.profile(user)
    return who.municipality_ids, who.represents


def visible_applications(user: Any) -> QuerySet[Application]:
    """The applications the user may see (``_sees``); ``is_visible`` asks it of one case."""
    municipalities, associations = _sees(user)
    condition = Q(pk__in=[])
    if municipalities:
        condition |= Q(municipality_id__in=municipalities)
    if associations:
        condition |= Q(association_id__in=associations)
    return Application.objects.filter(condition)


def may_edit(user: Any, application: Application) -> bool:
    """Drafts are edited by the association, or by the case officer who typed in a paper one."""
    if application.status != ApplicationStatus.DRAFT:
        return False
    if roles.represents(user, application):
        return True
    return application.is_paper and roles.staff_role(user, application, Role.CASE_OFFICER)


# Every page of a case reads it first: compiled once (cases/compiled.py).
APPLICATION = Compiled(
    lambda pk: Application.objects.select_related("round", "association", "municipality").filter(
        pk=pk
    ),
    "pk",
)


def is_visible(user: Any, application: Application) -> bool:
    """``visible_applications`` for one case already read (``_sees``)."""
    municipalities, associations = _sees(user)
    return (
        application.municipality_id in municipalities or application.association_id in associations
    )


def get_application_for(user: Any, pk: int, *, write: bool = False) -> Application:
    found = APPLICATION.objects(pk=pk) if 0 < pk <= limits.MAX_ID else []
    if not found or not is_visible(user, found[0]):
        raise Http404(_("No such application."))
    application: Application = found[0]
    if write and not may_edit(user, application):
        raise PermissionDenied(_("Only a draft can be changed, and only by its association."))
    return application


def get_attachment_for(user: Any, pk: int, *, write: bool = False) -> Attachment:
    attachment = (
        Attachment.objects.select_related("application")
        .filter(pk=pk, application__in=visible_applications(user))
        .first()
    )
    if attachment is None:
        raise Http404(_("No such attachment."))
    if write and not may_edit(user, attachment.application):
        raise PermissionDenied(_("Attachments can only be changed on a draft."))
    return attachment


def staff_rounds(user: Any) -> QuerySet[GrantRound]:
    return GrantRound.objects.filter(municipality_id__in=roles.profile(user).municipality_ids)


# Every staff page of a round reads it first: compiled once (cases/compiled.py).
ROUND = Compiled(lambda pk: GrantRound.objects.select_related("municipality").filter(pk=pk), "pk")


def get_round_for_staff(user: Any, pk: int) -> GrantRound:
    """The round, if it is one of the user's municipalities' (``staff_rounds``); else 404."""
    found = ROUND.objects(pk=pk) if 0 < pk <= limits.MAX_ID else []
    if not found or found[0].municipality_id not in roles.profile(user).municipality_ids:
        raise Http404(_("No such round."))
    return found[0]


def get_export_for(user: Any, pk: int) -> RoundExport:
    """A round's export the user asked for, while the round is still one of their
    municipalities'; anyone else's is a 404 (it holds the round's data as of its making)."""
    found = (
        RoundExport.objects.select_related("grant_round").filter(pk=pk, requested_by=user).first()
        if 0 < pk <= limits.MAX_ID
        else None
    )
    if found is None or (
        found.grant_round.municipality_id not in roles.profile(user).municipality_ids
    ):
        raise Http404(_("No such export."))
    return found


def require_case_officer(user: Any, grant_round: GrantRound) -> None:
    if not roles.profile(user).has_role(grant_round.municipality_id, Role.CASE_OFFICER):
        raise PermissionDenied(
            _("Only a case officer of %(m)s may do this.") % {"m": grant_round.municipality}
        )
