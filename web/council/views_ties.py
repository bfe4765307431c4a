"""The manager's page: the case officers' declared ties to rule on (forvaltningsloven § 6)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from cases import roles
from cases.models import ConflictDeclaration, ConflictRuling, ConflictSource, Role

# --- the manager's list of the case officers' declared ties -------------------------------


@login_required
def manager_conflicts(request: HttpRequest) -> HttpResponse:
    """The case officers' declared ties in the manager's municipalities, pending first."""
    who = roles.profile(request.user)
    municipalities = [m for m, held in who.roles.items() if Role.MANAGER in held]
    if not municipalities:
        raise PermissionDenied(_("Only a manager rules on the case officers' declared ties."))
    declarations = list(
        ConflictDeclaration.objects.filter(
            application__municipality_id__in=municipalities,
            role=Role.CASE_OFFICER,
            source=ConflictSource.DECLARED,
        )
        .select_related("application__association", "member", "ruled_by")
        .order_by("-created_at", "-id")
    )
    pending = [d for d in declarations if d.ruling == ConflictRuling.PENDING]
    ruled = [d for d in declarations if d.ruling != ConflictRuling.PENDING]
    return render(request, "council/manager_conflicts.html", {"pending": pending, "ruled": ruled})
