"""Who may list an association in a municipality's directory, change its entry or withdraw
it: the association's own representatives, nobody else (issue 20, item 4).

Staff get no screen of their own for the entries: what is published is on the public pages
for them as for anyone, and what is not published is the association's own draft. Another
association's representatives, staff and the auditor get a 404 (its existence does not
leak), as for every other page of an association they do not act for.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from cases import roles
from cases.models import Association


def may_list(user: Any, association: Association) -> bool:
    return association.pk in roles.profile(user).represents


def require_lister(user: Any, association: Association) -> None:
    if not may_list(user, association):
        raise PermissionDenied(
            _("Only the association's representatives can change its directory entry.")
        )


def get_association_to_list(user: Any, pk: int) -> Association:
    """The association, or 404 when the user does not act for it."""
    association = Association.objects.filter(pk=pk).first()
    if association is None or not may_list(user, association):
        raise Http404(_("No such association."))
    return association
