"""The register of requests for access to documents on screen.

Registering is a service (cases/services/access_requests.py); extending, deciding and
handing out are the request's transitions (workflows/access_request.py), each posted the
one way (``_take_step``). Case officers register and handle requests; auditors read the
register and each request; everyone else is refused (403), and a request of another
municipality is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from cases import permissions
from cases.access import staff_rounds
from cases.errors import InvalidInput, TransitionError
from cases.models import AccessDecision, AccessRequest, AccessStatus, Municipality
from cases.selectors import access_requests as selectors
from cases.services import access_requests as service
from cases.uploads import download_response
from web.access.forms import DecideForm, ExtendForm, HandOutForm, RegisterForm
from workflows import engine
from workflows.access_request import AccessRequestFlow


def _refused(form: Any, error: Exception) -> None:
    if isinstance(error, InvalidInput) and error.errors:
        for field, problems in error.errors.items():
            form.add_error(field if field in form.fields else None, problems)
    elif isinstance(error, ValidationError) and hasattr(error, "error_dict"):
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
                return redirect("access_request_detail", pk=access_request.pk)
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


def _status_changes(access_request: AccessRequest) -> list[Any]:
    """The request's history, one line per status it reached (its applications being set
    when it was registered is a history row of its own, with the same status)."""
    rows: list[Any] = []
    for row in access_request.history.order_by("history_date", "history_id"):
        if not rows or rows[-1].status != row.status:
            rows.append(row)
    return rows


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
        "history": _status_changes(access_request),
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


@dataclass(frozen=True)
class _Step:
    """One of the request's transitions as a screen posts it: the form on the detail page
    (``form_name``) that takes its input, and what to say once it is done."""

    transition: str
    form_name: str
    form: Callable[[HttpRequest, AccessRequest], Any]
    done: Any


def _take_step(request: HttpRequest, pk: int, step: _Step) -> HttpResponse:
    """Post ``step``: the form, then the transition (workflows/access_request.py); a
    refusal is shown on the detail page beside the form (400)."""
    access_request = selectors.get_access_request_for(request.user, pk, write=True)
    form = step.form(request, access_request)
    if form.is_valid():
        try:
            engine.take(
                AccessRequestFlow,
                access_request,
                step.transition,
                user=request.user,
                **form.transition_data(),
            )
        except TransitionError as error:
            _refused(form, error)
        else:
            messages.success(request, str(step.done))
            return redirect("access_request_detail", pk=pk)
    return _detail(request, access_request, 400, **{step.form_name: form})


EXTEND = _Step(
    "access_extend",
    "extend_form",
    lambda request, _r: ExtendForm(request.POST),
    gettext_lazy("The new date is recorded. Tell the requester why."),
)
DECIDE = _Step(
    "access_decide",
    "decide_form",
    lambda request, _r: DecideForm(request.POST),
    gettext_lazy("The decision is recorded."),
)
HAND_OUT = _Step(
    "access_hand_out",
    "hand_out_form",
    lambda request, access_request: HandOutForm(
        request.POST,
        items=service.exemptable_items(selectors.covered_applications(access_request)),
    ),
    gettext_lazy("The export is stored. Download it and send it."),
)


@login_required
@require_POST
def access_request_extend(request: HttpRequest, pk: int) -> HttpResponse:
    return _take_step(request, pk, EXTEND)


@login_required
@require_POST
def access_request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    return _take_step(request, pk, DECIDE)


@login_required
@require_POST
def access_request_hand_out(request: HttpRequest, pk: int) -> HttpResponse:
    return _take_step(request, pk, HAND_OUT)


@login_required
@require_safe
def access_request_export(request: HttpRequest, pk: int) -> FileResponse:
    access_request = selectors.get_access_request_for(request.user, pk)
    if not access_request.export:
        raise Http404(_("Nothing has been handed out on this request yet."))
    return download_response(
        access_request.export.open("rb"), f"aktindsigt-{access_request.pk}.zip", "application/zip"
    )
