"""Messages on a case (issue 17): the thread on the case page, and writing a message.

The thread shows on the case page for everyone who may see the case
(``thread_context``); the form posts here. A refused post shows this page with the
errors beside the fields and the text kept (files must be chosen again: a browser never
refills a file field); a message sent goes back to the case page's thread (PRG).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cases import access, permissions
from cases.models import Application, SentAs
from cases.selectors.messages import case_thread
from cases.services.case_messages import message_send as send
from web.case_messages.forms import MessageForm


def thread_context(
    user: Any, application: Application, form: MessageForm | None = None
) -> dict[str, Any]:
    """What the case page shows under "Messages": the thread, and the form for those who
    may write (or why the thread is closed, for those who could otherwise)."""
    side = permissions.message_side(user, application)
    refusal = permissions.message_refusal(user, application)
    if form is None and not refusal:
        form = MessageForm(application=application)
    return {
        "thread": case_thread(application),
        "message_form": None if refusal else form,
        # Said only to the two sides of the thread; the others read it.
        "message_closed": refusal if side else "",
        "message_side": side,
        "writes_for_association": side == SentAs.ASSOCIATION,
    }


@login_required
def message_send(request: HttpRequest, pk: int) -> HttpResponse:
    application = access.get_application_for(request.user, pk)
    form = MessageForm(request.POST or None, request.FILES or None, application=application)
    status = 200
    if request.method == "POST":
        status = 400
        refusal = permissions.message_refusal(request.user, application)
        if refusal:
            return render(
                request,
                "case_messages/message_page.html",
                {"application": application, "refused": refusal},
                status=403,
            )
        if form.is_valid():
            try:
                send(
                    application=application,
                    acting_user=request.user,
                    body=form.cleaned_data["body"],
                    documents=form.cleaned_data["documents"],
                )
            except PermissionDenied as error:
                return render(
                    request,
                    "case_messages/message_page.html",
                    {"application": application, "refused": str(error)},
                    status=403,
                )
            except ValidationError as error:
                if not hasattr(error, "error_dict"):
                    form.add_error(None, error.messages)
                else:
                    for field, errors in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Your message has been sent."))
                url = reverse("applications:application_detail", args=[application.pk])
                return redirect(f"{url}#messages")
    return render(
        request,
        "case_messages/message_page.html",
        {"application": application, **thread_context(request.user, application, form)},
        status=status,
    )
