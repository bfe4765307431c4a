"""The register of requests for access to documents on screen.

Case officers register and handle requests; auditors read the register and each request;
everyone else is refused (403), and a request of another municipality is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cases import permissions
from cases.access import staff_rounds
from cases.documents.redaction import RedactionChoice
from cases.errors import TransitionError
from cases.models import AccessDecision, AccessRequest, AccessStatus, Municipality
from cases.selectors import access_requests as selectors
from cases.services import access_requests as service
from cases.uploads import download_response
from web.access.forms import DecideForm, ExtendForm, HandOutForm, RegisterForm


def _refused(form: Any, error: Exception) -> None:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    elif isinstance(error, ValidationError):
        form.add_error(None, error.messages)
    else:
        form.add_error(None, str(error))


@login_required
@require_safe
def access_request_list(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", "deadline")
    sort = sort if sort in selectors.SORTS else "deadline"
    rows = list(selectors.access_requests_for(request.user, sort))
    today = timezone.localdate()
    return render(
        request,
        "access/list.html",
        {
            "rows": [(r, selectors.is_overdue(r, today)) for r in rows],
            "sort": sort,
            "may_register": selectors.handler_municipalities(request.user).exists(),
        },
    )


@login_required
def access_request_new(request: HttpRequest) -> HttpResponse:
    municipalities = list(selectors.handler_municipalities(request.user))
    if not municipalities:
        raise PermissionDenied(_("Only a case officer handles requests for access to documents."))
    ids = {m.pk for m in municipalities}
    form = RegisterForm(
        request.POST or None,
        initial={"received_on": timezone.localdate(), "scope": "cases"},
        applications=selectors.requestable_applications(ids),
        rounds=staff_rounds(request.user).filter(municipality_id__in=ids),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            municipality = _municipality_of(data, municipalities)
            try:
                access_request = service.access_request_register(
                    municipality=municipality,
                    acting_user=request.user,
                    requester_name=data["requester_name"],
                    requester_kind=data["requester_kind"],
                    requester_email=data["requester_email"],
                    requester_address=data["requester_address"],
                    received_on=data["received_on"],
                    scope=data["scope"],
                    grant_round=data["round"],
                    applications=data["applications"],
                    text=data["text"],
                )
            except ValidationError as error:
                _refused(form, error)
            else:
                messages.success(
                    request,
                    _("The request is registered. It must be decided by %(date)s.")
                    % {"date": access_request.deadline.strftime("%d.%m.%Y")},
                )
                return redirect("access:access_request_detail", pk=access_request.pk)
    return render(request, "access/new.html", {"form": form}, status=status)


def _municipality_of(data: dict[str, Any], municipalities: list[Municipality]) -> Municipality:
    """The municipality the chosen round or cases belong to; the service checks they all do."""
    if data.get("round") is not None and data["scope"] == "round":
        wanted = data["round"].municipality_id
    elif data.get("applications"):
        wanted = data["applications"][0].municipality_id
    else:
        wanted = municipalities[0].pk
    return next((m for m in municipalities if m.pk == wanted), municipalities[0])


def _detail(
    request: HttpRequest, access_request: AccessRequest, status: int = 200, **forms: Any
) -> HttpResponse:
    may_handle = permissions.may_handle_access_requests(
        request.user, access_request.municipality_id
    )
    applications = selectors.covered_applications(access_request)
    context: dict[str, Any] = {
        "access_request": access_request,
        "applications": applications,
        "overdue": selectors.is_overdue(access_request),
        "may_handle": may_handle,
        "history": access_request.history.order_by("history_date", "history_id"),
    }
    if may_handle and access_request.status in AccessStatus.open():
        context["extend_form"] = forms.get("extend_form") or ExtendForm()
        context["decide_form"] = forms.get("decide_form") or DecideForm(
            initial={"complaint_guidance": access_request.municipality.access_complaint_text()}
        )
    if (
        may_handle
        and access_request.status == AccessStatus.DECIDED
        and access_request.decision != AccessDecision.REFUSED
    ):
        context["hand_out_form"] = forms.get("hand_out_form") or HandOutForm(
            items=service.exemptable_items(applications)
        )
    return render(request, "access/detail.html", context, status=status)


@login_required
@require_safe
def access_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.get_access_request_for(request.user, pk))


@login_required
@require_POST
def access_request_extend(request: HttpRequest, pk: int) -> HttpResponse:
    access_request = selectors.get_access_request_for(request.user, pk, write=True)
    form = ExtendForm(request.POST)
    if form.is_valid():
        try:
            service.access_request_extend(
                access_request=access_request,
                acting_user=request.user,
                until=form.cleaned_data["until"],
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, TransitionError) as error:
            _refused(form, error)
        else:
            messages.success(request, _("The new date is recorded. Tell the requester why."))
            return redirect("access:access_request_detail", pk=pk)
    return _detail(request, access_request, 400, extend_form=form)


@login_required
@require_POST
def access_request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    access_request = selectors.get_access_request_for(request.user, pk, write=True)
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            service.access_request_decide(
                access_request=access_request,
                acting_user=request.user,
                decision=form.cleaned_data["decision"],
                reasons=form.cleaned_data["reasons"],
                complaint_guidance=form.cleaned_data["complaint_guidance"],
            )
        except (ValidationError, TransitionError) as error:
            _refused(form, error)
        else:
            messages.success(request, _("The decision is recorded."))
            return redirect("access:access_request_detail", pk=pk)
    return _detail(request, access_request, 400, decide_form=form)


@login_required
@require_POST
def access_request_hand_out(request: HttpRequest, pk: int) -> HttpResponse:
    access_request = selectors.get_access_request_for(request.user, pk, write=True)
    items = service.exemptable_items(selectors.covered_applications(access_request))
    form = HandOutForm(request.POST, items=items)
    if form.is_valid():
        choice = RedactionChoice(
            declarations=form.cleaned_data["declarations"],
            contact_details=form.cleaned_data["contact_details"],
            items=form.exempt_items(),
        )
        try:
            service.access_request_hand_out(
                access_request=access_request, acting_user=request.user, choice=choice
            )
        except (ValidationError, TransitionError) as error:
            _refused(form, error)
        else:
            messages.success(request, _("The export is stored. Download it and send it."))
            return redirect("access:access_request_detail", pk=pk)
    return _detail(request, access_request, 400, hand_out_form=form)


@login_required
@require_safe
def access_request_export(request: HttpRequest, pk: int) -> FileResponse:
    access_request = selectors.get_access_request_for(request.user, pk)
    if not access_request.export:
        raise Http404(_("Nothing has been handed out on this request yet."))
    return download_response(
        access_request.export.open("rb"), f"aktindsigt-{access_request.pk}.zip", "application/zip"
    )
