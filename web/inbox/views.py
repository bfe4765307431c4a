"""The case officer's rounds and inbox, and paper applications typed in for an association.

Thin: the access helper (404 outside the user's municipalities, 403 for a write without the
case officer's role), one selector or service, render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cases import access, disqualification, roles
from cases.parsing import parse_id
from cases.selectors import applications as selectors
from cases.selectors.criteria import load_round_texts
from cases.services import applications as services
from web.applications.forms import PaperApplicationForm
from web.inbox.filters import InboxFilter


@login_required
def staff_rounds(request: HttpRequest) -> HttpResponse:
    rounds = access.staff_rounds(request.user).select_related("municipality")
    if not roles.profile(request.user).is_staff_anywhere:
        raise PermissionDenied(_("This page is for the municipality's staff."))
    return render(request, "inbox/staff_rounds.html", {"rounds": rounds})


@login_required
def round_inbox(request: HttpRequest, pk: int) -> HttpResponse:
    grant_round = access.get_round_for_staff(request.user, pk)
    filters = InboxFilter(
        request.GET,
        queryset=selectors.round_inbox(grant_round=grant_round),
        grant_round=grant_round,
    )
    page = Paginator(filters.qs, 50).get_page(request.GET.get("page"))
    for application in page:
        # From the rows' annotation (selectors.round_inbox): no query of its own.
        application.waiting = disqualification.waiting_reason(application)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "inbox/round_inbox.html",
        {
            "round": grant_round,
            "grant_round": load_round_texts(grant_round),
            "filters": filters.form,
            "page": page,
            "counts": selectors.round_status_counts(grant_round),
            "totals": selectors.round_totals(grant_round),
            "query": query.urlencode(),
            "is_case_officer": roles.profile(request.user).has_role(
                grant_round.municipality_id, "case_officer"
            ),
        },
    )


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
