"""The guided application: the draft in steps, autosave, uploads that keep what was typed,
the review page that submits, and the receipt (kvittering).

Every save goes through the same services as "Save draft" (``application_update_draft``
and ``budget_lines_replace``); submitting runs the flow's ``submit`` transition, whose
completeness rule (``cases.completeness``) also marks the fields and lists what is missing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cases import access
from cases.completeness import ATTACHMENTS, BUDGET_LINES, missing, required_fields
from cases.documents import receipts
from cases.errors import InvalidInput, TransitionError
from cases.models import Application, ApplicationStatus
from cases.selectors import applications as selectors
from cases.selectors.criteria import load_round_texts
from cases.services import applications as services
from web.applications import steps
from web.applications.forms import (
    ApplicationForm,
    AttachmentForm,
    BudgetLineFormSet,
    budget_lines_from,
)
from web.forms import DAMAGED_PAGE, seen_state
from workflows import engine

#: The whole draft on one page: what a POST to ``application_edit`` saves (and shows again
#: with its errors), for a client that sends every field at once.
ALL = steps.Step(
    "all",
    "",
    tuple(name for step in steps.STEPS for name in step.fields),
    budget=True,
)


def _forms(
    application: Application, step: steps.Step, data: Any = None
) -> tuple[ApplicationForm, Any]:
    form = ApplicationForm(
        data,
        instance=application,
        grant_round=application.round,
        only=None if step is ALL else step.fields,
    )
    formset = None
    if step.budget:
        if data is None:
            lines = [
                {"description": b.description, "amount": b.amount}
                for b in application.budget_lines.all()
            ]
            formset = BudgetLineFormSet(initial=lines, prefix="lines")
        else:
            formset = BudgetLineFormSet(data, prefix="lines")
    return form, formset


def _save(
    request: HttpRequest, application: Application, form: ApplicationForm, formset: Any
) -> None:
    """Save what ``form`` and ``formset`` hold of valid input (the caller decides whether a
    partly valid input is saved); raises ValidationError from the service."""
    services.application_update_draft(
        application=application,
        acting_user=request.user,
        data=form.draft_data(),
        focus_areas=form.cleaned_data.get("focus_areas"),
    )
    if formset is not None and formset.is_valid():
        services.budget_lines_replace(
            application=application, acting_user=request.user, lines=budget_lines_from(formset)
        )


def _save_complete(
    request: HttpRequest, application: Application, form: ApplicationForm, formset: Any
) -> bool:
    """Save when every field of the page is valid; else keep the input for the page to
    show again with the errors, and save nothing."""
    valid = form.is_valid() and (formset is None or formset.is_valid())
    if not valid:
        return False
    try:
        _save(request, application, form, formset)
    except ValidationError as error:
        form.add_error(None, error)
        return False
    return True


def _context(
    request: HttpRequest,
    application: Application,
    step: steps.Step,
    form: ApplicationForm,
    formset: Any,
    attachment_form: AttachmentForm | None = None,
) -> dict[str, Any]:
    problems = missing(application)
    required = required_fields(application.round)
    return {
        "application": application,
        "step": step,
        "progress": steps.progress(step, problems),
        "total_steps": len(steps.STEPS),
        "number": steps.STEPS.index(step) + 1 if step in steps.STEPS else 0,
        "previous": steps.previous_step(step) if step in steps.STEPS else None,
        "next": steps.next_step(step) if step in steps.STEPS else None,
        "form": form,
        "formset": formset,
        "budget_required": BUDGET_LINES in required,
        "attachment_form": attachment_form or AttachmentForm(),
        # A refused upload from any step shows the upload again, with its error.
        "uploads": step.uploads or attachment_form is not None,
        "attachments_required": ATTACHMENTS in required,
        "attachments": application.attachments.all(),
        "required_kinds": application.round.required_attachments or [],
        "grant_round": load_round_texts(application.round, "focus_areas"),
    }


def _step_or_404(slug: str) -> steps.Step:
    step = steps.BY_SLUG.get(slug)
    if step is None:
        raise Http404(_("No such step."))
    return step


@login_required
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The first step that still lacks something (the review page when nothing does); a
    POST with every field saves the whole draft, as the single page did."""
    application = access.get_application_for(request.user, pk, write=True)
    if request.method != "POST":
        problems = missing(application)
        if not problems:
            return redirect("applications:draft_review", pk=application.pk)
        step = steps.first_unfinished(problems)
        return redirect("applications:draft_step", pk=application.pk, step=step.slug)
    form, formset = _forms(application, ALL, request.POST)
    if _save_complete(request, application, form, formset):
        messages.success(request, _("The draft has been saved."))
        if "submit" in request.POST:
            return redirect("applications:draft_review", pk=application.pk)
        return redirect("applications:application_edit", pk=application.pk)
    application.refresh_from_db()
    return render(
        request,
        "applications/draft_step.html",
        _context(request, application, ALL, form, formset),
        status=400,
    )


@login_required
def draft_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """One step: "Save and continue" to the next, "Save draft" to stay, "Back" to the one
    before (saving too). Invalid input is shown again with its errors and nothing saved."""
    application = access.get_application_for(request.user, pk, write=True)
    current = _step_or_404(step)
    if request.method != "POST":
        form, formset = _forms(application, current)
        return render(
            request,
            "applications/draft_step.html",
            _context(request, application, current, form, formset),
        )
    if current.uploads and request.FILES:  # a file chosen, then "Save and continue"
        return upload_keeping_input(request, application)
    form, formset = _forms(application, current, request.POST)
    if not _save_complete(request, application, form, formset):
        application.refresh_from_db()
        return render(
            request,
            "applications/draft_step.html",
            _context(request, application, current, form, formset),
            status=400,
        )
    if "back" in request.POST and (previous := steps.previous_step(current)):
        return redirect("applications:draft_step", pk=application.pk, step=previous.slug)
    if "next" in request.POST:
        following = steps.next_step(current)
        if following is None:
            return redirect("applications:draft_review", pk=application.pk)
        return redirect("applications:draft_step", pk=application.pk, step=following.slug)
    messages.success(request, _("The draft has been saved."))
    return redirect("applications:draft_step", pk=application.pk, step=current.slug)


@login_required
@require_POST
def draft_autosave(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Save what is valid of a step as one types; say when, and what could not be saved.

    Answers 200 with a small fragment for the page's live region even when some input is
    invalid: the valid rest is saved, and the invalid text stays in the browser.
    """
    application = access.get_application_for(request.user, pk, write=True)
    current = _step_or_404(step)
    form, formset = _forms(application, current, request.POST)
    form.is_valid()
    not_saved: list[tuple[Any, list[str]]] = [
        (
            form.fields[name].label if name in form.fields else _("The draft"),
            [str(e) for e in errors],
        )
        for name, errors in form.errors.items()
    ]
    if formset is not None and not formset.is_valid():
        not_saved.append((_("Budget lines"), [_("Complete or correct the budget lines.")]))
    try:
        _save(request, application, form, formset)
    except ValidationError as error:
        not_saved.append((_("The draft"), error.messages))
    return render(
        request,
        "applications/_autosaved.html",
        {"saved_at": timezone.localtime(), "not_saved": not_saved},
    )


def upload_keeping_input(request: HttpRequest, application: Application) -> HttpResponse:
    """An upload from a step's form: the step's typed fields (``step`` names it) are saved
    first, the valid ones, so nothing typed is lost whether the file is taken or refused."""
    current = steps.BY_SLUG.get(request.POST.get("step", ""), steps.BY_SLUG["attachments"])
    form, formset = _forms(application, current, request.POST)
    form.is_valid()
    try:
        _save(request, application, form, formset)
    except ValidationError as error:
        form.add_error(None, error)
    attachment_form = AttachmentForm(request.POST, request.FILES, application=application)
    if attachment_form.is_valid():
        try:
            services.attachment_add(
                application=application,
                acting_user=request.user,
                kind=attachment_form.cleaned_data["kind"],
                upload=attachment_form.cleaned_data["file"],
                content_type=attachment_form.content_type,
            )
        except ValidationError as error:  # the limits, taken meanwhile by another upload
            attachment_form.add_error("file", error)
        else:
            messages.success(request, _("The attachment has been added."))
            return redirect("applications:draft_step", pk=application.pk, step=current.slug)
    application.refresh_from_db()
    return render(
        request,
        "applications/draft_step.html",
        _context(request, application, current, form, formset, attachment_form),
        status=400,
    )


# --- review and submit ---------------------------------------------------------------------


def _review_context(application: Application) -> dict[str, Any]:
    return {
        "application": application,
        "progress": steps.progress(None, missing(application)),
        "total_steps": len(steps.STEPS),
        "missing": [
            (problem.message, steps.field_url(application.pk, problem.field))
            for problem in missing(application)
        ],
        "links": {
            step.slug: steps.field_url(application.pk, step.fields[0])
            if step.fields
            else steps.field_url(application.pk, "attachments")
            for step in steps.STEPS
        },
    }


@login_required
def draft_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Every answer, what is missing (linked to the field), and the button that submits."""
    access.get_application_for(request.user, pk, write=True)
    application = selectors.application_detail(request.user, pk)
    assert application is not None  # the access helper has just found it
    if request.method != "POST":
        return render(request, "applications/draft_review.html", _review_context(application))
    seen = seen_state(request.POST, application.status)
    error, status = "", 400
    if seen is None:
        error = str(DAMAGED_PAGE)
    else:
        try:
            engine.perform(application, "submit", user=request.user, **seen)
        except InvalidInput as refused:
            error = " ".join(m for errors in refused.errors.values() for m in errors)
        except TransitionError as refused:
            error, status = refused.message, refused.status_code
        else:
            messages.success(request, submitted_message(application))
            return redirect("applications:application_receipt", pk=application.pk)
    application = selectors.application_detail(request.user, pk)
    assert application is not None
    context = {**_review_context(application), "refused": error}
    return render(request, "applications/draft_review.html", context, status=status)


def submitted_message(application: Application) -> str:
    """Said once an application is sent: its case number and the next date planned."""
    text = _("The application has been sent. Case number %(case)s.") % {
        "case": application.case_number
    }
    dated = [s for s in receipts.next_steps(application) if s.date][:1]
    if dated and dated[0].key == "council":
        text += " " + _("The volunteer council considers it at its meeting on %(date)s.") % {
            "date": _date(dated[0].date)
        }
    elif dated:
        text += " " + _("The committee decides at its meeting on %(date)s.") % {
            "date": _date(dated[0].date)
        }
    return text


def _date(day: Any) -> str:
    return date_format(day, "j. F Y")


# --- the receipt ---------------------------------------------------------------------------


def _submitted(request: HttpRequest, pk: int) -> Application | None:
    application = selectors.application_detail(request.user, pk)
    if application is None:
        raise Http404(_("No such application."))
    if application.submitted_at is None and application.received_at is None:
        return None
    if application.status == ApplicationStatus.DRAFT:
        return None
    return application


@login_required
@require_safe
def application_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    application = _submitted(request, pk)
    if application is None:  # nothing submitted yet: the case page says what is missing
        return redirect("applications:application_detail", pk=pk)
    return render(request, "applications/receipt.html", receipts.receipt_context(application))


@login_required
@require_safe
def application_receipt_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    application = _submitted(request, pk)
    if application is None:
        return redirect("applications:application_detail", pk=pk)
    response = HttpResponse(receipts.receipt_pdf(application), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{receipts.receipt_filename(application)}"'
    )
    return response
