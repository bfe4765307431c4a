"""Reading the register of requests for access to documents, as one user may."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions, roles
from cases.models import AccessRequest, AccessStatus, Application, ApplicationStatus, Municipality

SORTS = {
    "deadline": ("deadline", "pk"),
    "-deadline": ("-deadline", "-pk"),
    "received": ("received_on", "pk"),
    "-received": ("-received_on", "-pk"),
}


def reader_municipality_ids(user: Any) -> set[int]:
    who = roles.profile(user)
    return {m for m in who.municipality_ids if permissions.may_read_access_requests(user, m)}


def handler_municipalities(user: Any) -> QuerySet[Municipality]:
    who = roles.profile(user)
    return Municipality.objects.filter(
        pk__in=[m for m in who.municipality_ids if permissions.may_handle_access_requests(user, m)]
    )


def require_reader(user: Any) -> set[int]:
    """The municipalities whose register ``user`` reads; 403 for anyone reading none."""
    ids = reader_municipality_ids(user)
    if not ids:
        raise PermissionDenied(
            _("The register of requests for access is for case officers and auditors.")
        )
    return ids


def access_requests_for(user: Any, sort: str = "deadline") -> QuerySet[AccessRequest]:
    return (
        AccessRequest.objects.filter(municipality_id__in=require_reader(user))
        .select_related("municipality", "round", "handled_by")
        .annotate(case_count=Count("applications"))
        .order_by(*SORTS.get(sort, SORTS["deadline"]))
    )


def get_access_request_for(user: Any, pk: int, *, write: bool = False) -> AccessRequest:
    """404 outside the user's municipalities; 403 for staff who may not read (or write)."""
    found = (
        AccessRequest.objects.select_related("municipality", "round", "handled_by")
        .filter(pk=pk, municipality_id__in=roles.profile(user).municipality_ids)
        .first()
    )
    if found is None:
        raise Http404(_("No such request for access."))
    if not permissions.may_read_access_requests(user, found.municipality_id):
        raise PermissionDenied(
            _("The register of requests for access is for case officers and auditors.")
        )
    if write:
        permissions.require_may_handle_access_requests(user, found.municipality_id)
    return found


def covered_applications(access_request: AccessRequest) -> list[Application]:
    return list(
        access_request.applications.select_related("association", "round", "municipality").order_by(
            "case_number", "pk"
        )
    )


def requestable_applications(municipality_ids: set[int]) -> QuerySet[Application]:
    """The cases a request can cover: the municipality's, once received (not drafts)."""
    return (
        Application.objects.filter(municipality_id__in=municipality_ids)
        .exclude(status=ApplicationStatus.DRAFT)
        .select_related("association")
        .order_by("-case_number")
    )


def is_overdue(access_request: AccessRequest, today: Any = None) -> bool:
    today = today or timezone.localdate()
    return access_request.status in AccessStatus.open() and access_request.due_on < today
