"""The case officer's rounds and inbox, the search across rounds, assigning cases, and paper
applications typed in for an association.

Thin: the access helper (404 outside the user's municipalities, 403 for a write without the
case officer's role), one selector or service, render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases import access, disqualification, permissions, roles
from cases.models import Application, GrantRound, Role
from cases.parsing import parse_id
from cases.selectors import applications as selectors
from cases.selectors import staff as staff_selectors
from cases.selectors.criteria import load_round_texts
from cases.services import applications as services
from cases.trail.history import actor_display_name
from web.applications.forms import PaperApplicationForm
from web.inbox.filters import InboxFilter, sort_links
from workflows import assignment, engine

PAGE_SIZE = 25


def _require_staff(user: Any) -> None:
    if not roles.profile(user).is_staff_anywhere:
        raise PermissionDenied(_("This page is for the municipality's staff."))


@login_required
def staff_rounds(request: HttpRequest) -> HttpResponse:
    rounds = access.staff_rounds(request.user).select_related("municipality")
    _require_staff(request.user)
    who = roles.profile(request.user)
    editable = {m for m in who.municipality_ids if permissions.may_edit_rounds(request.user, m)}
    return render(
        request,
        "inbox/staff_rounds.html",
        {"rounds": rounds, "editable": editable, "may_create": bool(editable)},
    )


def _inbox(
    request: HttpRequest,
    queryset: QuerySet[Application],
    municipality_ids: set[int],
    grant_round: GrantRound | None = None,
) -> dict[str, Any]:
    """The filtered, sorted, paginated rows, and what the table and its forms need."""
    officers = list(staff_selectors.case_officers_of(municipality_ids))
    filters = InboxFilter(
        request.GET,
        queryset=queryset,
        user=request.user,
        officers=officers,
        grant_round=grant_round,
        rounds=(
            access.staff_rounds(request.user).select_related("municipality")
            if grant_round is None
            else None
        ),
    )
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for application in page:
        # From the rows' annotation (selectors.round_inbox): no query of its own.
        application.waiting = disqualification.waiting_reason(application)
    query = request.GET.copy()
    query.pop("page", None)
    current = filters.form.cleaned_data.get("sort") if filters.form.is_valid() else None
    may_assign = any(
        roles.profile(request.user).has_role(m, "case_officer") for m in municipality_ids
    )
    return {
        "filters": filters.form,
        "page": page,
        "query": query.urlencode(),
        "sorts": sort_links(query, (current or [""])[0]),
        "officers": [(o.pk, actor_display_name(o)) for o in officers],
        "may_assign": may_assign,
        "here": request.get_full_path(),
    }


@login_required
def round_inbox(request: HttpRequest, pk: int) -> HttpResponse:
    grant_round = access.get_round_for_staff(request.user, pk)
    context = _inbox(
        request,
        selectors.round_inbox(grant_round=grant_round),
        {grant_round.municipality_id},
        grant_round,
    )
    return render(
        request,
        "inbox/round_inbox.html",
        {
            **context,
            "round": grant_round,
            "grant_round": load_round_texts(grant_round),
            "counts": selectors.round_status_counts(grant_round),
            "totals": selectors.round_totals(grant_round),
            "is_case_officer": roles.profile(request.user).has_role(
                grant_round.municipality_id, "case_officer"
            ),
            "may_edit_round": permissions.may_edit_rounds(
                request.user, grant_round.municipality_id
            ),
            # The flow the round's applications follow, named as the chart page names it.
            "flow_title": getattr(
                engine.application_flows().get(grant_round.flow), "title", grant_round.flow
            ),
        },
    )


@login_required
def case_search(request: HttpRequest) -> HttpResponse:
    """Every case of every round of the user's municipalities: search, filter, sort."""
    _require_staff(request.user)
    context = _inbox(
        request,
        staff_selectors.staff_cases(request.user),
        roles.profile(request.user).municipality_ids,
    )
    return render(request, "inbox/case_search.html", context)


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _assignee(request: HttpRequest) -> tuple[Any, str]:
    """The case officer chosen in the form (None for "nobody"), or an error to show."""
    raw = request.POST.get("case_officer", "")
    if raw == "me":
        return request.user, ""
    if raw == "none":
        return None, ""
    user_id = parse_id(raw)
    chosen = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    if chosen is None:
        return None, _("Choose a case officer.")
    return chosen, ""


def assignment_panel(user: Any, application: Application) -> dict[str, Any] | None:
    """The case page's "Assigned to" box: for the municipality's staff only; the form for
    those who may assign (two queries: the case officers, the conflicts)."""
    if application.municipality_id not in roles.profile(user).municipality_ids:
        return None
    may_assign = not permissions.assign_refusal(user, application)
    officers = (
        [
            (o.pk, actor_display_name(o))
            for o in staff_selectors.case_officers_of({application.municipality_id})
            if o.pk not in (application.case_officer_id, user.pk)
        ]
        if may_assign
        else []
    )
    return {
        "assigned": application.case_officer,
        "may_assign": may_assign,
        "officers": officers,
        "mine": application.case_officer_id == user.pk,
    }


@login_required
@require_POST
def application_assign(request: HttpRequest, pk: int) -> HttpResponse:
    application = access.get_application_for(request.user, pk)
    permissions.require_may_assign(request.user, application)
    fallback = reverse("applications:application_detail", args=[application.pk])
    case_officer, error = _assignee(request)
    if not error:
        try:
            assignment.assign_case(
                application=application, acting_user=request.user, case_officer=case_officer
            )
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
    if error:
        messages.error(request, error)
    elif case_officer is None:
        messages.success(request, _("The case is no longer assigned to anyone."))
    else:
        messages.success(
            request,
            _("Case %(case)s is now assigned to %(name)s.")
            % {"case": application.case_number, "name": actor_display_name(case_officer)},
        )
    return redirect(_back(request, fallback))


@login_required
@require_POST
def bulk_assign(request: HttpRequest) -> HttpResponse:
    """Assign the rows ticked in the inbox: all of them, or none when one is refused."""
    if not any(Role.CASE_OFFICER in held for held in roles.profile(request.user).roles.values()):
        raise PermissionDenied(_("Only a case officer of the municipality assigns its cases."))
    fallback = reverse("inbox:case_search")
    ids = [i for i in (parse_id(v) for v in request.POST.getlist("applications")) if i]
    case_officer, error = _assignee(request)
    chosen = list(staff_selectors.staff_cases(request.user).filter(pk__in=ids))
    if not error and not chosen:
        error = _("Tick the cases to assign.")
    todo = [a for a in chosen if a.case_officer_id != (case_officer.pk if case_officer else None)]
    if not error:
        try:
            assignment.assign_cases(
                applications=todo, acting_user=request.user, case_officer=case_officer
            )
        except (ValidationError, PermissionDenied) as refusal:
            text = refusal.messages if isinstance(refusal, ValidationError) else [str(refusal)]
            error = " ".join(text)
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request,
            _("%(n)s cases assigned to %(name)s.")
            % {"n": len(chosen), "name": actor_display_name(case_officer) or "–"},
        )
    return redirect(_back(request, fallback))


@login_required
def paper_application_new(request: HttpRequest, pk: int) -> HttpResponse:
    grant_round = access.get_round_for_staff(request.user, pk)
    access.require_case_officer(request.user, grant_round)
    initial = {}
    association = parse_id(request.GET.get("association"))
    if association is not None:
        initial["association"] = association
    form = PaperApplicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_create(
                grant_round=grant_round,
                association=form.cleaned_data["association"],
                acting_user=request.user,
                data={"title": form.cleaned_data["title"]},
                received_at=form.cleaned_data["received_at"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Paper application %(case)s registered. Type in its content and submit it.")
                % {"case": application.case_number},
            )
            return redirect("applications:application_edit", pk=application.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "inbox/paper_application_new.html",
        {"form": form, "round": grant_round},
        status=status,
    )
