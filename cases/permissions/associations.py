"""Who may register an association, see its details, correct them, or fetch them again from
the CVR register (issue 18). Associations are shared by every municipality: a case officer
anywhere registers them (with a paper application) and sees them; the auditor reads them;
only the association's own representatives change its contact details.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from cases import roles
from cases.models import Association, Role


def _has_staff_role(user: Any, *wanted: str) -> bool:
    return any(set(held) & set(wanted) for held in roles.profile(user).roles.values())


def may_register(user: Any) -> bool:
    return _has_staff_role(user, Role.CASE_OFFICER)


def require_registrar(user: Any) -> None:
    if not may_register(user):
        raise PermissionDenied(_("Only a case officer can register an association."))


def may_edit(user: Any, association: Association) -> bool:
    """The contact details are the association's own: its representatives change them."""
    return association.pk in roles.profile(user).represents


def may_refresh(user: Any, association: Association) -> bool:
    """Fetching the name and address again changes nothing anyone typed: the case officer too."""
    return may_edit(user, association) or may_register(user)


def may_view(user: Any, association: Association) -> bool:
    return may_refresh(user, association) or _has_staff_role(user, Role.AUDITOR)


def get_association_for(user: Any, pk: int, *, write: bool = False) -> Association:
    """The association, 404 when the user may not see it, 403 when they may not change it."""
    association = Association.objects.filter(pk=pk).first()
    if association is None or not may_view(user, association):
        raise Http404(_("No such association."))
    if write and not may_edit(user, association):
        raise PermissionDenied(_("Only the association's representatives can change its details."))
    return association
