"""The hearing (partshøring) on screen: the association's answer with files, and the files'
download. Starting and ending a hearing use the case's ordinary action page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cases import access
from cases.errors import InvalidInput, TransitionError
from cases.models import Application, ApplicationStatus, Hearing, HearingAttachment
from cases.uploads import stored_upload_response
from web.applications.forms import transition_form
from web.forms import DAMAGED_PAGE, seen_state
from workflows import engine

NAME = "answer_hearing"


@login_required
def hearing_answer(request: HttpRequest, pk: int) -> HttpResponse:
    application = access.get_application_for(request.user, pk)
    hearing = (
        Hearing.objects.filter(application=application, outcome="").order_by("-id").first()
        if application.status == ApplicationStatus.IN_HEARING
        else None
    )
    label = engine.transitions_of()[NAME][0].label
    if hearing is None:
        return _no_open_hearing(request, application, label)
    context = {"application": application, "hearing": hearing, "label": label}
    if request.method == "POST" and not engine.may_take(application, NAME, request.user):
        context["refused"] = engine.not_permitted_message(NAME)
        return render(request, "hearings/hearing_answer.html", context, status=403)
    data: dict[str, Any] | None = None
    if request.method == "POST":
        data = {
            "answer": request.POST.get("answer", ""),
            "documents": request.FILES.getlist("documents"),
        }
    form = transition_form(NAME, data)
    status = 200
    if data is not None:
        status = 400
        seen = seen_state(request.POST, application.status)
        if seen is None:
            form.add_error(None, DAMAGED_PAGE)
        elif form.is_valid():
            try:
                # The raw files, not the form's checked ones: the flow checks them again.
                engine.perform(application, NAME, user=request.user, **seen, **data)
            except InvalidInput as error:
                for field, errors in error.errors.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            except TransitionError as error:
                form.add_error(None, error.message)
                status = error.status_code
            else:
                messages.success(
                    request, _("Thank you. Your answer has been sent to the municipality.")
                )
                return redirect("applications:application_detail", pk=application.pk)
    context["form"] = form
    return render(request, "hearings/hearing_answer.html", context, status=status)


def _no_open_hearing(request: HttpRequest, application: Application, label: str) -> HttpResponse:
    """A link to a hearing that has ended (or never was) leads to the case; an answer sent
    after the hearing ended is not lost: the page shows it again, with why it was not sent."""
    if request.method != "POST":
        messages.info(request, _("There is no open hearing on this case."))
        return redirect("applications:application_detail", pk=application.pk)
    context: dict[str, Any] = {
        "application": application,
        "hearing": Hearing.objects.filter(application=application).order_by("-id").first(),
        "label": label,
    }
    if not engine.may_take(application, NAME, request.user):
        context["refused"] = engine.not_permitted_message(NAME)
        return render(request, "hearings/hearing_answer.html", context, status=403)
    form = transition_form(NAME, {"answer": request.POST.get("answer", ""), "documents": []})
    form.errors.clear()
    form.add_error(
        None,
        _(
            "The hearing has ended, so your answer was not sent. Your text is kept below: "
            "copy it if you want to send it to the municipality in another way."
        ),
    )
    context.update(form=form, closed=True)
    return render(request, "hearings/hearing_answer.html", context, status=409)


@login_required
@require_GET
def hearing_attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_or_404(HearingAttachment.objects.select_related("hearing"), pk=pk)
    # Whoever may see the case may see what was sent in it (404 otherwise).
    access.get_application_for(request.user, attachment.hearing.application_id)
    return stored_upload_response(attachment)
