"""After the grant: the association's usage report, the case officer's review, the staff's
overview of reports, and downloading a report's attachments. Thin: access, one
transition, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cases import access, roles
from cases.errors import InvalidInput, TransitionError
from cases.models import Application, ApplicationStatus, Role, UsageReport, UsageReportStatus
from cases.models.after_grant import ReportAttachment, ReportRequirement
from cases.parsing import parse_id
from cases.selectors import staff as staff_selectors
from cases.services import grants as grant_services
from cases.uploads import stored_upload_response
from web.applications.forms import ReportLineFormSet, UsageReportForm, transition_form
from web.forms import DAMAGED_PAGE, seen_state
from workflows import engine


def _report_context(
    application: Application, form: Any, formset: Any, **extra: Any
) -> dict[str, Any]:
    requirement = grant_services.report_requirement(application)
    return {
        "application": application,
        "form": form,
        "formset": formset,
        "requirement": requirement,
        "requirement_label": ReportRequirement(requirement).label,
        "paid": grant_services.paid_total(application),
        "returned": application.usage_reports.filter(status=UsageReportStatus.RETURNED).last(),
        **extra,
    }


@login_required
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """The association's usage report: a line per budget line, the tier's documents."""
    application = access.get_application_for(request.user, pk)
    if not roles.represents(request.user, application):
        raise PermissionDenied(_("Only the association can send its usage report."))
    if application.status != ApplicationStatus.PAID:
        raise PermissionDenied(_("A usage report can be sent once the grant has been paid."))
    requirement = grant_services.report_requirement(application)
    lines_error: list[str] = []
    status = 200
    if request.method == "POST":
        status = 400
        form = UsageReportForm(request.POST, request.FILES, requirement=requirement)
        formset = ReportLineFormSet(request.POST, prefix="lines")
        seen = seen_state(request.POST, application.status)
        if seen is None:
            form.add_error(None, DAMAGED_PAGE)
        elif form.is_valid() and formset.is_valid():
            try:
                engine.perform(
                    application,
                    "submit_report",
                    user=request.user,
                    **seen,
                    **form.transition_data(formset),
                )
            except InvalidInput as error:
                for field, errors in error.errors.items():
                    for message in errors:
                        if field in form.fields:
                            form.add_error(field, message)
                        else:
                            lines_error.append(message)
            except TransitionError as error:
                form.add_error(None, error.message)
                status = error.status_code
            else:
                messages.success(request, _("Your usage report has been sent."))
                return redirect("applications:application_detail", pk=application.pk)
    else:
        form = UsageReportForm(requirement=requirement)
        initial = [
            {"budget_line": b.pk, "description": b.description}
            for b in application.budget_lines.all()
        ]
        formset = ReportLineFormSet(initial=initial, prefix="lines")
    budget = {b.pk: b for b in application.budget_lines.all()}
    rows = [(f, budget.get(_line_id(f["budget_line"].value()))) for f in formset]
    return render(
        request,
        "after_grant/report_form.html",
        _report_context(application, form, formset, rows=rows, lines_error=lines_error),
        status=status,
    )


def _line_id(value: Any) -> int | None:
    return parse_id(value)


@login_required
def report_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """The case officer approves the report under review and settles an unspent balance."""
    application = access.get_application_for(request.user, pk)
    if not roles.staff_role(request.user, application, Role.CASE_OFFICER):
        raise PermissionDenied(_("Only a case officer can approve a usage report."))
    report = (
        UsageReport.objects.filter(application=application, status=UsageReportStatus.SUBMITTED)
        .prefetch_related("lines", "attachments")
        .order_by("-submitted_at", "-id")
        .first()
    )
    if report is None or application.status != ApplicationStatus.REPORT_SUBMITTED:
        raise Http404(_("There is no usage report awaiting review."))
    form = transition_form("approve_report", request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        seen = seen_state(request.POST, application.status)
        if seen is None:
            form.add_error(None, DAMAGED_PAGE)
        elif form.is_valid():
            try:
                engine.perform(
                    application,
                    "approve_report",
                    user=request.user,
                    **seen,
                    **form.transition_data(),
                )
            except InvalidInput as error:
                for field, errors in error.errors.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            except TransitionError as error:
                form.add_error(None, error.message)
                status = error.status_code
            else:
                messages.success(request, _("The usage report has been approved."))
                return redirect("applications:application_detail", pk=application.pk)
    return render(
        request,
        "after_grant/approve.html",
        {
            "application": application,
            "report": report,
            "form": form,
            "paid": grant_services.paid_total(application),
        },
        status=status,
    )


@login_required
@require_GET
def report_attachment_download(request: HttpRequest, pk: int) -> Any:
    """Only those who may see the case; everyone else gets 404."""
    attachment = (
        ReportAttachment.objects.filter(
            pk=pk, report__application__in=access.visible_applications(request.user)
        )
        .select_related("report")
        .first()
    )
    if attachment is None:
        raise Http404(_("No such attachment."))
    return stored_upload_response(attachment)


@login_required
@require_GET
def usage_reports(request: HttpRequest) -> HttpResponse:
    """The staff's overview: overdue reports, reports awaiting review, unpaid repayment claims."""
    who = roles.profile(request.user)
    if not who.is_staff_anywhere:
        raise PermissionDenied(_("This page is for the municipality's staff."))
    return render(
        request,
        "after_grant/overview.html",
        grant_services.usage_report_overview(sorted(who.municipality_ids)),
    )


@login_required
@require_GET
def payouts(request: HttpRequest) -> HttpResponse:
    """Per granted case, per round and in all: granted, paid out and what remains."""
    who = roles.profile(request.user)
    if not who.is_staff_anywhere:
        raise PermissionDenied(_("This page is for the municipality's staff."))
    return render(
        request,
        "after_grant/payouts.html",
        staff_selectors.payout_overview(sorted(who.municipality_ids)),
    )
