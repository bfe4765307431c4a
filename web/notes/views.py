"""File notes and documents received on a case: the staff write and register, everyone
with access reads what they may (cases/services/case_notes.py, case_documents.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cases import access, permissions
from cases.models import Application
from cases.services import case_documents, case_notes
from cases.uploads import stored_upload_response
from web.notes.forms import FileNoteForm, ReceivedDocumentForm


def notes_context(user: Any, application: Application) -> dict[str, Any]:
    """What the case page shows of notes and documents received, and the staff's forms."""
    notes = case_notes.notes_for(user, application)
    may_write = not permissions.note_refusal(user, application)
    may_register = may_write and _may_register(user, application)
    return {
        "file_notes": case_notes.grouped(notes),
        "received_documents": list(case_documents.documents_for(user, application)),
        "note_form": FileNoteForm(notes=notes, auto_id="note-%s") if may_write else None,
        "document_form": ReceivedDocumentForm(auto_id="doc-%s") if may_register else None,
    }


def _may_register(user: Any, application: Application) -> bool:
    try:
        permissions.require_may_register_documents(user, application)
    except PermissionDenied:
        return False
    return True


def _refused(request: HttpRequest, application: Application, message: str) -> HttpResponse:
    return render(
        request,
        "notes/form_page.html",
        {"application": application, "refused": message},
        status=403,
    )


def _add_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
def note_create(request: HttpRequest, pk: int) -> HttpResponse:
    application = access.get_application_for(request.user, pk)
    refusal = permissions.note_refusal(request.user, application)
    if refusal:
        return _refused(request, application, refusal)
    notes = list(case_notes.case_notes(application))
    form = FileNoteForm(request.POST or None, notes=notes, auto_id="note-%s")
    if request.method == "POST" and form.is_valid():
        try:
            case_notes.note_create(
                application=application,
                acting_user=request.user,
                text=form.cleaned_data["text"],
                concerns=form.cleaned_data["concerns"],
                occurred_on=form.cleaned_data["occurred_on"],
                visible_to_applicant=form.cleaned_data["visible_to_applicant"],
                corrects=form.corrected_note(),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The file note has been added to the case."))
            return redirect(f"{_case_url(application)}#file-notes")
    return render(
        request,
        "notes/form_page.html",
        {"application": application, "form": form, "kind": "note"},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def document_register(request: HttpRequest, pk: int) -> HttpResponse:
    application = access.get_application_for(request.user, pk)
    try:
        permissions.require_may_register_documents(request.user, application)
    except PermissionDenied as refusal:
        return _refused(request, application, str(refusal))
    form = ReceivedDocumentForm(
        request.POST or None, request.FILES or None, application=application, auto_id="doc-%s"
    )
    if request.method == "POST" and form.is_valid():
        try:
            document = case_documents.document_register(
                application=application,
                acting_user=request.user,
                upload=form.cleaned_data["file"],
                received_via=form.cleaned_data["received_via"],
                received_on=form.cleaned_data["received_on"],
                description=form.cleaned_data["description"],
                content_type=form.content_type,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s has been registered on the case.") % {"name": document.original_name},
            )
            return redirect(f"{_case_url(application)}#received-documents")
    return render(
        request,
        "notes/form_page.html",
        {"application": application, "form": form, "kind": "document"},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_safe
def received_document_download(request: HttpRequest, pk: int) -> FileResponse:
    return stored_upload_response(case_documents.get_received_document_for(request.user, pk))


def _case_url(application: Application) -> str:
    return reverse("applications:application_detail", args=[application.pk])
